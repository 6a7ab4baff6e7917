/**
 * Decodes the eBPF sensor's binary records (layout.ts) into RawRecords. Runs once per record on
 * the drain path: field offsets are resolved once at module load, numbers are read with plain
 * Buffer reads, and everything returned is a copy, because the ring buffer's memory is reused
 * (and unmapped at close) as soon as the visitor returns.
 *
 * Text (paths, argv) is decoded as UTF-8; bytes that are not valid UTF-8 become U+FFFD.
 * Linux names are bytes, so such a name is reported readably but not byte-exactly.
 */
import type {
  BpfRecord,
  DnsRecord,
  FileCreateRecord,
  FileDeleteRecord,
  FileTimeRecord,
  ImageLoadRecord,
  NetworkRecord,
  ProcessAccessRecord,
  ProcessExecRecord,
  ProcessExitRecord,
  RawAccessRecord,
  RawRecord,
  RecordActor,
} from "../records";
import { ACCESS_OPERATION, HEADER_LAYOUT, RECORD_FLAG, RECORD_KIND, requireLayout, type RecordLayout } from "./layout";
import type { TcpDnsSegment } from "./tcp-dns-stream";

/** What decoding needs besides the bytes. */
export interface DecodeClock {
  /** Wall-clock ms at boot: CLOCK_REALTIME − CLOCK_BOOTTIME, measured once at start (clock.ts). */
  readonly bootToWallMs: number;
}

/** A field's offset, resolved once at module load; a typo fails loudly at import, not per record. */
function field(layout: RecordLayout, name: string): number {
  const offset = layout.fieldOffset[name];
  if (offset === undefined) throw new Error(`layout ${layout.name} has no field ${name}`);
  return offset;
}

const EXEC = requireLayout("exec");
const EXIT = requireLayout("exit");
const NETWORK = requireLayout("network");
const PATH_RECORD = requireLayout("file_create");
const ACCESS = requireLayout("process_access");
const BPF = requireLayout("bpf");
const DNS = requireLayout("dns");
const FILE_TIME = requireLayout("file_time");
const H = {
  kind: field(HEADER_LAYOUT, "kind"),
  flags: field(HEADER_LAYOUT, "flags"),
  pid: field(HEADER_LAYOUT, "pid"),
  tid: field(HEADER_LAYOUT, "tid"),
  uid: field(HEADER_LAYOUT, "uid"),
  timeNs: field(HEADER_LAYOUT, "time_ns"),
};
const exec = {
  parentPid: field(EXEC, "parent_pid"),
  sessionId: field(EXEC, "session_id"),
  loginUid: field(EXEC, "login_uid"),
  ttyIndex: field(EXEC, "tty_index"),
  startNs: field(EXEC, "start_ns"),
  processKey: field(EXEC, "process_key"),
  imageLen: field(EXEC, "image_len"),
  cwdLen: field(EXEC, "cwd_len"),
  argvLen: field(EXEC, "argv_len"),
};
const exit = { status: field(EXIT, "exit_status"), startNs: field(EXIT, "start_ns"), processKey: field(EXIT, "process_key") };
const network = {
  protocol: field(NETWORK, "protocol"),
  outbound: field(NETWORK, "outbound"),
  family: field(NETWORK, "family"),
  localPort: field(NETWORK, "local_port"),
  remotePort: field(NETWORK, "remote_port"),
  localAddr: field(NETWORK, "local_addr"),
  remoteAddr: field(NETWORK, "remote_addr"),
};
const pathLen = field(PATH_RECORD, "path_len");
const access = { targetPid: field(ACCESS, "target_pid"), operation: field(ACCESS, "operation") };
const bpf = {
  command: field(BPF, "command"),
  programType: field(BPF, "program_type"),
  programFd: field(BPF, "program_fd"),
  programName: field(BPF, "program_name"),
};
const fileTime = {
  newSec: field(FILE_TIME, "new_sec"),
  newNsec: field(FILE_TIME, "new_nsec"),
  previousSec: field(FILE_TIME, "previous_sec"),
  previousNsec: field(FILE_TIME, "previous_nsec"),
  pathLen: field(FILE_TIME, "path_len"),
};
const dns = {
  protocol: field(DNS, "protocol"),
  outgoing: field(DNS, "outgoing"),
  stream: field(DNS, "stream"),
  segmentLen: field(DNS, "segment_len"),
  messageLen: field(DNS, "message_len"),
};
// file_delete and raw_access are declared with the same shape as file_create; decode relies on it.
for (const name of ["file_delete", "raw_access", "image_load"]) {
  const other = requireLayout(name);
  if (other.fixedSize !== PATH_RECORD.fixedSize || other.fieldOffset["path_len"] !== pathLen) {
    throw new Error(`layout ${name} no longer matches file_create`);
  }
}

const AF_INET6 = 10;
const IPPROTO_TCP = 6;
const ACCESS_NAMES: Readonly<Record<number, string>> = {
  [ACCESS_OPERATION.ptraceAttach]: "ptrace-attach",
  [ACCESS_OPERATION.ptraceSeize]: "ptrace-seize",
  [ACCESS_OPERATION.vmReadv]: "vm-readv",
  [ACCESS_OPERATION.vmWritev]: "vm-writev",
};

/** u64 as a double: exact below 2^53 ns (104 days of uptime), and ms precision far beyond. */
function readU64Number(data: Buffer, at: number): number {
  return data.readUInt32LE(at + 4) * 4294967296 + data.readUInt32LE(at);
}

function nsToWallMs(ns: number, clock: DecodeClock): number {
  return ns / 1e6 + clock.bootToWallMs;
}

/** Dotted quad, or eight uncompressed lowercase %x groups (spec/cli-and-output.md §7). */
export function formatAddress(data: Uint8Array, at: number, ipv6: boolean): string {
  if (!ipv6) return `${data[at]}.${data[at + 1]}.${data[at + 2]}.${data[at + 3]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((data[at + i] ?? 0) << 8) | (data[at + i + 1] ?? 0)).toString(16));
  return groups.join(":");
}

/** Arguments from the NUL-separated bytes of mm->arg_start..arg_end. */
export function splitArgv(data: Buffer, start: number, end: number): string[] {
  const args: string[] = [];
  let from = start;
  for (let i = start; i < end; i++) {
    if (data[i] === 0) {
      args.push(data.toString("utf8", from, i));
      from = i + 1;
    }
  }
  if (from < end) args.push(data.toString("utf8", from, end));
  return args;
}

/** The widest time a Date holds (ECMA-262 §21.4.1.22); a file time beyond it is clamped there. */
const MAX_DATE_MS = 8.64e15;

/** A kernel (s64 seconds, u32 nanoseconds) time as epoch ms, clamped to what a Date can show. */
function epochMs(data: Buffer, secAt: number, nsecAt: number): number {
  const ms = Number(data.readBigInt64LE(secAt)) * 1000 + data.readUInt32LE(nsecAt) / 1e6;
  return Math.min(MAX_DATE_MS, Math.max(-MAX_DATE_MS, ms));
}

function cString(data: Buffer, start: number, maxLength: number): string {
  const nul = data.indexOf(0, start);
  const end = nul < 0 || nul > start + maxLength ? start + maxLength : nul;
  return data.toString("utf8", start, end);
}

/** Wait status (task->exit_code) as a shell reports it: the exit code, or 128 + the signal. */
export function exitCodeOfStatus(status: number): number {
  const signal = status & 0x7f;
  return signal === 0 ? (status >>> 8) & 0xff : 128 + signal;
}

/**
 * The RawRecord in bytes [offset, offset + length) of `data` (for DNS over TCP, a stream segment
 * that TcpDnsReassembler turns into messages), or null when the record is of an unknown kind or
 * inconsistent (its lengths point past its end); the caller counts those.
 */
export function decodeRecord(data: Buffer, offset: number, length: number, clock: DecodeClock): RawRecord | TcpDnsSegment | null {
  if (length < HEADER_LAYOUT.fixedSize) return null;
  const kind = data.readUInt16LE(offset + H.kind);
  const flags = data.readUInt16LE(offset + H.flags);
  const actor: RecordActor = {
    pid: data.readUInt32LE(offset + H.pid),
    tid: data.readUInt32LE(offset + H.tid),
    uid: data.readUInt32LE(offset + H.uid),
  };
  const timeMs = nsToWallMs(readU64Number(data, offset + H.timeNs), clock);
  const end = offset + length;

  switch (kind) {
    case RECORD_KIND.exec: {
      if (length < EXEC.fixedSize) return null;
      const imageLen = data.readUInt32LE(offset + exec.imageLen);
      const cwdLen = data.readUInt32LE(offset + exec.cwdLen);
      const argvLen = data.readUInt32LE(offset + exec.argvLen);
      const imageStart = offset + EXEC.fixedSize;
      const cwdStart = imageStart + imageLen;
      const argvStart = cwdStart + cwdLen;
      if (argvStart + argvLen > end) return null;
      const record: ProcessExecRecord = {
        kind: "exec",
        timeMs,
        actor,
        process: {
          pid: actor.pid,
          startTimeMs: nsToWallMs(readU64Number(data, offset + exec.startNs), clock),
          processKey: data.readBigUInt64LE(offset + exec.processKey),
        },
        parentPid: data.readUInt32LE(offset + exec.parentPid),
        image: data.toString("utf8", imageStart, cwdStart),
        argv: splitArgv(data, argvStart, argvStart + argvLen),
        argvTruncated: (flags & RECORD_FLAG.argvTruncated) !== 0,
        imageUnlinked: (flags & RECORD_FLAG.imageUnlinked) !== 0,
        cwd: data.toString("utf8", cwdStart, argvStart),
        sessionId: data.readUInt32LE(offset + exec.sessionId),
        ttyIndex: data.readInt32LE(offset + exec.ttyIndex),
        loginUid: data.readUInt32LE(offset + exec.loginUid),
      };
      return record;
    }
    case RECORD_KIND.exit: {
      if (length < EXIT.fixedSize) return null;
      const record: ProcessExitRecord = {
        kind: "exit",
        timeMs,
        actor,
        process: {
          pid: actor.pid,
          startTimeMs: nsToWallMs(readU64Number(data, offset + exit.startNs), clock),
          processKey: data.readBigUInt64LE(offset + exit.processKey),
        },
        exitCode: exitCodeOfStatus(data.readInt32LE(offset + exit.status)),
      };
      return record;
    }
    case RECORD_KIND.network: {
      if (length < NETWORK.fixedSize) return null;
      const ipv6 = data.readUInt16LE(offset + network.family) === AF_INET6;
      const initiated = data[offset + network.outbound] === 1;
      const localIp = formatAddress(data, offset + network.localAddr, ipv6);
      const remoteIp = formatAddress(data, offset + network.remoteAddr, ipv6);
      const localPort = data.readUInt16LE(offset + network.localPort);
      const remotePort = data.readUInt16LE(offset + network.remotePort);
      // Outbound: source = local. Inbound: source = the remote peer (spec/events.md §5.5).
      const record: NetworkRecord = {
        kind: "network",
        timeMs,
        actor,
        protocol: data[offset + network.protocol] === IPPROTO_TCP ? "tcp" : "udp",
        initiated,
        ipv6,
        sourceIp: initiated ? localIp : remoteIp,
        sourcePort: initiated ? localPort : remotePort,
        destinationIp: initiated ? remoteIp : localIp,
        destinationPort: initiated ? remotePort : localPort,
      };
      return record;
    }
    case RECORD_KIND.fileCreate:
    case RECORD_KIND.fileDelete:
    case RECORD_KIND.rawAccess:
    case RECORD_KIND.imageLoad: {
      if (length < PATH_RECORD.fixedSize) return null;
      const start = offset + PATH_RECORD.fixedSize;
      const stop = start + data.readUInt32LE(offset + pathLen);
      if (stop > end) return null;
      const path = data.toString("utf8", start, stop);
      if (kind === RECORD_KIND.fileCreate) return { kind: "file-create", timeMs, actor, path } satisfies FileCreateRecord;
      if (kind === RECORD_KIND.rawAccess) return { kind: "raw-access", timeMs, actor, device: path } satisfies RawAccessRecord;
      if (kind === RECORD_KIND.imageLoad) return { kind: "image-load", timeMs, actor, path } satisfies ImageLoadRecord;
      const record: FileDeleteRecord = { kind: "file-delete", timeMs, actor, path, directory: (flags & RECORD_FLAG.directory) !== 0 };
      return record;
    }
    case RECORD_KIND.fileTime: {
      if (length < FILE_TIME.fixedSize) return null;
      const start = offset + FILE_TIME.fixedSize;
      const stop = start + data.readUInt32LE(offset + fileTime.pathLen);
      if (stop > end) return null;
      const record: FileTimeRecord = {
        kind: "file-time",
        timeMs,
        actor,
        path: data.toString("utf8", start, stop),
        newTimeMs: epochMs(data, offset + fileTime.newSec, offset + fileTime.newNsec),
        previousTimeMs:
          (flags & RECORD_FLAG.previousTimeUnknown) !== 0 ? null : epochMs(data, offset + fileTime.previousSec, offset + fileTime.previousNsec),
      };
      return record;
    }
    case RECORD_KIND.processAccess: {
      if (length < ACCESS.fixedSize) return null;
      const record: ProcessAccessRecord = {
        kind: "process-access",
        timeMs,
        actor,
        targetPid: data.readUInt32LE(offset + access.targetPid),
        operation: ACCESS_NAMES[data.readUInt32LE(offset + access.operation)] ?? "unknown",
        grantedAccess: 0,
      };
      return record;
    }
    case RECORD_KIND.bpf: {
      if (length < BPF.fixedSize) return null;
      const record: BpfRecord = {
        kind: "bpf",
        timeMs,
        actor,
        command: data.readUInt32LE(offset + bpf.command),
        programType: data.readUInt32LE(offset + bpf.programType),
        programFd: data.readInt32LE(offset + bpf.programFd),
        programName: cString(data, offset + bpf.programName, 16),
      };
      return record;
    }
    case RECORD_KIND.dns: {
      if (length < DNS.fixedSize) return null;
      const start = offset + DNS.fixedSize;
      const messageLength = data.readUInt32LE(offset + dns.messageLen);
      if (start + messageLength > end) return null;
      const message = new Uint8Array(messageLength);
      message.set(data.subarray(start, start + messageLength));
      const outgoing = data[offset + dns.outgoing] === 1;
      if (data[offset + dns.protocol] === IPPROTO_TCP) {
        const segment: TcpDnsSegment = {
          kind: "tcp-dns-segment",
          timeMs,
          actor,
          outgoing,
          stream: data.readUInt32LE(offset + dns.stream),
          segmentLength: data.readUInt32LE(offset + dns.segmentLen),
          bytes: message,
        };
        return segment;
      }
      const record: DnsRecord = { kind: "dns", timeMs, actor, transport: "udp", outgoing, message };
      return record;
    }
    default:
      return null;
  }
}
