import koffi from "koffi";
import { SysmonTsError } from "../../base";
import type { RawRecord, SensorCounters } from "../records";
import { EVENT_HEADER_USER_DATA_POINTER_OFFSET, EVENT_RECORD_SIZE, decodeEventRecordHeader } from "./etw-record";
import { buildTraceLogfile, buildTraceProperties, readTraceStatus, wideString } from "./etw-layouts";
import { decodeEtwEvent } from "./etw-providers";

const ERROR_SUCCESS = 0;
const ERROR_ALREADY_EXISTS = 183;
const ERROR_WMI_INSTANCE_NOT_FOUND = 4201;
/** CloseTrace while ProcessTrace is still delivering: the close completes when it returns. */
const ERROR_CTX_CLOSE_PENDING = 7007;
const EVENT_TRACE_CONTROL_QUERY = 0;
const EVENT_TRACE_CONTROL_STOP = 1;
const EVENT_CONTROL_CODE_ENABLE_PROVIDER = 1;
const INVALID_PROCESSTRACE_HANDLE = 0xffffffffffffffffn;
const TRACE_LEVEL_INFORMATION = 4;

/** The advapi32 ETW entry points (evntrace.h), bound once per process. */
export interface EtwApi {
  startTrace(handleOut: BigUint64Array, name: Buffer, properties: Buffer): number;
  controlTrace(name: Buffer, properties: Buffer, code: number): number;
  enableTrace(session: bigint, provider: Buffer, options: { level: number; matchAnyKeyword: bigint }): number;
  openTrace(logfile: Buffer): bigint;
  /** Runs ProcessTrace on a koffi worker thread; `done` gets its status when the session ends. */
  processTraceAsync(handle: bigint, done: (status: number) => void): void;
  closeTrace(handle: bigint): number;
  /** Registers the EVENT_RECORD callback; returns its address and a function to release it. */
  registerRecordCallback(onRecord: (record: unknown) => void): { address: bigint; release(): void };
  /** The EVENT_RECORD and its UserData as views over native memory, valid during the callback. */
  viewRecord(record: unknown): { header: Uint8Array; userData: (length: number) => Uint8Array };
}

let boundApi: EtwApi | undefined;

export function loadEtwApi(): EtwApi {
  if (boundApi) return boundApi;
  if (process.platform !== "win32") throw new SysmonTsError("SYSMONTS_E_SENSOR", "ETW sessions need Windows (advapi32)");
  const advapi32 = koffi.load("advapi32.dll");
  const StartTraceW = advapi32.func("uint32 __stdcall StartTraceW(_Out_ uint64 *handle, const void *name, void *props)");
  const ControlTraceW = advapi32.func("uint32 __stdcall ControlTraceW(uint64 handle, const void *name, void *props, uint32 code)");
  const EnableTraceEx2 = advapi32.func(
    "uint32 __stdcall EnableTraceEx2(uint64 handle, const void *provider, uint32 code, uint8 level, uint64 any, uint64 all, uint32 timeout, void *params)",
  );
  const OpenTraceW = advapi32.func("uint64 __stdcall OpenTraceW(void *logfile)");
  const ProcessTrace = advapi32.func("uint32 __stdcall ProcessTrace(uint64 *handles, uint32 count, void *start, void *end)");
  const CloseTrace = advapi32.func("uint32 __stdcall CloseTrace(uint64 handle)");
  const RecordCallback = koffi.proto("void __stdcall EventRecordCallback(void *record)");
  boundApi = {
    startTrace: (handleOut, name, properties) => StartTraceW(handleOut, name, properties) as number,
    controlTrace: (name, properties, code) => ControlTraceW(0n, name, properties, code) as number,
    enableTrace: (session, provider, o) => EnableTraceEx2(session, provider, EVENT_CONTROL_CODE_ENABLE_PROVIDER, o.level, o.matchAnyKeyword, 0n, 0, null) as number,
    openTrace: (logfile) => BigInt(OpenTraceW(logfile) as number | bigint),
    processTraceAsync: (handle, done) => {
      ProcessTrace.async(new BigUint64Array([handle]), 1, null, null, (err: unknown, status: number) => done(err ? -1 : status));
    },
    closeTrace: (handle) => CloseTrace(handle) as number,
    registerRecordCallback: (onRecord) => {
      const registered = koffi.register(onRecord, koffi.pointer(RecordCallback));
      return { address: koffi.address(registered), release: () => koffi.unregister(registered) };
    },
    viewRecord: (record) => ({
      header: new Uint8Array(koffi.view(record, EVENT_RECORD_SIZE)),
      userData: (length) => (length === 0 ? new Uint8Array(0) : new Uint8Array(koffi.view(koffi.decode(record, EVENT_HEADER_USER_DATA_POINTER_OFFSET, "void *"), length))),
    }),
  };
  return boundApi;
}

export interface EtwProviderEnable {
  readonly guid: string;
  readonly matchAnyKeyword?: bigint;
  readonly level?: number;
}

export interface EtwSessionOptions {
  readonly providers: readonly EtwProviderEnable[];
  /** Decoded records held until the next drain; beyond this they are dropped and counted. */
  readonly maxQueue?: number;
  /** For tests under Wine or with a recorded API; defaults to advapi32. */
  readonly api?: EtwApi;
}

export type EtwSessionState = "running" | "consumer-failed" | "stopped";

function guidStruct(text: string): Buffer {
  const hex = text.replace(/[{}-]/g, "");
  const b = Buffer.alloc(16);
  b.writeUInt32LE(parseInt(hex.slice(0, 8), 16), 0);
  b.writeUInt16LE(parseInt(hex.slice(8, 12), 16), 4);
  b.writeUInt16LE(parseInt(hex.slice(12, 16), 16), 6);
  Buffer.from(hex.slice(16), "hex").copy(b, 8);
  return b;
}

/**
 * Stops a session of this name if one is running, e.g. left behind by a previous run that
 * crashed (ETW sessions outlive their process). Returns whether one was found.
 */
export function stopStaleSession(name: string, api: EtwApi = loadEtwApi()): boolean {
  const wideName = wideString(name);
  const status = api.controlTrace(wideName, buildTraceProperties(), EVENT_TRACE_CONTROL_QUERY);
  if (status === ERROR_WMI_INSTANCE_NOT_FOUND) return false;
  const stop = api.controlTrace(wideName, buildTraceProperties(), EVENT_TRACE_CONTROL_STOP);
  return stop === ERROR_SUCCESS;
}

/**
 * One real-time ETW session with our own name ("SysmonTs-Network", …): started with
 * StartTraceW, providers enabled with EnableTraceEx2, consumed by ProcessTrace on a koffi
 * worker thread. koffi marshals each EVENT_RECORD callback to the JS thread, where it is
 * decoded at once (the record is only valid during the callback) into a bounded queue that
 * the service drains on its timer.
 */
export class EtwRealtimeSession implements Disposable {
  private readonly api: EtwApi;
  private readonly wideName: Buffer;
  private readonly queue: RawRecord[] = [];
  private readonly maxQueue: number;
  private sessionHandle = 0n;
  private consumerHandle = INVALID_PROCESSTRACE_HANDLE;
  private callback: { address: bigint; release(): void } | undefined;
  private logfile: Buffer | undefined;
  private produced = 0;
  private malformed = 0;
  private dropped = 0;
  private lostInKernel = 0;
  private consumerStatus: number | undefined;
  private processing = false;
  private closeStatus: number | undefined;
  private stateValue: EtwSessionState = "stopped";

  private constructor(
    readonly name: string,
    options: EtwSessionOptions,
  ) {
    this.api = options.api ?? loadEtwApi();
    this.wideName = wideString(name);
    this.maxQueue = options.maxQueue ?? 65536;
  }

  /** Starts the session, replacing a stale one of the same name; throws SYSMONTS_E_SENSOR on failure. */
  static start(name: string, options: EtwSessionOptions): EtwRealtimeSession {
    const session = new EtwRealtimeSession(name, options);
    try {
      session.startTrace();
      for (const provider of options.providers) session.enable(provider);
      session.startConsumer();
    } catch (error) {
      session.close();
      throw error;
    }
    return session;
  }

  private startTrace(): void {
    const handleOut = new BigUint64Array(1);
    let status = this.api.startTrace(handleOut, this.wideName, buildTraceProperties());
    if (status === ERROR_ALREADY_EXISTS) {
      stopStaleSession(this.name, this.api);
      status = this.api.startTrace(handleOut, this.wideName, buildTraceProperties());
    }
    if (status !== ERROR_SUCCESS) {
      throw new SysmonTsError("SYSMONTS_E_SENSOR", `StartTraceW(${this.name}) failed with Win32 error ${status}`, { details: { session: this.name, status } });
    }
    this.sessionHandle = handleOut[0]!;
    this.stateValue = "running";
  }

  private enable(provider: EtwProviderEnable): void {
    const status = this.api.enableTrace(this.sessionHandle, guidStruct(provider.guid), {
      level: provider.level ?? TRACE_LEVEL_INFORMATION,
      matchAnyKeyword: provider.matchAnyKeyword ?? 0n,
    });
    if (status !== ERROR_SUCCESS) {
      throw new SysmonTsError("SYSMONTS_E_SENSOR", `EnableTraceEx2(${provider.guid}) on ${this.name} failed with Win32 error ${status}`, {
        details: { session: this.name, provider: provider.guid, status },
      });
    }
  }

  private startConsumer(): void {
    this.callback = this.api.registerRecordCallback((record) => this.onRecord(record));
    this.logfile = buildTraceLogfile({ loggerNameAddress: koffi.address(this.wideName), callbackAddress: this.callback.address });
    this.consumerHandle = this.api.openTrace(this.logfile);
    if (this.consumerHandle === INVALID_PROCESSTRACE_HANDLE) {
      // The session runs but nothing reads it (Wine's OpenTraceW is a stub): report, don't pretend.
      this.stateValue = "consumer-failed";
      return;
    }
    this.processing = true;
    this.api.processTraceAsync(this.consumerHandle, (status) => {
      this.processing = false;
      this.consumerStatus = status;
      if (this.stateValue === "running") this.stateValue = "consumer-failed";
      else this.releaseCallback();
    });
  }

  private onRecord(record: unknown): void {
    this.produced++;
    try {
      const view = this.api.viewRecord(record);
      const header = decodeEventRecordHeader(view.header);
      const decoded = decodeEtwEvent(header, view.userData(header.userDataLength));
      if (!decoded) return;
      if (this.queue.length >= this.maxQueue) this.dropped++;
      else this.queue.push(decoded);
    } catch {
      this.malformed++;
    }
  }

  get state(): EtwSessionState {
    return this.stateValue;
  }

  /** ProcessTrace's return status once it has ended (undefined while it runs). */
  get processTraceStatus(): number | undefined {
    return this.consumerStatus;
  }

  drain(onRecord: (record: RawRecord) => void): number {
    const records = this.queue.splice(0);
    for (const record of records) onRecord(record);
    return records.length;
  }

  counters(): SensorCounters {
    if (this.stateValue !== "stopped") {
      const properties = buildTraceProperties();
      if (this.api.controlTrace(this.wideName, properties, EVENT_TRACE_CONTROL_QUERY) === ERROR_SUCCESS) {
        const status = readTraceStatus(properties);
        this.lostInKernel = status.eventsLost + status.realTimeBuffersLost;
      }
    }
    return { produced: this.produced, lostRingBuffer: this.lostInKernel + this.dropped, malformed: this.malformed };
  }

  /** Stops the session and the consumer; safe to call more than once. */
  close(): void {
    if (this.consumerHandle !== INVALID_PROCESSTRACE_HANDLE) {
      this.closeStatus = this.api.closeTrace(this.consumerHandle);
      this.consumerHandle = INVALID_PROCESSTRACE_HANDLE;
    }
    if (this.sessionHandle !== 0n) {
      this.api.controlTrace(this.wideName, buildTraceProperties(), EVENT_TRACE_CONTROL_STOP);
      this.sessionHandle = 0n;
    }
    this.stateValue = "stopped";
    // The callback slot is released only once ProcessTrace can no longer call it.
    if (!this.processing) this.releaseCallback();
  }

  private releaseCallback(): void {
    this.callback?.release();
    this.callback = undefined;
  }

  /** Whether CloseTrace succeeded (ERROR_CTX_CLOSE_PENDING: it completes when ProcessTrace returns). */
  get closedCleanly(): boolean {
    return this.closeStatus === undefined || this.closeStatus === ERROR_SUCCESS || this.closeStatus === ERROR_CTX_CLOSE_PENDING;
  }

  /** True once nothing native refers to this session any more (callback released, consumer ended). */
  get released(): boolean {
    return this.stateValue === "stopped" && this.callback === undefined && !this.processing;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
