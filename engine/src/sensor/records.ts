/**
 * Raw records: what a sensor (eBPF on Linux, ETW and the driver on Windows) reports, decoded
 * but not yet enriched. They carry only what the kernel knows cheaply; enrich/ turns them into
 * Sysmon events with the process cache, hashes, user names and GUIDs. Platform-neutral on
 * purpose: both sensors produce these shapes.
 *
 * Times are wall-clock milliseconds since the epoch (fractional; the sensor converts its clock
 * once). Process identity is (pid, startTimeMs, processKey), the parts of a ProcessGuid
 * (spec/cli-and-output.md §7.1).
 */

/** Who did it: the acting task as the kernel saw it. */
export interface RecordActor {
  /** Thread-group id (ProcessId). */
  readonly pid: number;
  /** Thread id. */
  readonly tid: number;
  /** Real uid of the task (spec/events.md §5.2: User is the real uid's name). */
  readonly uid: number;
}

export interface ProcessIdentity {
  readonly pid: number;
  /** Process start time (task->start_time + boot time) in ms since the epoch. */
  readonly startTimeMs: number;
  /** The 64-bit process key of the GUID: mm->end_code on Linux, the process start key on Windows. */
  readonly processKey: bigint;
}

export interface ProcessExecRecord {
  readonly kind: "exec";
  readonly timeMs: number;
  readonly actor: RecordActor;
  readonly process: ProcessIdentity;
  /** Parent as the kernel saw it at exec time (task->real_parent). */
  readonly parentPid: number;
  /** Resolved path of the new executable (mm->exe_file). */
  readonly image: string;
  readonly argv: readonly string[];
  /** True when argv was cut at the sensor's limit. */
  readonly argvTruncated: boolean;
  /** Linux: the executable has no name left in the file system (a memfd, or deleted since). */
  readonly imageUnlinked?: boolean;
  readonly cwd: string;
  /** Audit session id (TerminalSessionId); 4294967295 when none. */
  readonly sessionId: number;
  /** Controlling tty index, -1 when none (part of the LogonGuid). */
  readonly ttyIndex: number;
  /** Audit login uid, 4294967295 when unset. */
  readonly loginUid: number;
  /** Windows driver: the command line as the kernel passed it (argv is then empty). */
  readonly commandLine?: string;
  /** Windows driver: the token's user SID (S-1-...), its integrity name and logon LUID. */
  readonly userSid?: string;
  readonly integrityLevel?: string;
  readonly logonId?: bigint;
}

export interface ProcessExitRecord {
  readonly kind: "exit";
  readonly timeMs: number;
  readonly actor: RecordActor;
  readonly process: ProcessIdentity;
  readonly exitCode: number;
}

export interface NetworkRecord {
  readonly kind: "network";
  readonly timeMs: number;
  readonly actor: RecordActor;
  readonly protocol: "tcp" | "udp";
  /** True for outbound (connect/send), false for inbound (accept/receive). */
  readonly initiated: boolean;
  readonly ipv6: boolean;
  /** Text as Sysmon prints it: dotted IPv4, or eight uncompressed %x groups for IPv6 (§7). */
  readonly sourceIp: string;
  readonly sourcePort: number;
  readonly destinationIp: string;
  readonly destinationPort: number;
}

export interface FileCreateRecord {
  readonly kind: "file-create";
  readonly timeMs: number;
  readonly actor: RecordActor;
  /** Absolute path of the created file. */
  readonly path: string;
  /** Windows driver: the file's creation time, ms since the epoch (CreationUtcTime). */
  readonly creationTimeMs?: number;
}

export interface FileDeleteRecord {
  readonly kind: "file-delete";
  readonly timeMs: number;
  readonly actor: RecordActor;
  /** Absolute, not normalised (spec/events.md §5.9). */
  readonly path: string;
  /**
   * True for a directory removal (rmdir, unlinkat AT_REMOVEDIR). Sysmon reports only files, so
   * enrichment drops these to stay identical (spec/linux-sensors.md, event 23). Absent: a file.
   */
  readonly directory?: boolean;
  /** Windows driver: whether the content starts with an MZ header (IsExecutable). */
  readonly executable?: boolean;
  /**
   * Windows driver, deletions held for the archive: the deletion waits in the driver until
   * release() (or the driver's timeout). The engine releases it once the copy is done or not wanted.
   */
  readonly hold?: DeleteHold;
  /** Windows driver: archiving was wanted but the driver's hold table was full; Archived is false. */
  readonly holdUnavailable?: boolean;
}

/** A deletion the driver holds until the service answers; release() is idempotent. */
export interface DeleteHold {
  release(): void;
}

export interface FileTimeRecord {
  readonly kind: "file-time";
  readonly timeMs: number;
  readonly actor: RecordActor;
  readonly path: string;
  /** The new modification time set on the file, ms since the epoch. */
  readonly newTimeMs: number;
  /** The file's time before the change, ms since the epoch, when known. */
  readonly previousTimeMs: number | null;
}

export interface RawAccessRecord {
  readonly kind: "raw-access";
  readonly timeMs: number;
  readonly actor: RecordActor;
  /** The block device path, e.g. /dev/sda. */
  readonly device: string;
}

export interface ProcessAccessRecord {
  readonly kind: "process-access";
  readonly timeMs: number;
  readonly actor: RecordActor;
  /** Raw target pid or tid as given to the syscall. */
  readonly targetPid: number;
  /** What was done: "ptrace-attach", "ptrace-seize", "vm-readv", "vm-writev" (Linux), or an access mask on Windows. */
  readonly operation: string;
  readonly grantedAccess: number;
  /** Windows driver: `|`-separated frames as Sysmon prints CallTrace (spec/events.md §4). */
  readonly callTrace?: string;
}

export interface DnsRecord {
  readonly kind: "dns";
  readonly timeMs: number;
  readonly actor: RecordActor;
  readonly transport: "udp" | "tcp";
  /** True for a packet the process sent (query), false for one it received (response). */
  readonly outgoing: boolean;
  /** The DNS message (for TCP without its two-byte length prefix), possibly cut at the sensor's limit. */
  readonly message: Uint8Array;
}

export interface ModuleLoadRecord {
  readonly kind: "module-load";
  readonly timeMs: number;
  readonly actor: RecordActor;
  /** Kernel module name, or the file path when loaded from a file. */
  readonly name: string;
  readonly path: string | null;
  /** Windows driver: whether the image is signed (DriverLoad's Signed). */
  readonly signed?: boolean;
}

export interface ImageLoadRecord {
  readonly kind: "image-load";
  readonly timeMs: number;
  readonly actor: RecordActor;
  readonly path: string;
}

export interface BpfRecord {
  readonly kind: "bpf";
  readonly timeMs: number;
  readonly actor: RecordActor;
  /** bpf(2) command number (BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8). */
  readonly command: number;
  readonly programType: number;
  /** The fd the syscall returned (Sysmon for Linux's BpfProgramId, spec/events.md §5.10). */
  readonly programFd: number;
  readonly programName: string;
}

export interface TamperingRecord {
  readonly kind: "tampering";
  readonly timeMs: number;
  readonly actor: RecordActor;
  readonly process: ProcessIdentity;
  /** Sysmon's Type text, e.g. "Image is replaced". */
  readonly type: string;
}

/**
 * Windows only: a DNS query as the DNS-Client ETW provider reports it once it completes
 * (event 3008). Unlike the Linux DnsRecord it carries no packet: Windows resolves in the DNS
 * client service, and Sysmon's DnsQuery fields come from this event (spec/events.md §4).
 */
export interface DnsQueryRecord {
  readonly kind: "dns-query";
  readonly timeMs: number;
  readonly actor: RecordActor;
  readonly queryName: string;
  readonly queryType: number;
  /** DNS status or Win32 error code (0 = success): Sysmon's QueryStatus. */
  readonly queryStatus: number;
  /** The provider's result text ("type:  5 alias;::ffff:1.2.3.4;"), Sysmon's QueryResults. */
  readonly queryResults: string;
}

/**
 * Windows only: a WMI permanent event subscription (WMI-Activity event 5861). One record
 * yields Sysmon's events 19 (filter), 20 (consumer) and 21 (binding).
 */
export interface WmiSubscriptionRecord {
  readonly kind: "wmi-subscription";
  readonly timeMs: number;
  readonly actor: RecordActor;
  /** The namespace the subscription lives in (ETW Namespace, usually root\subscription). */
  readonly namespace: string;
  /** The filter's EventNamespace: the namespace its query watches (Sysmon's EventNamespace). */
  readonly eventNamespace: string;
  /** The subscription creator's SID as text ("" when the provider gave none): Sysmon's User. */
  readonly creatorSid: string;
  readonly filterName: string;
  readonly filterQuery: string;
  /** Consumer class, e.g. "CommandLineEventConsumer" (Sysmon's Type: "Command Line" etc. is derived later). */
  readonly consumerType: string;
  readonly consumerName: string;
  /** CommandLineTemplate, ScriptText/ScriptFileName, or whatever the consumer runs. */
  readonly consumerDestination: string;
  /** The provider's PossibleCause text, kept for the record. */
  readonly detail: string;
}

/** Windows only: a thread created in another process (driver thread notify, event 8). */
export interface RemoteThreadRecord {
  readonly kind: "remote-thread";
  readonly timeMs: number;
  /** The creating process and thread. */
  readonly actor: RecordActor;
  readonly targetPid: number;
  readonly newThreadId: number;
  readonly startAddress: bigint;
  /** The target's module holding startAddress, and the export at exactly it; absent or "-" when unknown. */
  readonly startModule?: string;
  readonly startFunction?: string;
}

/** Windows only: a registry operation (driver registry callback, events 12-14). */
export interface RegistryRecord {
  readonly kind: "registry";
  readonly timeMs: number;
  readonly actor: RecordActor;
  /** Sysmon's EventType (spec/events.md §4, RegistryEvent). */
  readonly eventType: "CreateKey" | "DeleteKey" | "SetValue" | "DeleteValue" | "RenameKey";
  /** Already in display form (HKLM\..., HKU\...). */
  readonly targetObject: string;
  /** SetValue: the data as Sysmon renders it; RenameKey: the new name; otherwise "". */
  readonly details: string;
}

/** Windows only: a named stream created on a file (minifilter, event 15). */
export interface FileStreamRecord {
  readonly kind: "file-stream";
  readonly timeMs: number;
  readonly actor: RecordActor;
  /** DOS path including `:stream`. */
  readonly path: string;
  readonly creationTimeMs: number;
}

/** Windows only: a named pipe created or connected to (events 17/18). */
export interface PipeRecord {
  readonly kind: "pipe";
  readonly timeMs: number;
  readonly actor: RecordActor;
  readonly created: boolean;
  /** `\\name`, relative to the named-pipe file system. */
  readonly pipeName: string;
}

/**
 * Windows only: the driver holds a file operation until the service decides (events 27/28).
 * The engine enriches it, runs the FileBlockExecutable/FileBlockShredding rules and calls
 * `answer(true)` when a rule includes it; the driver allows the operation if no answer comes.
 */
export interface FileBlockRecord {
  readonly kind: "file-block";
  readonly timeMs: number;
  readonly actor: RecordActor;
  readonly operation: "executable" | "shredding";
  readonly path: string;
  answer(block: boolean): void;
}

/**
 * Windows only: the clipboard agent in a user session saw new CF_UNICODETEXT (event 24). The
 * actor is the clipboard owner's process; the text is kept for hashing and archiving only.
 */
export interface ClipboardRecord {
  readonly kind: "clipboard";
  readonly timeMs: number;
  readonly actor: RecordActor;
  /** Terminal session of the owning process (Session). */
  readonly sessionId: number;
  /** ClientInfo as Sysmon renders it, e.g. `user: DOMAIN\\name` (clipboard-protocol.ts). */
  readonly clientInfo: string;
  readonly text: string;
}

export type RawRecord =
  | ProcessExecRecord
  | ProcessExitRecord
  | NetworkRecord
  | FileCreateRecord
  | FileDeleteRecord
  | FileTimeRecord
  | RawAccessRecord
  | ProcessAccessRecord
  | DnsRecord
  | ModuleLoadRecord
  | ImageLoadRecord
  | BpfRecord
  | TamperingRecord
  | DnsQueryRecord
  | WmiSubscriptionRecord
  | RemoteThreadRecord
  | RegistryRecord
  | FileStreamRecord
  | PipeRecord
  | FileBlockRecord
  | ClipboardRecord;

/** Counters a sensor keeps about itself; every loss is counted, never silent. */
export interface SensorCounters {
  /** Records the kernel produced. */
  readonly produced: number;
  /** Records lost because the ring buffer was full. */
  readonly lostRingBuffer: number;
  /** Records that could not be decoded. */
  readonly malformed: number;
}

/** A sensor that the service drains on a timer. */
export interface Sensor {
  /** Hands every record queued since the last call to `onRecord`; returns how many. Never blocks. */
  drain(onRecord: (record: RawRecord) => void): number;
  counters(): SensorCounters;
  /** Turns kernel programs on or off by the Sysmon event IDs that can be included. */
  setEnabledEvents(eventIds: ReadonlySet<number>): void;
  close(): void;
}
