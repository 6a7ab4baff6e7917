/**
 * Turns raw sensor records into Sysmon events (spec/events.md §4 and §5): the process cache
 * supplies ProcessGuid, Image, User and the Parent* fields, the file hasher the Hashes, the
 * user directory names and login times, the DNS tracker event 22.
 *
 * Hot path: every field index is resolved once at module load, values are filled into one
 * array per event, and the only system calls are a stat() per hashed image (cache check),
 * the passwd/utmp stat at most once per second, and /proc reads on cache misses (rare once
 * the cache is seeded, and remembered for a second when the process is gone).
 *
 * Deviations from Sysmon for Linux, on purpose:
 * - The cache is seeded from /proc at start, so processes older than the monitor have
 *   Image, CommandLine and parents (spec/cli-and-output.md §8 says Sysmon does not).
 * - A parent missing from the cache is read from /proc if the process found there started
 *   no later than the child (so a reused PID is never taken for the parent).
 * - User for root is "root" in events 5, 9, 11 and 23, where Sysmon for Linux prints "-"
 *   because its kernel program omits uid 0 (spec/events.md §5.2). That "-" is a bug that
 *   loses information and no parser depends on it; a correct name is more useful.
 * - Only one event 5 per process: the sensor reports process exits, not thread exits.
 */
import { eventDef, formatUtcTime, type SysmonEvent } from "../schema";
import {
  ownerUidOf,
  readBootTimeMs,
  readClockTicksPerSecond,
  readMachineId,
  readProcess,
  listPids,
  threadGroupOf,
  type ProcSnapshot,
  type RawRecord,
  type ProcessExecRecord,
  type NetworkRecord,
  type FileBlockRecord,
  type RegistryRecord,
  type RemoteThreadRecord,
  type WindowsDetails,
} from "../sensor";
import { bpfCommandName, bpfProgramTypeName, BPF_PROG_LOAD } from "./bpf-names";
import { DnsTracker, type DnsOutcome, type DnsTrackerStats } from "./dns";
import { ZERO_GUID, logonGuidText, processGuidText } from "./guid";
import { FileHasher, type FileHasherStats } from "./hashes";
import { ProcessCache, type ProcessCacheStats, type ProcessEntry, type ProcessFacts } from "./process-cache";
import { UserDirectory } from "./users";
import { logonIdText, windowsLogonGuidText } from "./windows-fields";
import { wmiSubscriptionEvents } from "./wmi-events";
import { type ClipboardTexts } from "./archiver";
import { windowsAlgorithms, windowsHashesText } from "./archive-names";
import type { HashAlgorithm } from "../config";

export interface EnricherOptions {
  /** HashAlgorithms of the config (SHA1, MD5, SHA256, `*`; IMPHASH is ignored on Linux). */
  readonly hashAlgorithms: readonly string[];
  /** Data1 of every GUID; default: the first 8 hex characters of /etc/machine-id. */
  readonly machineId?: number;
  readonly procRoot?: string;
  /** The monitor's own PID: its records are dropped, as every Sysmon probe does (spec/events.md §5.10). */
  readonly selfPid?: number;
  readonly passwdPath?: string;
  readonly utmpPath?: string;
  /** How long a DNS query waits for its response. Default 5000 ms. */
  readonly dnsTimeoutMs?: number;
  /** Images larger than this are not hashed. Default 256 MiB. */
  readonly maxHashFileBytes?: number;
  /** Where unexpected conditions are reported; default: nowhere (they are also counted). */
  readonly log?: (message: string) => void;
  /**
   * Windows only, given by the Windows service: version strings (events 1, 7), signatures (6, 7),
   * account names, token and logon-session facts (spec/events.md §4). Absent on Linux, where
   * those fields keep their Linux values.
   */
  readonly windowsDetails?: WindowsDetails;
  /** Windows: where event 24's copied text waits for the archive stage (archiver.ts). */
  readonly clipboardTexts?: ClipboardTexts;
}

export interface EnricherStats {
  readonly records: number;
  readonly events: number;
  readonly selfDropped: number;
  /** Records of a kind this enricher does not turn into events yet. */
  readonly unhandled: number;
  /** rmdir records, which Sysmon does not report as FileDelete. */
  readonly directoriesDropped: number;
  /** Repeated UDP flows not reported again within 30 minutes. */
  readonly udpDuplicates: number;
  /** DNS answers already logged for the same process (name, status, results). */
  readonly dnsDuplicates: number;
  /** /proc reads on cache misses, and how many found nothing. */
  readonly procLookups: number;
  readonly procMisses: number;
  readonly cache: ProcessCacheStats;
  readonly hashes: FileHasherStats;
  readonly dns: DnsTrackerStats;
}

export interface Enricher {
  /** Enriches one record; calls `emit` for each resulting event (0..n). Exec always updates the cache. */
  enrich(record: RawRecord, emit: (event: SysmonEvent) => void): void;
  /** Time passes: reports DNS queries that timed out by `nowMs` and purges expired cache entries. */
  tick(nowMs: number, emit: (event: SysmonEvent) => void): void;
  /** Adds every process currently in /proc to the cache; returns how many were added. */
  seedFromProc(): number;
  setHashAlgorithms(names: readonly string[]): void;
  stats(): EnricherStats;
  close(): void;
  [Symbol.dispose](): void;
}

// ---- field indices, resolved once ----------------------------------------------------------

function indexer(id: number): (name: string) => number {
  const def = eventDef(id);
  return (name) => {
    const index = def.fieldIndex.get(name);
    if (index === undefined) throw new RangeError(`event ${id} has no field ${name}`);
    return index;
  };
}

function blank(id: number): () => string[] {
  const length = eventDef(id).fields.length;
  return () => new Array<string>(length).fill("-");
}

const E1 = indexer(1);
const E6 = indexer(6);
const DL = {
  new: blank(6), UtcTime: E6("UtcTime"), ImageLoaded: E6("ImageLoaded"), Hashes: E6("Hashes"), Signed: E6("Signed"), Signature: E6("Signature"),
  SignatureStatus: E6("SignatureStatus"),
};
const PC = {
  new: blank(1), UtcTime: E1("UtcTime"), ProcessGuid: E1("ProcessGuid"), ProcessId: E1("ProcessId"), Image: E1("Image"),
  CommandLine: E1("CommandLine"), CurrentDirectory: E1("CurrentDirectory"), User: E1("User"), LogonGuid: E1("LogonGuid"),
  LogonId: E1("LogonId"), TerminalSessionId: E1("TerminalSessionId"), IntegrityLevel: E1("IntegrityLevel"), Hashes: E1("Hashes"),
  ParentProcessGuid: E1("ParentProcessGuid"), ParentProcessId: E1("ParentProcessId"), ParentImage: E1("ParentImage"),
  ParentCommandLine: E1("ParentCommandLine"), ParentUser: E1("ParentUser"), FileVersion: E1("FileVersion"), Description: E1("Description"),
  Product: E1("Product"), Company: E1("Company"), OriginalFileName: E1("OriginalFileName"),
};
const E2 = indexer(2);
const FT = {
  new: blank(2), UtcTime: E2("UtcTime"), ProcessGuid: E2("ProcessGuid"), ProcessId: E2("ProcessId"), Image: E2("Image"),
  TargetFilename: E2("TargetFilename"), CreationUtcTime: E2("CreationUtcTime"), PreviousCreationUtcTime: E2("PreviousCreationUtcTime"), User: E2("User"),
};
const E3 = indexer(3);
const NC = {
  new: blank(3), UtcTime: E3("UtcTime"), ProcessGuid: E3("ProcessGuid"), ProcessId: E3("ProcessId"), Image: E3("Image"), User: E3("User"),
  Protocol: E3("Protocol"), Initiated: E3("Initiated"), SourceIsIpv6: E3("SourceIsIpv6"), SourceIp: E3("SourceIp"), SourcePort: E3("SourcePort"),
  DestinationIsIpv6: E3("DestinationIsIpv6"), DestinationIp: E3("DestinationIp"), DestinationPort: E3("DestinationPort"),
};
const E5 = indexer(5);
const PT = { new: blank(5), UtcTime: E5("UtcTime"), ProcessGuid: E5("ProcessGuid"), ProcessId: E5("ProcessId"), Image: E5("Image"), User: E5("User") };
const E7 = indexer(7);
const IL = {
  new: blank(7), UtcTime: E7("UtcTime"), ProcessGuid: E7("ProcessGuid"), ProcessId: E7("ProcessId"), Image: E7("Image"),
  ImageLoaded: E7("ImageLoaded"), Hashes: E7("Hashes"), User: E7("User"), FileVersion: E7("FileVersion"), Description: E7("Description"),
  Product: E7("Product"), Company: E7("Company"), OriginalFileName: E7("OriginalFileName"), Signed: E7("Signed"), Signature: E7("Signature"),
  SignatureStatus: E7("SignatureStatus"),
};

interface VersionFieldsAt {
  readonly FileVersion: number;
  readonly Description: number;
  readonly Product: number;
  readonly Company: number;
  readonly OriginalFileName: number;
}
interface SignatureFieldsAt {
  readonly Signed: number;
  readonly Signature: number;
  readonly SignatureStatus: number;
}
const E9 = indexer(9);
const RA = { new: blank(9), UtcTime: E9("UtcTime"), ProcessGuid: E9("ProcessGuid"), ProcessId: E9("ProcessId"), Image: E9("Image"), Device: E9("Device"), User: E9("User") };
const E10 = indexer(10);
const PA = {
  new: blank(10), UtcTime: E10("UtcTime"), CallTrace: E10("CallTrace"), SourceProcessGUID: E10("SourceProcessGUID"), SourceProcessId: E10("SourceProcessId"),
  SourceThreadId: E10("SourceThreadId"), SourceImage: E10("SourceImage"), TargetProcessGUID: E10("TargetProcessGUID"),
  TargetProcessId: E10("TargetProcessId"), TargetImage: E10("TargetImage"), GrantedAccess: E10("GrantedAccess"),
  SourceUser: E10("SourceUser"), TargetUser: E10("TargetUser"),
};
const E11 = indexer(11);
const FC = {
  new: blank(11), UtcTime: E11("UtcTime"), ProcessGuid: E11("ProcessGuid"), ProcessId: E11("ProcessId"), Image: E11("Image"),
  TargetFilename: E11("TargetFilename"), CreationUtcTime: E11("CreationUtcTime"), User: E11("User"),
};
const E22 = indexer(22);
const DQ = {
  new: blank(22), UtcTime: E22("UtcTime"), ProcessGuid: E22("ProcessGuid"), ProcessId: E22("ProcessId"), QueryName: E22("QueryName"),
  QueryStatus: E22("QueryStatus"), QueryResults: E22("QueryResults"), Image: E22("Image"), User: E22("User"),
};
const E23 = indexer(23);
const FD = {
  new: blank(23), UtcTime: E23("UtcTime"), ProcessGuid: E23("ProcessGuid"), ProcessId: E23("ProcessId"), User: E23("User"),
  Image: E23("Image"), TargetFilename: E23("TargetFilename"), Hashes: E23("Hashes"), IsExecutable: E23("IsExecutable"), Archived: E23("Archived"),
};
const E24 = indexer(24);
const CB = {
  new: blank(24), UtcTime: E24("UtcTime"), ProcessGuid: E24("ProcessGuid"), ProcessId: E24("ProcessId"), Image: E24("Image"),
  Session: E24("Session"), ClientInfo: E24("ClientInfo"), Hashes: E24("Hashes"), Archived: E24("Archived"), User: E24("User"),
};
const E25 = indexer(25);
const TP = { new: blank(25), UtcTime: E25("UtcTime"), ProcessGuid: E25("ProcessGuid"), ProcessId: E25("ProcessId"), Image: E25("Image"), Type: E25("Type"), User: E25("User") };
const E8 = indexer(8);
const RT = {
  new: blank(8), UtcTime: E8("UtcTime"), SourceProcessGuid: E8("SourceProcessGuid"), SourceProcessId: E8("SourceProcessId"), SourceImage: E8("SourceImage"),
  TargetProcessGuid: E8("TargetProcessGuid"), TargetProcessId: E8("TargetProcessId"), TargetImage: E8("TargetImage"), NewThreadId: E8("NewThreadId"),
  StartAddress: E8("StartAddress"), StartModule: E8("StartModule"), StartFunction: E8("StartFunction"), SourceUser: E8("SourceUser"), TargetUser: E8("TargetUser"),
};
const E12 = indexer(12);
const E13 = indexer(13);
const E14 = indexer(14);
const REG = {
  12: { new: blank(12), EventType: E12("EventType"), UtcTime: E12("UtcTime"), ProcessGuid: E12("ProcessGuid"), ProcessId: E12("ProcessId"), Image: E12("Image"), TargetObject: E12("TargetObject"), User: E12("User"), extra: -1 },
  13: { new: blank(13), EventType: E13("EventType"), UtcTime: E13("UtcTime"), ProcessGuid: E13("ProcessGuid"), ProcessId: E13("ProcessId"), Image: E13("Image"), TargetObject: E13("TargetObject"), User: E13("User"), extra: E13("Details") },
  14: { new: blank(14), EventType: E14("EventType"), UtcTime: E14("UtcTime"), ProcessGuid: E14("ProcessGuid"), ProcessId: E14("ProcessId"), Image: E14("Image"), TargetObject: E14("TargetObject"), User: E14("User"), extra: E14("NewName") },
} as const;
const E15 = indexer(15);
const FS = {
  new: blank(15), UtcTime: E15("UtcTime"), ProcessGuid: E15("ProcessGuid"), ProcessId: E15("ProcessId"), Image: E15("Image"),
  TargetFilename: E15("TargetFilename"), CreationUtcTime: E15("CreationUtcTime"), Hash: E15("Hash"), User: E15("User"),
};
const E17 = indexer(17);
const E18 = indexer(18);
const PIPE = {
  17: { new: blank(17), EventType: E17("EventType"), UtcTime: E17("UtcTime"), ProcessGuid: E17("ProcessGuid"), ProcessId: E17("ProcessId"), PipeName: E17("PipeName"), Image: E17("Image"), User: E17("User") },
  18: { new: blank(18), EventType: E18("EventType"), UtcTime: E18("UtcTime"), ProcessGuid: E18("ProcessGuid"), ProcessId: E18("ProcessId"), PipeName: E18("PipeName"), Image: E18("Image"), User: E18("User") },
} as const;
const E26 = indexer(26);
const FDD = {
  new: blank(26), UtcTime: E26("UtcTime"), ProcessGuid: E26("ProcessGuid"), ProcessId: E26("ProcessId"), User: E26("User"),
  Image: E26("Image"), TargetFilename: E26("TargetFilename"), Hashes: E26("Hashes"), IsExecutable: E26("IsExecutable"),
};
const E27 = indexer(27);
const E28 = indexer(28);
const BLOCK = {
  27: { new: blank(27), UtcTime: E27("UtcTime"), ProcessGuid: E27("ProcessGuid"), ProcessId: E27("ProcessId"), User: E27("User"), Image: E27("Image"), TargetFilename: E27("TargetFilename"), Hashes: E27("Hashes"), IsExecutable: -1 },
  28: { new: blank(28), UtcTime: E28("UtcTime"), ProcessGuid: E28("ProcessGuid"), ProcessId: E28("ProcessId"), User: E28("User"), Image: E28("Image"), TargetFilename: E28("TargetFilename"), Hashes: E28("Hashes"), IsExecutable: E28("IsExecutable") },
} as const;
const E100 = indexer(100);
const BP = {
  new: blank(100), UtcTime: E100("UtcTime"), ProcessGuid: E100("ProcessGuid"), ProcessId: E100("ProcessId"), Image: E100("Image"), User: E100("User"),
  BpfCommand: E100("BpfCommand"), BpfProgramType: E100("BpfProgramType"), BpfProgramId: E100("BpfProgramId"), BpfProgramName: E100("BpfProgramName"),
};

/** Image of an event that carries only a PID when nothing resolves it (spec/events.md §4). */
const UNKNOWN_PROCESS = "<unknown process>";
/** Device is cut to MAX_PATH (spec/events.md §5.7). */
const DEVICE_MAX = 260;
/** A UDP flow is reported again only after 30 minutes (spec/events.md §5.5). */
const UDP_REPORT_INTERVAL_MS = 30 * 60_000;
const UDP_FLOWS_MAX = 65_536;
/** Per-process DNS de-duplication keeps the 1000 most recent answers (spec/events.md §4). */
const DNS_SEEN_MAX = 1000;
/** A PID that /proc did not know is not looked up again for this long. */
const PROC_MISS_MEMORY_MS = 1000;
const PROC_MISSES_MAX = 4096;

/** Windows records carry no uid (sensor/windows NO_UID): their User comes from the token SID. */
const NO_UID = 4294967295;
/** Names of the well-known service SIDs, as LookupAccountSid gives them (spec/events.md §4, "User"). */
const WELL_KNOWN_ACCOUNTS: Readonly<Record<string, string>> = {
  "S-1-5-18": "NT AUTHORITY\\SYSTEM",
  "S-1-5-19": "NT AUTHORITY\\LOCAL SERVICE",
  "S-1-5-20": "NT AUTHORITY\\NETWORK SERVICE",
};

/** A SID as User: the well-known names, otherwise the SID itself (no LSA lookup from here). */
export function windowsAccountName(sid: string): string {
  return sid === "" ? "-" : (WELL_KNOWN_ACCOUNTS[sid] ?? sid);
}

/** CreateRemoteThread StartAddress: 0x and the pointer as 16 uppercase hex digits (spec/events.md §4). */
function startAddressText(address: bigint): string {
  return `0x${address.toString(16).toUpperCase().padStart(16, "0")}`;
}

function text(value: string): string {
  return value === "" ? "-" : value;
}

function baseName(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? path : path.slice(slash + 1);
}

class SysmonEnricher implements Enricher {
  private readonly machineId: number;
  private readonly procRoot: string | undefined;
  private readonly selfPid: number;
  private readonly log: (message: string) => void;
  private readonly windows: WindowsDetails | undefined;
  private readonly cache = new ProcessCache();
  private readonly hasher: FileHasher;
  private readonly clipboardTexts: ClipboardTexts | undefined;
  private windowsHashAlgorithms: readonly HashAlgorithm[];
  private readonly users: UserDirectory;
  private readonly dns: DnsTracker;
  /** UDP flow key → last report time; insertion order is report order. */
  private readonly udpFlows = new Map<string, number>();
  private readonly udpFlowsByPid = new Map<number, string[]>();
  private readonly procMisses = new Map<number, number>();
  private bootTimeMs = 0;
  private ticksPerSecond = 100;
  private closed = false;
  private counters = { records: 0, events: 0, unhandled: 0, selfDropped: 0, directoriesDropped: 0, udpDuplicates: 0, dnsDuplicates: 0, procLookups: 0, procMisses: 0 };
  private currentEmit: (event: SysmonEvent) => void = () => undefined;
  private readonly onDnsOutcome = (outcome: DnsOutcome): void => this.emitDns(outcome);

  constructor(options: EnricherOptions) {
    this.procRoot = options.procRoot;
    this.machineId = (options.machineId ?? readMachineId()) >>> 0;
    this.selfPid = options.selfPid ?? -1;
    this.log = options.log ?? (() => undefined);
    this.windows = options.windowsDetails;
    this.hasher = new FileHasher({ algorithms: options.hashAlgorithms, maxFileBytes: options.maxHashFileBytes });
    this.clipboardTexts = options.clipboardTexts;
    this.windowsHashAlgorithms = windowsAlgorithms(options.hashAlgorithms);
    this.users = new UserDirectory({ passwdPath: options.passwdPath, utmpPath: options.utmpPath });
    this.dns = new DnsTracker({ timeoutMs: options.dnsTimeoutMs });
    this.bootTimeMs = readBootTimeMs({ procRoot: this.procRoot });
    this.ticksPerSecond = readClockTicksPerSecond({ procRoot: this.procRoot });
  }

  enrich(record: RawRecord, emit: (event: SysmonEvent) => void): void {
    if (this.closed) return;
    this.counters.records++;
    if (record.actor.pid === this.selfPid) {
      this.counters.selfDropped++;
      return;
    }
    const out = (event: SysmonEvent): void => {
      this.counters.events++;
      emit(event);
    };
    switch (record.kind) {
      case "exec":
        out(this.processCreate(record));
        return;
      case "exit": {
        const t = record.timeMs;
        const entry = this.cache.lookup(record.process.pid, t);
        const v = PT.new();
        v[PT.UtcTime] = formatUtcTime(t);
        v[PT.ProcessGuid] = entry?.guid ?? ZERO_GUID;
        v[PT.ProcessId] = String(record.process.pid);
        v[PT.Image] = entry === undefined || entry.image === "" ? UNKNOWN_PROCESS : entry.image;
        v[PT.User] = this.userFor(entry, record.actor.uid);
        out({ id: 5, values: v });
        this.cache.markExited(record.process.pid, t);
        this.forgetUdpFlows(record.process.pid);
        return;
      }
      case "network":
        this.networkConnect(record, out);
        return;
      case "file-create": {
        const t = record.timeMs;
        const entry = this.resolve(record.actor.pid, t);
        const v = FC.new();
        v[FC.UtcTime] = formatUtcTime(t);
        this.fillProcess(v, FC, entry, record.actor.pid, "-");
        v[FC.TargetFilename] = text(record.path);
        v[FC.CreationUtcTime] = record.creationTimeMs === undefined ? (v[FC.UtcTime] ?? "-") : formatUtcTime(record.creationTimeMs);
        v[FC.User] = this.userFor(entry, record.actor.uid);
        out({ id: 11, values: v });
        return;
      }
      case "file-delete": {
        // Directory removals are not reported (spec/linux-sensors.md, event 23).
        if ("directory" in record && record.directory === true) {
          this.counters.directoriesDropped++;
          return;
        }
        // Hashes, IsExecutable and Archived stay "-" (spec/events.md §5.9).
        const t = record.timeMs;
        const entry = this.resolve(record.actor.pid, t);
        const v = FD.new();
        v[FD.UtcTime] = formatUtcTime(t);
        this.fillProcess(v, FD, entry, record.actor.pid, "-");
        v[FD.User] = this.userFor(entry, record.actor.uid);
        v[FD.TargetFilename] = text(record.path);
        if (record.executable !== undefined) {
          // Windows driver: IsExecutable is known. Nothing is archived, so Archived is false, and
          // FileDeleteDetected (26) is offered too; each is kept only if its own rules include it.
          v[FD.Hashes] = "-";
          v[FD.IsExecutable] = record.executable ? "true" : "false";
          v[FD.Archived] = "false";
          const d = FDD.new();
          d[FDD.UtcTime] = v[FD.UtcTime] ?? "-";
          this.fillProcess(d, FDD, entry, record.actor.pid, "-");
          d[FDD.User] = v[FD.User] ?? "-";
          d[FDD.TargetFilename] = text(record.path);
          d[FDD.IsExecutable] = v[FD.IsExecutable] ?? "-";
          out({ id: 23, values: v });
          out({ id: 26, values: d });
          return;
        }
        out({ id: 23, values: v });
        return;
      }
      case "file-time": {
        const t = record.timeMs;
        const entry = this.resolve(record.actor.pid, t);
        const v = FT.new();
        v[FT.UtcTime] = formatUtcTime(t);
        this.fillProcess(v, FT, entry, record.actor.pid, "-");
        v[FT.TargetFilename] = text(record.path);
        v[FT.CreationUtcTime] = formatUtcTime(record.newTimeMs);
        v[FT.PreviousCreationUtcTime] = record.previousTimeMs === null ? "-" : formatUtcTime(record.previousTimeMs);
        v[FT.User] = this.userFor(entry, record.actor.uid);
        out({ id: 2, values: v });
        return;
      }
      case "raw-access": {
        const t = record.timeMs;
        const entry = this.resolve(record.actor.pid, t);
        const v = RA.new();
        v[RA.UtcTime] = formatUtcTime(t);
        this.fillProcess(v, RA, entry, record.actor.pid, UNKNOWN_PROCESS);
        v[RA.Device] = text(record.device.length > DEVICE_MAX ? record.device.slice(0, DEVICE_MAX) : record.device);
        // Windows records carry no uid: User is the reader's token user (userFor).
        v[RA.User] = this.userFor(entry, record.actor.uid);
        out({ id: 9, values: v });
        return;
      }
      case "process-access":
        out(this.processAccess(record.timeMs, record));
        return;
      case "dns":
        this.currentEmit = out;
        this.dns.onPacket({ pid: record.actor.pid, timeMs: record.timeMs, outgoing: record.outgoing, message: record.message }, this.onDnsOutcome);
        return;
      case "module-load": {
        const v = DL.new();
        v[DL.UtcTime] = formatUtcTime(record.timeMs);
        v[DL.ImageLoaded] = text(record.path ?? record.name);
        v[DL.Hashes] = record.path === null ? "-" : this.hasher.hashesOf(record.path);
        if (record.signed !== undefined) v[DL.Signed] = record.signed ? "true" : "false";
        if (this.windows !== undefined && record.path !== null) this.fillSignature(v, DL, record.path);
        out({ id: 6, values: v });
        return;
      }
      case "image-load": {
        const t = record.timeMs;
        const entry = this.resolve(record.actor.pid, t);
        const v = IL.new();
        v[IL.UtcTime] = formatUtcTime(t);
        this.fillProcess(v, IL, entry, record.actor.pid, "-");
        v[IL.ImageLoaded] = text(record.path);
        v[IL.Hashes] = this.hasher.hashesOf(record.path);
        v[IL.User] = this.userFor(entry, record.actor.uid);
        if (this.windows !== undefined) {
          this.fillVersion(v, IL, record.path);
          this.fillSignature(v, IL, record.path);
        }
        out({ id: 7, values: v });
        return;
      }
      case "bpf": {
        const t = record.timeMs;
        const entry = this.resolve(record.actor.pid, t);
        const v = BP.new();
        v[BP.UtcTime] = formatUtcTime(t);
        this.fillProcess(v, BP, entry, record.actor.pid, "-");
        // The only event whose User falls back to the numeric uid (spec/events.md §5.2).
        v[BP.User] = this.users.nameOf(record.actor.uid) ?? String(record.actor.uid >>> 0);
        v[BP.BpfCommand] = bpfCommandName(record.command);
        v[BP.BpfProgramType] = record.command === BPF_PROG_LOAD ? bpfProgramTypeName(record.programType) : "UNSPEC";
        v[BP.BpfProgramId] = String(record.command === BPF_PROG_LOAD ? record.programFd >>> 0 : 0);
        v[BP.BpfProgramName] = text(record.programName);
        out({ id: 100, values: v });
        return;
      }
      case "tampering": {
        const t = record.timeMs;
        const entry = this.resolve(record.process.pid, t);
        const v = TP.new();
        v[TP.UtcTime] = formatUtcTime(t);
        v[TP.ProcessGuid] = entry?.guid ?? processGuidText(this.machineId, record.process);
        v[TP.ProcessId] = String(record.process.pid);
        v[TP.Image] = entry === undefined || entry.image === "" ? UNKNOWN_PROCESS : entry.image;
        v[TP.Type] = text(record.type);
        v[TP.User] = this.userFor(entry, record.actor.uid);
        out({ id: 25, values: v });
        return;
      }
      case "remote-thread":
        out(this.remoteThread(record));
        return;
      case "registry":
        out(this.registryEvent(record));
        return;
      case "file-stream": {
        const t = record.timeMs;
        const entry = this.resolve(record.actor.pid, t);
        const v = FS.new();
        v[FS.UtcTime] = formatUtcTime(t);
        this.fillProcess(v, FS, entry, record.actor.pid, "-");
        v[FS.TargetFilename] = text(record.path);
        v[FS.CreationUtcTime] = formatUtcTime(record.creationTimeMs);
        // The stream's own content is hashed (Zone.Identifier etc.); Contents stays "-".
        v[FS.Hash] = this.hasher.hashesOf(record.path);
        v[FS.User] = this.userFor(entry, record.actor.uid);
        out({ id: 15, values: v });
        return;
      }
      case "pipe": {
        const t = record.timeMs;
        const entry = this.resolve(record.actor.pid, t);
        const at = record.created ? PIPE[17] : PIPE[18];
        const v = at.new();
        v[at.EventType] = record.created ? "CreatePipe" : "ConnectPipe";
        v[at.UtcTime] = formatUtcTime(t);
        this.fillProcess(v, at, entry, record.actor.pid, UNKNOWN_PROCESS);
        v[at.PipeName] = text(record.pipeName);
        v[at.User] = this.userFor(entry, record.actor.uid);
        out({ id: record.created ? 17 : 18, values: v });
        return;
      }
      case "file-block":
        out(this.fileBlock(record));
        return;
      case "dns-query": {
        const entry = this.resolve(record.actor.pid, record.timeMs);
        const v = DQ.new();
        v[DQ.UtcTime] = formatUtcTime(record.timeMs);
        this.fillProcess(v, DQ, entry, record.actor.pid, UNKNOWN_PROCESS);
        v[DQ.QueryName] = text(record.queryName);
        v[DQ.QueryStatus] = String(record.queryStatus >>> 0);
        v[DQ.QueryResults] = text(record.queryResults);
        v[DQ.User] = entry === undefined ? "-" : this.userFor(entry, NO_UID);
        out({ id: 22, values: v });
        return;
      }
      case "clipboard": {
        // Hashes are of the CF_UNICODETEXT bytes, which are what the archive keeps; Archived is
        // settled by the archive stage once the rules have included the event (archiver.ts).
        const entry = this.resolve(record.actor.pid, record.timeMs);
        const v = CB.new();
        v[CB.UtcTime] = formatUtcTime(record.timeMs);
        this.fillProcess(v, CB, entry, record.actor.pid, UNKNOWN_PROCESS);
        v[CB.Session] = String(record.sessionId >>> 0);
        v[CB.ClientInfo] = text(record.clientInfo);
        v[CB.Hashes] = windowsHashesText(Buffer.from(record.text, "utf16le"), this.windowsHashAlgorithms);
        v[CB.Archived] = "false";
        v[CB.User] = entry === undefined ? "-" : this.userFor(entry, NO_UID);
        this.clipboardTexts?.put(v[CB.Hashes] ?? "-", record.text);
        out({ id: 24, values: v });
        return;
      }
      case "wmi-subscription": {
        const sid = record.creatorSid;
        const user = sid === "" ? "-" : (this.windows?.accountName(sid) ?? windowsAccountName(sid));
        for (const event of wmiSubscriptionEvents(record, { user })) out(event);
        return;
      }
    }
  }

  tick(nowMs: number, emit: (event: SysmonEvent) => void): void {
    if (this.closed) return;
    this.currentEmit = (event) => {
      this.counters.events++;
      emit(event);
    };
    this.dns.expire(nowMs, this.onDnsOutcome);
    this.cache.purge(nowMs);
  }

  // ---- events -----------------------------------------------------------------------------

  private processCreate(record: ProcessExecRecord): SysmonEvent {
    const p = record.process;
    const uid = record.actor.uid;
    const guid = processGuidText(this.machineId, p);
    const commandLine = record.commandLine ?? record.argv.join(" ");
    // The driver leaves the token facts to the service (driver/windows callbacks.c): with the
    // Windows details at hand they come from the new process's token.
    const token = this.windows !== undefined && record.userSid === undefined ? this.windows.processToken(p.pid) : null;
    const userSid = record.userSid ?? token?.userSid;
    const logonId = record.logonId ?? token?.logonId;
    const windowsUser = userSid === undefined ? undefined : (this.windows?.accountName(userSid) ?? windowsAccountName(userSid));
    const parent = this.resolveParent(record.parentPid, p.startTimeMs);
    const ttyIndex = record.ttyIndex < 0 ? 0 : record.ttyIndex;
    this.cache.add(
      {
        pid: p.pid, guid, createTimeMs: p.startTimeMs, createSlackMs: 0, image: record.image, commandLine,
        currentDirectory: record.cwd, uid, parentPid: record.parentPid, sessionId: record.sessionId,
        ttyIndex: record.ttyIndex, loginUid: record.loginUid, user: windowsUser,
      },
      record.timeMs,
    );
    const v = PC.new();
    v[PC.UtcTime] = formatUtcTime(p.startTimeMs);
    v[PC.ProcessGuid] = guid;
    v[PC.ProcessId] = String(p.pid);
    v[PC.Image] = text(record.image);
    v[PC.CommandLine] = text(commandLine);
    v[PC.CurrentDirectory] = text(record.cwd);
    if (logonId !== undefined) {
      // Windows: the logon LUID in bytes 8-15 of the LogonGuid and the LSA session's start in
      // bytes 4-7 (cli-and-output.md §7.2; 0 without the Windows details). LogonId is 0x%I64x.
      v[PC.User] = windowsUser ?? "-";
      v[PC.LogonGuid] = windowsLogonGuidText(this.machineId, { logonTimeSec: this.windows?.logonTimeSec(logonId) ?? 0, logonId });
      v[PC.LogonId] = logonIdText(logonId);
      v[PC.IntegrityLevel] = text(record.integrityLevel ?? token?.integrityLevel ?? "");
      if (this.windows !== undefined) this.fillVersion(v, PC, record.image);
    } else {
      v[PC.User] = this.userName(uid);
      v[PC.LogonGuid] = logonGuidText(this.machineId, { loginTimeSec: this.users.loginTimeSec(uid, record.ttyIndex), uid, ttyIndex });
      // Linux LogonId: decimal of (uid & 0xFFFF) (spec/events.md §5.2).
      v[PC.LogonId] = String(uid & 0xffff);
      v[PC.IntegrityLevel] = "no level";
    }
    v[PC.TerminalSessionId] = String(record.sessionId >>> 0);
    v[PC.Hashes] = this.hasher.hashesOf(record.image);
    v[PC.ParentProcessId] = String(record.parentPid);
    if (parent !== undefined) {
      v[PC.ParentProcessGuid] = parent.guid;
      v[PC.ParentImage] = text(parent.image);
      v[PC.ParentCommandLine] = text(parent.commandLine);
      v[PC.ParentUser] = parent.user ?? (parent.uid < 0 ? "-" : this.userName(parent.uid));
    } else {
      v[PC.ParentProcessGuid] = ZERO_GUID;
    }
    return { id: 1, values: v };
  }

  private networkConnect(record: NetworkRecord, out: (event: SysmonEvent) => void): void {
    const t = record.timeMs;
    const pid = record.actor.pid;
    if (record.protocol === "udp") {
      const key = `${pid}|${record.initiated ? 1 : 0}|${record.sourceIp}|${record.sourcePort}|${record.destinationIp}|${record.destinationPort}`;
      const last = this.udpFlows.get(key);
      if (last !== undefined && t - last < UDP_REPORT_INTERVAL_MS) {
        this.counters.udpDuplicates++;
        return;
      }
      this.rememberUdpFlow(pid, key, t, last !== undefined);
    }
    const entry = this.resolve(pid, t);
    const v = NC.new();
    v[NC.UtcTime] = formatUtcTime(t);
    this.fillProcess(v, NC, entry, pid, UNKNOWN_PROCESS);
    // User: the cached process's uid first, as Sysmon for Linux does (spec/events.md §5.2).
    v[NC.User] = this.userName(entry !== undefined && entry.uid >= 0 ? entry.uid : record.actor.uid);
    v[NC.Protocol] = record.protocol;
    v[NC.Initiated] = record.initiated ? "true" : "false";
    v[NC.SourceIsIpv6] = v[NC.DestinationIsIpv6] = record.ipv6 ? "true" : "false";
    v[NC.SourceIp] = text(record.sourceIp);
    v[NC.SourcePort] = String(record.sourcePort & 0xffff);
    v[NC.DestinationIp] = text(record.destinationIp);
    v[NC.DestinationPort] = String(record.destinationPort & 0xffff);
    // Hostnames and port names stay "-": Sysmon for Linux never looks them up (spec/events.md §5.2).
    out({ id: 3, values: v });
  }

  private processAccess(t: number, record: Extract<RawRecord, { kind: "process-access" }>): SysmonEvent {
    const source = this.resolve(record.actor.pid, t);
    // The target may be a thread id (spec/events.md §5.8): map it to its thread group.
    let target = this.cache.lookup(record.targetPid, t);
    let targetPid = record.targetPid;
    if (target === undefined) {
      const tgid = threadGroupOf(record.targetPid, { procRoot: this.procRoot });
      if (tgid !== null) targetPid = tgid;
      target = this.resolve(targetPid, t);
    }
    const v = PA.new();
    v[PA.UtcTime] = formatUtcTime(t);
    v[PA.SourceProcessGUID] = source?.guid ?? ZERO_GUID;
    v[PA.SourceProcessId] = String(record.actor.pid);
    v[PA.SourceThreadId] = String(record.actor.tid);
    v[PA.SourceImage] = source === undefined || source.image === "" ? UNKNOWN_PROCESS : source.image;
    v[PA.TargetProcessGUID] = target?.guid ?? ZERO_GUID;
    v[PA.TargetProcessId] = String(record.targetPid);
    v[PA.TargetImage] = target === undefined || target.image === "" ? UNKNOWN_PROCESS : target.image;
    v[PA.GrantedAccess] = `0x${(record.grantedAccess >>> 0).toString(16)}`;
    if (record.callTrace !== undefined) v[PA.CallTrace] = text(record.callTrace);
    v[PA.SourceUser] = this.userFor(source, record.actor.uid);
    if (target?.user !== undefined) {
      v[PA.TargetUser] = target.user;
    } else {
      const targetUid = target !== undefined && target.uid >= 0 ? target.uid : ownerUidOf(targetPid, { procRoot: this.procRoot });
      v[PA.TargetUser] = targetUid < 0 ? "-" : this.userName(targetUid);
    }
    return { id: 10, values: v };
  }

  private remoteThread(record: RemoteThreadRecord): SysmonEvent {
    const t = record.timeMs;
    const source = this.resolve(record.actor.pid, t);
    const target = this.resolve(record.targetPid, t);
    const v = RT.new();
    v[RT.UtcTime] = formatUtcTime(t);
    v[RT.SourceProcessGuid] = source?.guid ?? ZERO_GUID;
    v[RT.SourceProcessId] = String(record.actor.pid);
    v[RT.SourceImage] = source === undefined || source.image === "" ? UNKNOWN_PROCESS : source.image;
    v[RT.TargetProcessGuid] = target?.guid ?? ZERO_GUID;
    v[RT.TargetProcessId] = String(record.targetPid);
    v[RT.TargetImage] = target === undefined || target.image === "" ? UNKNOWN_PROCESS : target.image;
    v[RT.NewThreadId] = String(record.newThreadId >>> 0);
    v[RT.StartAddress] = startAddressText(record.startAddress);
    // Resolved by the driver client from the target's module map and the module's exports.
    v[RT.StartModule] = text(record.startModule ?? "");
    v[RT.StartFunction] = text(record.startFunction ?? "");
    v[RT.SourceUser] = this.userFor(source, record.actor.uid);
    v[RT.TargetUser] = this.userFor(target, NO_UID);
    return { id: 8, values: v };
  }

  /** SetValue → 13, RenameKey → 14, everything else → 12 (spec/events.md §4, RegistryEvent). */
  private registryEvent(record: RegistryRecord): SysmonEvent {
    const id = record.eventType === "SetValue" ? 13 : record.eventType === "RenameKey" ? 14 : 12;
    const at = REG[id];
    const t = record.timeMs;
    const entry = this.resolve(record.actor.pid, t);
    const v = at.new();
    v[at.EventType] = record.eventType;
    v[at.UtcTime] = formatUtcTime(t);
    this.fillProcess(v, at, entry, record.actor.pid, UNKNOWN_PROCESS);
    v[at.TargetObject] = text(record.targetObject);
    if (at.extra >= 0) v[at.extra] = text(record.details);
    v[at.User] = this.userFor(entry, record.actor.uid);
    return { id, values: v };
  }

  /** Events 27/28: what the FileBlock rules decide on before the driver lets the operation go. */
  private fileBlock(record: FileBlockRecord): SysmonEvent {
    const id = record.operation === "executable" ? 27 : 28;
    const at = BLOCK[id];
    const t = record.timeMs;
    const entry = this.resolve(record.actor.pid, t);
    const v = at.new();
    v[at.UtcTime] = formatUtcTime(t);
    this.fillProcess(v, at, entry, record.actor.pid, UNKNOWN_PROCESS);
    v[at.User] = this.userFor(entry, record.actor.uid);
    v[at.TargetFilename] = text(record.path);
    v[at.Hashes] = this.hasher.hashesOf(record.path);
    return { id, values: v };
  }

  private emitDns(outcome: DnsOutcome): void {
    const entry = this.resolve(outcome.pid, outcome.queryTimeMs);
    if (entry !== undefined) {
      // Per process, an identical (name, status, results) is logged once (spec/events.md §4).
      const key = `${outcome.queryName}\u0000${outcome.queryStatus}\u0000${outcome.queryResults}`;
      const seen = (entry.dnsSeen ??= new Set());
      if (seen.has(key)) {
        this.counters.dnsDuplicates++;
        return;
      }
      seen.add(key);
      if (seen.size > DNS_SEEN_MAX) {
        const oldest = seen.values().next();
        if (!oldest.done) seen.delete(oldest.value);
      }
    }
    const v = DQ.new();
    v[DQ.UtcTime] = formatUtcTime(outcome.timeMs);
    v[DQ.ProcessGuid] = entry?.guid ?? ZERO_GUID;
    v[DQ.ProcessId] = String(outcome.pid);
    v[DQ.QueryName] = text(outcome.queryName);
    v[DQ.QueryStatus] = outcome.queryStatus;
    v[DQ.QueryResults] = outcome.queryResults;
    v[DQ.Image] = entry === undefined || entry.image === "" ? UNKNOWN_PROCESS : entry.image;
    // DnsQuery takes the user from the cached process entry (spec/events.md §4).
    v[DQ.User] = entry === undefined || entry.uid < 0 ? "-" : this.userName(entry.uid);
    this.currentEmit({ id: 22, values: v });
  }

  // ---- helpers ----------------------------------------------------------------------------

  private fillProcess(
    v: string[],
    at: { readonly ProcessGuid: number; readonly ProcessId: number; readonly Image: number },
    entry: ProcessEntry | undefined,
    pid: number,
    unknownImage: string,
  ): void {
    v[at.ProcessGuid] = entry?.guid ?? ZERO_GUID;
    v[at.ProcessId] = String(pid);
    v[at.Image] = entry === undefined || entry.image === "" ? unknownImage : entry.image;
  }

  /** FileVersion … OriginalFileName from the image's version resource; "-" where it has none (spec/events.md §4). */
  private fillVersion(v: string[], at: VersionFieldsAt, path: string): void {
    if (this.windows === undefined || path === "") return;
    const version = this.windows.versionStrings(path);
    v[at.FileVersion] = version.fileVersion ?? "-";
    v[at.Description] = version.description ?? "-";
    v[at.Product] = version.product ?? "-";
    v[at.Company] = version.company ?? "-";
    v[at.OriginalFileName] = version.originalFileName ?? "-";
  }

  /** Signed, Signature and SignatureStatus of the image (events 6 and 7). */
  private fillSignature(v: string[], at: SignatureFieldsAt, path: string): void {
    if (this.windows === undefined || path === "") return;
    const signature = this.windows.signature(path);
    v[at.Signed] = signature.signed ? "true" : "false";
    v[at.Signature] = text(signature.signature);
    v[at.SignatureStatus] = text(signature.signatureStatus);
  }

  /** User of an event: the cached process's Windows account when the record has no uid, else the uid's name. */
  private userFor(entry: ProcessEntry | undefined, uid: number): string {
    if (uid === NO_UID && entry?.user !== undefined) return entry.user;
    return this.userName(uid);
  }

  private userName(uid: number): string {
    return this.users.nameOf(uid) ?? "-";
  }

  /** The cache entry for `pid` at `timeMs`, reading /proc on a miss (spec/cli-and-output.md §8). */
  private resolve(pid: number, timeMs: number): ProcessEntry | undefined {
    const cached = this.cache.lookup(pid, timeMs);
    if (cached !== undefined || pid <= 0) return cached;
    const entry = this.lookUpProc(pid, timeMs);
    return entry !== undefined && timeMs + entry.createSlackMs >= entry.createTimeMs ? entry : undefined;
  }

  private resolveParent(pid: number, childStartMs: number): ProcessEntry | undefined {
    return this.resolve(pid, childStartMs);
  }

  private lookUpProc(pid: number, timeMs: number): ProcessEntry | undefined {
    const missedAt = this.procMisses.get(pid);
    if (missedAt !== undefined && Math.abs(timeMs - missedAt) < PROC_MISS_MEMORY_MS) return undefined;
    this.counters.procLookups++;
    const snapshot = readProcess(pid, { procRoot: this.procRoot });
    if (snapshot === null) {
      this.counters.procMisses++;
      this.procMisses.delete(pid);
      this.procMisses.set(pid, timeMs);
      if (this.procMisses.size > PROC_MISSES_MAX) {
        const oldest = this.procMisses.keys().next();
        if (!oldest.done) this.procMisses.delete(oldest.value);
      }
      return undefined;
    }
    const facts = this.factsFromSnapshot(snapshot);
    // The newest entry may be this very process (the event merely predates its create time).
    const newest = this.cache.newest(pid);
    if (newest !== undefined && newest.guid === facts.guid) return newest;
    return this.cache.add(facts, timeMs);
  }

  private factsFromSnapshot(snapshot: ProcSnapshot): ProcessFacts {
    // btime is a whole second and starttime is in ticks, so this start time is up to a
    // second early compared with the kernel's (spec/events.md §5.3); btime (not
    // now − uptime) keeps it identical on every read, so the GUID is stable.
    const createTimeMs = this.bootTimeMs + (snapshot.startTicks * 1000) / this.ticksPerSecond;
    const image = snapshot.exe !== "" ? snapshot.exe : baseName(snapshot.argv0);
    return {
      pid: snapshot.pid,
      guid: processGuidText(this.machineId, { startTimeMs: createTimeMs, processKey: snapshot.endCode }),
      createTimeMs,
      createSlackMs: 1000,
      image,
      commandLine: snapshot.commandLine,
      currentDirectory: snapshot.cwd,
      uid: snapshot.uid,
      parentPid: snapshot.ppid,
      sessionId: snapshot.sessionId,
      ttyIndex: snapshot.ttyIndex,
      loginUid: snapshot.loginUid,
    };
  }

  private rememberUdpFlow(pid: number, key: string, timeMs: number, known: boolean): void {
    if (known) this.udpFlows.delete(key);
    this.udpFlows.set(key, timeMs);
    if (!known) {
      const keys = this.udpFlowsByPid.get(pid);
      if (keys === undefined) this.udpFlowsByPid.set(pid, [key]);
      else keys.push(key);
    }
    if (this.udpFlows.size > UDP_FLOWS_MAX) {
      const oldest = this.udpFlows.keys().next();
      if (!oldest.done) this.udpFlows.delete(oldest.value);
    }
  }

  /** UDP flows are forgotten when their process exits (spec/cli-and-output.md §8). */
  private forgetUdpFlows(pid: number): void {
    const keys = this.udpFlowsByPid.get(pid);
    if (keys === undefined) return;
    for (const key of keys) this.udpFlows.delete(key);
    this.udpFlowsByPid.delete(pid);
  }

  seedFromProc(): number {
    if (this.closed) return 0;
    let added = 0;
    const now = Date.now();
    for (const pid of listPids({ procRoot: this.procRoot })) {
      if (pid === this.selfPid) continue;
      const snapshot = readProcess(pid, { procRoot: this.procRoot });
      if (snapshot === null) continue; // exited while we listed
      const facts = this.factsFromSnapshot(snapshot);
      if (this.cache.newest(pid)?.guid === facts.guid) continue;
      this.cache.add(facts, now);
      added++;
    }
    this.log(`process cache seeded with ${added} processes from /proc`);
    return added;
  }

  setHashAlgorithms(names: readonly string[]): void {
    this.hasher.setAlgorithms(names);
    this.windowsHashAlgorithms = windowsAlgorithms(names);
  }

  stats(): EnricherStats {
    return { ...this.counters, cache: this.cache.stats(), hashes: this.hasher.stats(), dns: this.dns.stats() };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cache.clear();
    this.hasher.clear();
    this.udpFlows.clear();
    this.udpFlowsByPid.clear();
    this.procMisses.clear();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Creates the enricher. Reads /etc/machine-id (unless given), the boot time and CLK_TCK once.
 *
 * @example
 * using enricher = createEnricher({ hashAlgorithms: ["SHA256"], selfPid: process.pid });
 * enricher.seedFromProc();
 * sensor.drain((record) => enricher.enrich(record, (event) => pipeline.push(event)));
 */
export function createEnricher(options: EnricherOptions): Enricher {
  return new SysmonEnricher(options);
}
