/**
 * The service side of the SysmonTs kernel driver (driver/windows/README.md; DESIGN.md "How Sysmon
 * itself works on Windows"): opens \\.\SysmonTs, sends START and SET_CONFIG, and drains the
 * driver's ring with READ.
 *
 * A READ blocks in the driver for up to 500 ms, so it runs as a koffi async call on a worker
 * thread; its completion decodes the whole buffer (one callback per READ, not per record) into a
 * bounded queue that the engine drains on its timer. Two handles are opened: the READ handle is
 * busy for up to 500 ms at a time, and a synchronous handle serialises its I/O, so START,
 * SET_CONFIG and BLOCK_DECISION go through a second handle and are never held behind a READ.
 */
import { SysmonTsError } from "../../base";
import type { RawRecord, Sensor, SensorCounters } from "../records";
import { type DriverDeviceApi, type NativeBlock, IO_STATUS_BLOCK_SIZE, STATUS_REVISION_MISMATCH, loadDriverDeviceApi, ntStatusText, ntSuccess } from "./driver-device";
import { DriverRecordQueue, type DriverStatus } from "./driver-client-queue";
import { type WindowsPathContext, recordTypeMask } from "./driver-record-map";
import { CONFIG_FLAGS, DRIVER_IOCTLS, DRIVER_PROTOCOL_VERSION, ioctlCode } from "./driver-records";
import { ProcessModules } from "./process-modules";

export const DRIVER_DEVICE_PATH = "\\\\.\\SysmonTs";

function ioctl(symbol: (typeof DRIVER_IOCTLS)[number]["symbol"]): number {
  const entry = DRIVER_IOCTLS.find((i) => i.symbol === symbol);
  if (!entry) throw new SysmonTsError("SYSMONTS_E_INTERNAL", `no IOCTL ${symbol}`);
  return ioctlCode(entry.functionCode, entry.method);
}

const IOCTL_START = ioctl("START");
const IOCTL_READ = ioctl("READ");
const IOCTL_SET_CONFIG = ioctl("SET_CONFIG");
const IOCTL_BLOCK_DECISION = ioctl("BLOCK_DECISION");
/** ERROR_FILE_NOT_FOUND: no device of that name, i.e. the driver is not loaded. */
const ERROR_FILE_NOT_FOUND = 2;
const ERROR_ACCESS_DENIED = 5;
/** A failing READ is retried after this long; this many failures in a row stop the reader. */
const READ_RETRY_MS = 1000;
const READ_FAILURES_MAX = 10;

export interface DriverClientOptions {
  /** Records caused by this process are not queued by the driver. Default: this process. */
  readonly servicePid?: number;
  /** Sysmon event IDs the configuration can include; decides SET_CONFIG's record types. */
  readonly enabledEvents?: ReadonlySet<number>;
  /** How long the driver holds a file operation for a block decision (27/28) or an archive copy (23). Default 1000 ms. */
  readonly blockTimeoutMs?: number;
  /**
   * The service archives included deletions (it has an ArchiveDirectory stage): whenever event 23
   * can be included, SET_CONFIG asks the driver to hold each deletion until the copy is answered.
   */
  readonly archiveDeletes?: boolean;
  /** Bytes per READ. Default 1 MiB (the ring is 4 MiB; records are at most 64 KiB). */
  readonly readBufferBytes?: number;
  /** Records held until the next drain; beyond this they are dropped and counted. Default 65536. */
  readonly maxQueue?: number;
  /** Native-path translation; default: QueryDosDeviceW and %SystemRoot%. */
  readonly paths?: WindowsPathContext;
  readonly log?: (level: "info" | "warn", message: string) => void;
  /** For tests under Wine; defaults to kernel32/ntdll. */
  readonly api?: DriverDeviceApi;
  /** Module maps for CallTrace (10) and StartModule/StartFunction (8); default: read through kernel32. */
  readonly modules?: ProcessModules;
}

export type { DriverStatus } from "./driver-client-queue";
export type DriverClientState = "reading" | "read-failed" | "closing" | "closed";

export interface DriverClientCounters extends SensorCounters {
  /** READ calls completed, and how many returned an error. */
  readonly reads: number;
  readonly readErrors: number;
  /** Records the driver dropped (RECORDS_LOST) and records dropped here because the queue was full. */
  readonly lostInDriver: number;
  readonly droppedQueueFull: number;
  /** BLOCK_DECISION IOCTLs sent, and how many the driver refused (e.g. the request had timed out). */
  readonly blockDecisions: number;
  readonly blockDecisionErrors: number;
}

/**
 * A Sensor fed by the SysmonTs driver. `DriverClient.open()` throws SYSMONTS_E_DRIVER_UNAVAILABLE
 * when the device does not exist, so the service can fall back to ETW alone.
 */
export class DriverClient implements Sensor, Disposable {
  private readonly api: DriverDeviceApi;
  private readonly queue: DriverRecordQueue;
  private readonly log: NonNullable<DriverClientOptions["log"]>;
  private readonly paths: WindowsPathContext;
  private readonly blockTimeoutMs: number;
  private readonly archiveDeletes: boolean;
  private readHandle = 0;
  private controlHandle = 0;
  private readBuffer: NativeBlock | undefined;
  private readStatus: NativeBlock | undefined;
  private reading = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private stateValue: DriverClientState = "reading";
  private consecutiveReadFailures = 0;
  private lastReadStatus = 0;
  private readonly count = { reads: 0, readErrors: 0, blockDecisions: 0, blockDecisionErrors: 0 };

  private constructor(options: DriverClientOptions, api: DriverDeviceApi) {
    this.api = api;
    this.log = options.log ?? (() => undefined);
    this.blockTimeoutMs = options.blockTimeoutMs ?? 1000;
    this.archiveDeletes = options.archiveDeletes ?? false;
    this.paths = options.paths ?? { devices: api.dosDevices(), systemRoot: process.env["SystemRoot"] ?? "C:\\Windows" };
    this.queue = new DriverRecordQueue(
      { paths: this.paths, answerBlock: (requestId, block) => this.answerBlock(requestId, block), modules: options.modules ?? new ProcessModules() },
      options.maxQueue,
    );
  }

  /**
   * Opens the device, sends START (protocol version, service pid) and SET_CONFIG, and starts
   * reading. Throws SYSMONTS_E_DRIVER_UNAVAILABLE when the device cannot be opened and
   * SYSMONTS_E_SENSOR when the driver refuses START or SET_CONFIG.
   */
  static open(options: DriverClientOptions = {}): DriverClient {
    const api = options.api ?? loadDriverDeviceApi();
    const client = new DriverClient(options, api);
    try {
      client.controlHandle = client.openHandle();
      client.readHandle = client.openHandle();
      client.sendControl("START", IOCTL_START, startRequest(options.servicePid ?? process.pid));
      client.setEnabledEvents(options.enabledEvents ?? new Set([1, 5]));
      const bytes = Math.max(64 * 1024, options.readBufferBytes ?? 1024 * 1024);
      client.readBuffer = api.allocate(bytes);
      client.readStatus = api.allocate(IO_STATUS_BLOCK_SIZE);
      client.issueRead();
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  }

  private openHandle(): number {
    const opened = this.api.open(DRIVER_DEVICE_PATH);
    if ("handle" in opened) return opened.handle;
    const why = opened.error === ERROR_FILE_NOT_FOUND ? "the SysmonTs driver is not loaded" : opened.error === ERROR_ACCESS_DENIED ? "access denied (the service must run as SYSTEM or an administrator)" : `Win32 error ${opened.error}`;
    throw new SysmonTsError("SYSMONTS_E_DRIVER_UNAVAILABLE", `cannot open ${DRIVER_DEVICE_PATH}: ${why}`, { details: { device: DRIVER_DEVICE_PATH, win32Error: opened.error } });
  }

  private sendControl(what: string, code: number, input: Buffer): void {
    const status = this.api.control(this.controlHandle, code, input);
    if (ntSuccess(status)) return;
    const why = status === STATUS_REVISION_MISMATCH ? `the driver does not speak protocol version ${DRIVER_PROTOCOL_VERSION}` : `NTSTATUS ${ntStatusText(status)}`;
    throw new SysmonTsError("SYSMONTS_E_SENSOR", `IOCTL_SYSMONTS_${what} failed: ${why}`, { details: { ioctl: what, ntStatus: status } });
  }

  /**
   * SET_CONFIG with the record types the events need; BLOCK_REQUEST only when 27 or 28 can be
   * included, and deletions held only when archiving is on and 23 can be included, so the driver's
   * hot path never waits otherwise.
   */
  setEnabledEvents(eventIds: ReadonlySet<number>): void {
    if (this.controlHandle === 0) return;
    const flags = configFlagsFor(eventIds, { archiveDeletes: this.archiveDeletes });
    this.sendControl("SET_CONFIG", IOCTL_SET_CONFIG, configRequest(recordTypeMask(eventIds), { blockTimeoutMs: this.blockTimeoutMs, flags }));
  }

  /** Sends IOCTL_SYSMONTS_BLOCK_DECISION; false when the driver no longer holds the request. */
  answerBlock(requestId: bigint, block: boolean): boolean {
    if (this.controlHandle === 0) return false;
    this.count.blockDecisions++;
    const status = this.api.control(this.controlHandle, IOCTL_BLOCK_DECISION, blockDecisionRequest(requestId, block));
    if (ntSuccess(status)) return true;
    this.count.blockDecisionErrors++;
    return false;
  }

  private issueRead(): void {
    const buffer = this.readBuffer;
    const ioStatus = this.readStatus;
    if (this.stateValue !== "reading" || !buffer || !ioStatus) return;
    this.reading = true;
    this.api.readAsync(this.readHandle, IOCTL_READ, buffer, ioStatus, (status, bytes) => this.onReadDone(status, bytes));
  }

  private onReadDone(status: number, bytes: number): void {
    this.reading = false;
    this.count.reads++;
    if (this.stateValue !== "reading") {
      this.finishClose();
      return;
    }
    if (!ntSuccess(status)) {
      this.count.readErrors++;
      this.lastReadStatus = status;
      if (++this.consecutiveReadFailures >= READ_FAILURES_MAX) {
        this.stateValue = "read-failed";
        this.log("warn", `IOCTL_SYSMONTS_READ failed ${READ_FAILURES_MAX} times in a row (last NTSTATUS ${ntStatusText(status)}); driver records stop`);
        return;
      }
      this.retryTimer = setTimeout(() => this.issueRead(), READ_RETRY_MS);
      return;
    }
    this.consecutiveReadFailures = 0;
    if (bytes > 0 && this.readBuffer) this.acceptBuffer(this.readBuffer.bytes, bytes);
    this.issueRead();
  }

  /** Decodes one READ buffer into the queue (what each completed READ does). */
  acceptBuffer(bytes: Buffer, length: number): void {
    this.queue.accept(bytes, length);
  }

  drain(onRecord: (record: RawRecord) => void): number {
    return this.queue.drain(onRecord);
  }

  counters(): DriverClientCounters {
    const q = this.queue.counters();
    return { ...q, ...this.count, lostRingBuffer: q.lostInDriver + q.droppedQueueFull };
  }

  /** What the driver registered (DRIVER_STATUS, sent after START), once read. */
  get driverStatus(): DriverStatus | undefined {
    return this.queue.driverStatus;
  }

  get state(): DriverClientState {
    return this.stateValue;
  }

  /** NTSTATUS of the last failed READ, 0 when none failed. */
  get lastReadError(): number {
    return this.lastReadStatus;
  }

  /**
   * Closes the control handle at once and the READ handle when the READ in flight returns (at
   * most 500 ms later): the worker thread is inside the driver with that handle and buffer.
   */
  close(): void {
    if (this.stateValue === "closed" || this.stateValue === "closing") return;
    this.stateValue = "closing";
    clearTimeout(this.retryTimer);
    this.queue.discard();
    if (this.controlHandle !== 0) this.api.close(this.controlHandle);
    this.controlHandle = 0;
    if (!this.reading) this.finishClose();
  }

  private finishClose(): void {
    if (this.readHandle !== 0) this.api.close(this.readHandle);
    this.readHandle = 0;
    this.readBuffer?.release();
    this.readStatus?.release();
    this.readBuffer = undefined;
    this.readStatus = undefined;
    this.stateValue = "closed";
  }

  /** True once no handle, native buffer or READ in flight remains. */
  get released(): boolean {
    return this.stateValue === "closed" && this.readHandle === 0 && this.controlHandle === 0 && !this.reading && this.readBuffer === undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** SYSMONTS_START_REQUEST: {u32 protocolVersion, u32 servicePid} (sysmonts_records.h). */
export function startRequest(servicePid: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(DRIVER_PROTOCOL_VERSION, 0);
  b.writeUInt32LE(servicePid >>> 0, 4);
  return b;
}

/** SYSMONTS_CONFIG_REQUEST.flags: deletions are held only when they will be archived (23 includable). */
export function configFlagsFor(eventIds: ReadonlySet<number>, options: { readonly archiveDeletes: boolean }): number {
  return options.archiveDeletes && eventIds.has(23) ? CONFIG_FLAGS.HOLD_DELETES : 0;
}

/** SYSMONTS_CONFIG_REQUEST: {u32 protocolVersion, u32 enabledRecordTypes, u32 blockTimeoutMs, u32 flags (CONFIG_FLAGS)}. */
export function configRequest(enabledRecordTypes: number, options: { readonly blockTimeoutMs: number; readonly flags?: number }): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(DRIVER_PROTOCOL_VERSION, 0);
  b.writeUInt32LE(enabledRecordTypes >>> 0, 4);
  b.writeUInt32LE(options.blockTimeoutMs >>> 0, 8);
  b.writeUInt32LE((options.flags ?? 0) >>> 0, 12);
  return b;
}

/** SYSMONTS_BLOCK_DECISION_REQUEST: {u64 requestId, u32 block, u32 reserved}. */
export function blockDecisionRequest(requestId: bigint, block: boolean): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64LE(requestId, 0);
  b.writeUInt32LE(block ? 1 : 0, 8);
  return b;
}
