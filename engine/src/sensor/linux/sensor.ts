/**
 * The Linux sensor: loads driver/linux's eBPF object through libbpf, attaches its tracepoint
 * programs, and drains the ring buffer by mmap into RawRecords (shared/notes/linux-ebpf.md §9).
 * Owns every kernel resource it creates and releases them all in close(), in reverse order.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { SysmonTsError } from "../../base";
import type { ProcessExecRecord, RawRecord, Sensor, SensorCounters, TamperingRecord } from "../records";
import { measureBootToWallMs } from "./clock";
import { decodeRecord, type DecodeClock } from "./decode";
import { TcpDnsReassembler } from "./tcp-dns-stream";
import { enabledKindFlags, ON_DEMAND_PROGRAMS, SENSOR_EVENT_IDS } from "./enabled-kinds";
import { CONFIG_LAYOUT, KERNEL_COUNTER, KERNEL_COUNTER_COUNT } from "./layout";
import { nativeCalls, routeLibbpfLog, viewNative, type LibbpfLogLevel, type NativeCalls, type NativePointer } from "./libbpf";
import { MappedRingBuffer, type RecordVisitor } from "./ringbuf";

export type SensorLogLevel = "error" | "warn" | "info" | "debug";

export interface LinuxSensorOptions {
  /** The compiled eBPF object; default: driver/linux/build/sysmonts.bpf.o next to the engine. */
  readonly objectPath?: string;
  /** The engine's own pid, whose activity is never reported; default: this process. */
  readonly selfPid?: number;
  /** Ring buffer data size: a power of two, at least one page; default 8 MiB. */
  readonly ringBufferBytes?: number;
  /** Sysmon event IDs to produce; default: every one this sensor supports. */
  readonly enabledEvents?: ReadonlySet<number>;
  readonly log?: (level: SensorLogLevel, message: string) => void;
}

const DEFAULT_RING_BUFFER_BYTES = 8 * 1024 * 1024;
const BTF_PATH = "/sys/kernel/btf/vmlinux";
const TRACEFS_CANDIDATES = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];
/** FMODE_CREATED, include/linux/fs.h (bit 20 since 4.19). */
const FMODE_CREATED = 0x100000;
const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;
/** libbpf log lines kept to explain a failed load (the verifier log's tail is what matters). */
const LOG_LINES_KEPT = 40;

function defaultObjectPath(): string {
  const fromEnvironment = process.env["SYSMONTS_BPF_OBJECT"];
  if (fromEnvironment) return fromEnvironment;
  const candidates = [
    // the bundle: dist/sysmonts.cjs
    path.resolve(__dirname, "../driver/linux/build/sysmonts.bpf.o"),
    // the sources: engine/src/sensor/linux/sensor.ts
    path.resolve(__dirname, "../../../../driver/linux/build/sysmonts.bpf.o"),
    "/usr/lib/sysmonts/sysmonts.bpf.o",
  ];
  return candidates.find((candidate) => existsSync(candidate)) ?? candidates[1]!;
}

function sensorError(message: string, details: Record<string, unknown> = {}): SysmonTsError {
  return new SysmonTsError("SYSMONTS_E_SENSOR", message, { details });
}

/** What the process lacks to load BPF programs, or null when it has it (CapEff of /proc/self/status). */
function missingPrivilege(calls: NativeCalls): string | null {
  if (calls.geteuid() === 0) return null;
  const status = readFileSync("/proc/self/status", "utf8");
  const match = /^CapEff:\s*([0-9a-f]+)/m.exec(status);
  const effective = match?.[1] === undefined ? 0n : BigInt(`0x${match[1]}`);
  const has = (cap: bigint): boolean => ((effective >> cap) & 1n) === 1n;
  if (has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON))) return null;
  return "root privileges (or CAP_BPF and CAP_PERFMON)";
}

/** libbpf attaches tracepoints through tracefs; mount it where libbpf looks when nobody has. */
function ensureTracefs(calls: NativeCalls, log: (level: SensorLogLevel, message: string) => void): void {
  if (TRACEFS_CANDIDATES.some((dir) => existsSync(path.join(dir, "events")))) return;
  const target = TRACEFS_CANDIDATES[0]!;
  if (calls.mount("tracefs", target, "tracefs") !== 0) {
    throw sensorError(`tracefs is not mounted and mounting it on ${target} failed: ${calls.strerror(calls.errno())}`, { missing: "tracefs" });
  }
  log("info", `mounted tracefs on ${target}`);
}

class LinuxSensor implements Sensor, Disposable {
  readonly #calls: NativeCalls;
  #object: NativePointer | null;
  #links: NativePointer[];
  /** Programs of ON_DEMAND_PROGRAMS, with their link while attached. */
  readonly #onDemand: { readonly program: NativePointer; readonly name: string; readonly kind: number; link: NativePointer | null }[];
  #ring: MappedRingBuffer | null;
  readonly #counterMap: NativePointer;
  readonly #enabledMap: NativePointer;
  readonly #clock: DecodeClock;
  readonly #counterValue: Uint8Array;
  #malformed = 0;
  readonly #tcpDns = new TcpDnsReassembler();
  #onRecord: (record: RawRecord) => void = () => {};
  readonly #visit: RecordVisitor;

  constructor(parts: {
    calls: NativeCalls;
    object: NativePointer;
    links: NativePointer[];
    onDemand: { program: NativePointer; name: string; kind: number }[];
    ring: MappedRingBuffer;
    counterMap: NativePointer;
    enabledMap: NativePointer;
    clock: DecodeClock;
  }) {
    this.#calls = parts.calls;
    this.#object = parts.object;
    this.#links = parts.links;
    this.#onDemand = parts.onDemand.map((p) => ({ ...p, link: null }));
    this.#ring = parts.ring;
    this.#counterMap = parts.counterMap;
    this.#enabledMap = parts.enabledMap;
    this.#clock = parts.clock;
    this.#counterValue = new Uint8Array(8 * Math.max(1, parts.calls.numPossibleCpus()));
    // One visitor for the sensor's life: no closure per drain, none per record.
    this.#visit = (data, offset, length) => {
      const record = decodeRecord(data, offset, length, this.#clock);
      if (record === null) this.#malformed += 1;
      else if (record.kind === "tcp-dns-segment") this.#tcpDns.push(record, this.#onRecord);
      else {
        this.#onRecord(record);
        if (record.kind === "exec" && record.imageUnlinked === true) this.#onRecord(tamperingOf(record));
      }
    };
  }

  drain(onRecord: (record: RawRecord) => void): number {
    if (this.#ring === null) return 0;
    this.#onRecord = onRecord;
    return this.#ring.reader.drain(this.#visit);
  }

  counters(): SensorCounters {
    return {
      produced: this.#kernelCounter(KERNEL_COUNTER.produced),
      lostRingBuffer: this.#kernelCounter(KERNEL_COUNTER.lostRingBuffer),
      // DNS-over-TCP segments that could not be framed into messages count as undecodable too.
      malformed: this.#malformed + this.#tcpDns.dropped,
    };
  }

  setEnabledEvents(eventIds: ReadonlySet<number>): void {
    if (this.#object === null) throw sensorError("the sensor is closed");
    const flags = writeEnabledKinds(this.#calls, this.#enabledMap, eventIds);
    this.#attachOnDemand(flags);
  }

  /** How many programs are attached now (the on-demand ones only while their kind is on). */
  get attachedPrograms(): number {
    return this.#links.length + this.#onDemand.filter((p) => p.link !== null).length;
  }

  #attachOnDemand(flags: Uint32Array): void {
    for (const entry of this.#onDemand) {
      const wanted = flags[entry.kind] === 1;
      if (wanted && entry.link === null) {
        entry.link = this.#calls.programAttach(entry.program);
        if (entry.link === null) throw sensorError(`could not attach ${entry.name}: ${this.#calls.strerror(this.#calls.errno())}`);
      } else if (!wanted && entry.link !== null) {
        this.#calls.linkDestroy(entry.link);
        entry.link = null;
      }
    }
  }

  close(): void {
    if (this.#object === null) return;
    this.#ring?.close();
    this.#ring = null;
    for (const link of this.#links.reverse()) this.#calls.linkDestroy(link);
    this.#links = [];
    for (const entry of this.#onDemand) {
      if (entry.link !== null) this.#calls.linkDestroy(entry.link);
      entry.link = null;
    }
    this.#calls.objectClose(this.#object);
    this.#object = null;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Sum over CPUs of a per-CPU counter; 0 once closed. */
  #kernelCounter(index: number): number {
    if (this.#object === null || index >= KERNEL_COUNTER_COUNT) return 0;
    const key = new Uint8Array(new Uint32Array([index]).buffer);
    if (this.#calls.mapLookup(this.#counterMap, key, this.#counterValue) !== 0) return 0;
    const view = new DataView(this.#counterValue.buffer);
    let total = 0;
    for (let at = 0; at < this.#counterValue.length; at += 8) total += Number(view.getBigUint64(at, true));
    return total;
  }
}

function writeEnabledKinds(calls: NativeCalls, map: NativePointer, eventIds: ReadonlySet<number>): Uint32Array {
  const flags = enabledKindFlags(eventIds);
  const key = new Uint32Array(1);
  const value = new Uint32Array(1);
  for (let kind = 0; kind < flags.length; kind++) {
    key[0] = kind;
    value[0] = flags[kind] ?? 0;
    if (calls.mapUpdate(map, new Uint8Array(key.buffer), new Uint8Array(value.buffer)) !== 0) {
      throw sensorError(`could not update the enabled_kinds map: ${calls.strerror(calls.errno())}`);
    }
  }
  return flags;
}

function findMap(calls: NativeCalls, object: NativePointer, name: string): NativePointer {
  const map = calls.objectFindMap(object, name);
  if (map === null) throw sensorError(`the eBPF object has no map named ${name}; rebuild driver/linux`);
  return map;
}

function findRodata(calls: NativeCalls, object: NativePointer): NativePointer {
  for (let map = calls.objectNextMap(object, null); map !== null; map = calls.objectNextMap(object, map)) {
    if (calls.mapName(map).endsWith(".rodata")) return map;
  }
  throw sensorError("the eBPF object has no .rodata section for its configuration; rebuild driver/linux");
}

function writeConfig(calls: NativeCalls, object: NativePointer, settings: { selfPid: number; bootToWallMs: number }): void {
  const rodata = findRodata(calls, object);
  const size: [bigint] = [0n];
  const address = calls.mapInitialValue(rodata, size);
  if (address === null || Number(size[0]) < CONFIG_LAYOUT.fixedSize) {
    throw sensorError("the eBPF object's .rodata is smaller than its configuration; rebuild driver/linux");
  }
  const config = new DataView(viewNative(address, CONFIG_LAYOUT.fixedSize));
  config.setUint32(CONFIG_LAYOUT.fieldOffset["self_tgid"]!, settings.selfPid, true);
  config.setUint32(CONFIG_LAYOUT.fieldOffset["fmode_created"]!, FMODE_CREATED, true);
  config.setBigUint64(CONFIG_LAYOUT.fieldOffset["boot_to_wall_ns"]!, BigInt(Math.round(settings.bootToWallMs * 1e6)), true);
}

function validateRingBytes(bytes: number, pageSize: number): void {
  if (!Number.isInteger(bytes) || bytes < pageSize || (bytes & (bytes - 1)) !== 0 || bytes > 2 ** 30) {
    throw new SysmonTsError("SYSMONTS_E_USAGE", `ringBufferBytes must be a power of two between ${pageSize} and 1 GiB, not ${bytes}`);
  }
}

/**
 * Loads and attaches the eBPF sensor. Throws SysmonTsError SYSMONTS_E_SENSOR naming exactly what
 * is missing: privileges, kernel BTF, tracefs, libbpf, the object file, or what the kernel
 * refused (with libbpf's log, including the verifier's, in `details.log`).
 *
 * @example
 * using sensor = openLinuxSensor({ enabledEvents: new Set([1, 3, 11]) });
 * setInterval(() => sensor.drain((record) => enrich(record)), 20);
 */
export function openLinuxSensor(options: LinuxSensorOptions = {}): Sensor & Disposable {
  const log = options.log ?? (() => {});
  if (process.platform !== "linux") throw sensorError(`the eBPF sensor needs Linux, not ${process.platform}`, { missing: "linux" });
  let calls: NativeCalls;
  try {
    calls = nativeCalls();
  } catch (error) {
    throw new SysmonTsError("SYSMONTS_E_SENSOR", "libbpf.so.1 could not be loaded (install the libbpf1 package)", {
      details: { missing: "libbpf.so.1" },
      cause: error,
    });
  }
  const privilege = missingPrivilege(calls);
  if (privilege !== null) throw sensorError(`loading the eBPF sensor needs ${privilege}`, { missing: privilege });
  if (!existsSync(BTF_PATH)) throw sensorError(`the kernel has no BTF (${BTF_PATH} is missing; CONFIG_DEBUG_INFO_BTF)`, { missing: BTF_PATH });
  const objectPath = options.objectPath ?? defaultObjectPath();
  if (!existsSync(objectPath)) {
    throw sensorError(`the eBPF object ${objectPath} does not exist (build it with make -C driver/linux)`, { missing: objectPath });
  }
  const ringBytes = options.ringBufferBytes ?? DEFAULT_RING_BUFFER_BYTES;
  validateRingBytes(ringBytes, calls.pageSize());
  ensureTracefs(calls, log);

  const recentLog: string[] = [];
  routeLibbpfLog((level: LibbpfLogLevel, message: string) => {
    recentLog.push(message);
    if (recentLog.length > LOG_LINES_KEPT) recentLog.shift();
    log(level, `libbpf: ${message}`);
  });
  const failure = (message: string): SysmonTsError => sensorError(message, { log: recentLog.join("\n") });

  const object = calls.objectOpenFile(objectPath);
  if (object === null) throw failure(`libbpf could not open ${objectPath}: ${calls.strerror(calls.errno())}`);
  const links: NativePointer[] = [];
  let ring: MappedRingBuffer | null = null;
  let sensor: LinuxSensor;
  try {
    const events = findMap(calls, object, "events");
    if (calls.mapSetMaxEntries(events, ringBytes) !== 0) throw failure(`could not size the ring buffer to ${ringBytes} bytes`);
    // Measured before load: the kernel needs it too (file-time records, layout.ts CONFIG_FIELDS).
    const bootToWallMs = measureBootToWallMs(calls);
    if (bootToWallMs === null) throw failure("clock_gettime(CLOCK_BOOTTIME) failed");
    writeConfig(calls, object, { selfPid: options.selfPid ?? process.pid, bootToWallMs });
    const loaded = calls.objectLoad(object);
    if (loaded !== 0) {
      const reason = calls.strerror(-loaded);
      const hint = -loaded === 1 ? " (EPERM: the kernel refused BPF; check lockdown, capabilities and seccomp)" : "";
      throw failure(`the kernel refused to load the eBPF sensor: ${reason}${hint}\n${recentLog.slice(-8).join("\n")}`);
    }
    const enabledMap = findMap(calls, object, "enabled_kinds");
    const onDemand: { program: NativePointer; name: string; kind: number }[] = [];
    for (let program = calls.objectNextProgram(object, null); program !== null; program = calls.objectNextProgram(object, program)) {
      const name = calls.programName(program);
      const kind = ON_DEMAND_PROGRAMS.get(name);
      if (kind !== undefined) {
        onDemand.push({ program, name, kind });
        continue;
      }
      const link = calls.programAttach(program);
      if (link === null) throw failure(`could not attach ${name}: ${calls.strerror(calls.errno())}`);
      links.push(link);
    }
    const mapped = MappedRingBuffer.map(calls, calls.mapFd(events), ringBytes);
    if ("error" in mapped) throw failure(mapped.error);
    ring = mapped;
    sensor = new LinuxSensor({ calls, object, links, onDemand, ring, counterMap: findMap(calls, object, "counters"), enabledMap, clock: { bootToWallMs } });
  } catch (error) {
    ring?.close();
    for (const link of links.reverse()) calls.linkDestroy(link);
    calls.objectClose(object);
    throw error;
  }
  try {
    sensor.setEnabledEvents(options.enabledEvents ?? new Set(SENSOR_EVENT_IDS));
  } catch (error) {
    sensor.close();
    throw error;
  }
  log("info", `eBPF sensor attached: ${sensor.attachedPrograms} programs, ${ringBytes} byte ring buffer`);
  return sensor;
}

/**
 * Event 25 for an exec of an image with no name left in the file system. Windows Sysmon says
 * "Image is replaced" when the mapped image no longer matches its file; a memfd or deleted
 * executable is the Linux form of the same evasion, so it gets the same Type for Sigma rules.
 */
function tamperingOf(exec: ProcessExecRecord): TamperingRecord {
  return { kind: "tampering", timeMs: exec.timeMs, actor: exec.actor, process: exec.process, type: "Image is replaced" };
}
