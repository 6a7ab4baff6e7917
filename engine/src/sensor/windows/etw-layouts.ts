/**
 * The two structures the ETW control and consumer APIs take, built as byte buffers with the
 * x64 offsets of evntrace.h (Microsoft Learn: "EVENT_TRACE_PROPERTIES structure",
 * "WNODE_HEADER structure", "EVENT_TRACE_LOGFILEW structure", "TRACE_LOGFILE_HEADER structure").
 * Built by hand rather than as koffi structs so the unit tests can check every offset on Linux.
 */

/** sizeof(EVENT_TRACE_PROPERTIES): WNODE_HEADER (48) + 72; the logger name follows it. */
export const EVENT_TRACE_PROPERTIES_SIZE = 120;
export const WNODE_FLAG_TRACED_GUID = 0x00020000;
export const EVENT_TRACE_REAL_TIME_MODE = 0x00000100;
/** WNODE_HEADER.ClientContext 2: timestamps as system time (FILETIME), so records need no clock conversion. */
export const CLIENT_CONTEXT_SYSTEM_TIME = 2;
/** Room reserved for the logger name that QUERY/STOP write back (MAX 1024 WCHARs). */
const LOGGER_NAME_ROOM = 1024 * 2;

export const PROPERTIES_OFFSET = {
  wnodeBufferSize: 0,
  wnodeGuid: 24,
  wnodeClientContext: 40,
  wnodeFlags: 44,
  bufferSize: 48,
  minimumBuffers: 52,
  maximumBuffers: 56,
  logFileMode: 64,
  flushTimer: 68,
  enableFlags: 72,
  numberOfBuffers: 80,
  eventsLost: 88,
  realTimeBuffersLost: 100,
  logFileNameOffset: 112,
  loggerNameOffset: 116,
} as const;

export interface TracePropertiesOptions {
  /** Buffer size in KB. */
  readonly bufferSizeKb?: number;
  readonly minimumBuffers?: number;
  readonly maximumBuffers?: number;
  /** Seconds between flushes of partly filled buffers (latency bound). */
  readonly flushTimerSeconds?: number;
}

/** An EVENT_TRACE_PROPERTIES for a real-time session, with room for the logger name after it. */
export function buildTraceProperties(options: TracePropertiesOptions = {}): Buffer {
  const total = EVENT_TRACE_PROPERTIES_SIZE + LOGGER_NAME_ROOM;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(total, PROPERTIES_OFFSET.wnodeBufferSize);
  b.writeUInt32LE(CLIENT_CONTEXT_SYSTEM_TIME, PROPERTIES_OFFSET.wnodeClientContext);
  b.writeUInt32LE(WNODE_FLAG_TRACED_GUID, PROPERTIES_OFFSET.wnodeFlags);
  b.writeUInt32LE(options.bufferSizeKb ?? 64, PROPERTIES_OFFSET.bufferSize);
  b.writeUInt32LE(options.minimumBuffers ?? 4, PROPERTIES_OFFSET.minimumBuffers);
  b.writeUInt32LE(options.maximumBuffers ?? 64, PROPERTIES_OFFSET.maximumBuffers);
  b.writeUInt32LE(EVENT_TRACE_REAL_TIME_MODE, PROPERTIES_OFFSET.logFileMode);
  b.writeUInt32LE(options.flushTimerSeconds ?? 1, PROPERTIES_OFFSET.flushTimer);
  b.writeUInt32LE(EVENT_TRACE_PROPERTIES_SIZE, PROPERTIES_OFFSET.loggerNameOffset);
  return b;
}

/** What QUERY reports about a running session. */
export interface TraceStatus {
  readonly numberOfBuffers: number;
  readonly eventsLost: number;
  readonly realTimeBuffersLost: number;
}

export function readTraceStatus(properties: Buffer): TraceStatus {
  return {
    numberOfBuffers: properties.readUInt32LE(PROPERTIES_OFFSET.numberOfBuffers),
    eventsLost: properties.readUInt32LE(PROPERTIES_OFFSET.eventsLost),
    realTimeBuffersLost: properties.readUInt32LE(PROPERTIES_OFFSET.realTimeBuffersLost),
  };
}

/**
 * sizeof(EVENT_TRACE_LOGFILEW) on x64: LogFileName 0, LoggerName 8, CurrentTime 16,
 * BuffersRead 24, ProcessTraceMode 28, CurrentEvent (EVENT_TRACE, 88) 32,
 * LogfileHeader (TRACE_LOGFILE_HEADER, 280) 120, BufferCallback 400, BufferSize 408,
 * Filled 412, EventsLost 416, EventRecordCallback 424, IsKernelTrace 432, Context 440.
 */
export const EVENT_TRACE_LOGFILEW_SIZE = 448;
export const LOGFILE_OFFSET = { loggerName: 8, processTraceMode: 28, eventsLost: 416, eventRecordCallback: 424, context: 440 } as const;
export const PROCESS_TRACE_MODE_REAL_TIME = 0x00000100;
export const PROCESS_TRACE_MODE_EVENT_RECORD = 0x10000000;

/** An EVENT_TRACE_LOGFILEW that opens a real-time session by name and delivers EVENT_RECORDs. */
export function buildTraceLogfile(options: { loggerNameAddress: bigint; callbackAddress: bigint }): Buffer {
  const b = Buffer.alloc(EVENT_TRACE_LOGFILEW_SIZE);
  b.writeBigUInt64LE(options.loggerNameAddress, LOGFILE_OFFSET.loggerName);
  b.writeUInt32LE(PROCESS_TRACE_MODE_REAL_TIME | PROCESS_TRACE_MODE_EVENT_RECORD, LOGFILE_OFFSET.processTraceMode);
  b.writeBigUInt64LE(options.callbackAddress, LOGFILE_OFFSET.eventRecordCallback);
  return b;
}

/** A NUL-terminated UTF-16LE copy of a string, for LPCWSTR arguments held by address. */
export function wideString(text: string): Buffer {
  return Buffer.from(text + "\0", "utf16le");
}
