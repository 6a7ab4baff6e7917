/**
 * The records the SysmonTs kernel driver (driver/windows/) hands to the service through
 * IOCTL_SYSMONTS_READ, and the decoder for them.
 *
 * This file is the single declaration of the wire format: driver/windows/include/sysmonts_records.h
 * is rendered from RECORD_LAYOUTS by driver-records-header.ts (`node driver/windows/generate-header.mjs`),
 * and the header carries `_Static_assert`s on every offset computed here, so the C compiler checks
 * that both sides agree each time the driver is built.
 *
 * Format: packed, little-endian. Every record starts with the 24-byte header
 * {uint16 size, uint16 type, uint32 version, int64 timestamp (FILETIME, UTC), uint32 pid, uint32 tid},
 * followed by the record's fixed fields, followed by its strings. A string field is a
 * {uint16 offset, uint16 length} pair: `offset` from the start of the record, `length` in bytes of
 * UTF-16LE text without a terminator. Records in a READ buffer follow each other, 8-byte aligned.
 *
 * Versioning: a driver may append fixed fields to a record type and raise its version; a decoder
 * reads the fields it knows and ignores the rest (strings are reached by offset, so appended fields
 * never move them). A record whose version is older than the layout's lacks fields and is malformed.
 */
import { SysmonTsError } from "../../base";

export type RecordFieldKind = "u8" | "u16" | "u32" | "u64" | "i64" | "utf16";

export interface RecordFieldLayout {
  readonly name: string;
  readonly kind: RecordFieldKind;
  readonly doc: string;
}

export interface RecordLayout {
  readonly type: number;
  /** camelCase name used as the decoded record's `kind`. */
  readonly kind: string;
  /** The C suffix: SYSMONTS_RECORD_<symbol>, SYSMONTS_<symbol>_RECORD. */
  readonly symbol: string;
  readonly version: number;
  readonly doc: string;
  readonly fields: readonly RecordFieldLayout[];
}

export const RECORD_HEADER_SIZE = 24;
/** Records in a READ buffer start on this boundary. */
export const RECORD_ALIGNMENT = 8;
/** Bumped when the header, the IOCTLs or an existing field change incompatibly. */
export const DRIVER_PROTOCOL_VERSION = 1;

/** The header fields, decoded for every record. */
export const RECORD_HEADER_FIELDS = [
  { name: "size", kind: "u16", doc: "bytes in this record, strings included" },
  { name: "type", kind: "u16", doc: "SYSMONTS_RECORD_*" },
  { name: "version", kind: "u32", doc: "layout version of this record type" },
  { name: "timestamp", kind: "i64", doc: "when it happened, FILETIME (100 ns since 1601-01-01 UTC)" },
  { name: "pid", kind: "u32", doc: "process that acted (the caller)" },
  { name: "tid", kind: "u32", doc: "thread that acted" },
] as const satisfies readonly RecordFieldLayout[];

function f<const N extends string, const K extends RecordFieldKind>(name: N, kind: K, doc: string) {
  return { name, kind, doc };
}

/**
 * One entry per record type, in type order. The driver side is DESIGN.md "How Sysmon itself works
 * on Windows": process notify (1/5, and the image check of 25), thread notify (8), image notify
 * (6/7), registry callback (12-14), object callbacks (10), the minifilter (11, 2, 9, 15, 23/26,
 * 27/28) and the named-pipe operations (17/18).
 */
export const RECORD_LAYOUTS = [
  {
    type: 1, kind: "processCreate", symbol: "PROCESS_CREATE", version: 1,
    doc: "PsSetCreateProcessNotifyRoutineEx with CreateInfo != NULL (event 1)",
    fields: [
      f("processId", "u32", "the new process"),
      f("parentProcessId", "u32", "CreateInfo->ParentProcessId"),
      f("creatingProcessId", "u32", "CreateInfo->CreatingThreadId.UniqueProcess"),
      f("creatingThreadId", "u32", "CreateInfo->CreatingThreadId.UniqueThread"),
      f("processKey", "u64", "PsGetProcessStartKey: the unique part of the ProcessGuid (spec/cli-and-output.md §7.1)"),
      f("createTime", "i64", "PsGetProcessCreateTimeQuadPart, FILETIME"),
      f("sessionId", "u32", "terminal session of the new process"),
      f("flags", "u32", "bit 0: CreateInfo->FileOpenNameAvailable"),
      f("authenticationId", "u64", "LUID of the token (LogonId)"),
      f("imageFileName", "utf16", "CreateInfo->ImageFileName, NT path"),
      f("commandLine", "utf16", "CreateInfo->CommandLine"),
      f("userSid", "utf16", "token user as an S-1-... string"),
      f("integrityLevel", "utf16", "token integrity RID as text, e.g. High"),
    ],
  },
  {
    type: 2, kind: "processExit", symbol: "PROCESS_EXIT", version: 1,
    doc: "PsSetCreateProcessNotifyRoutineEx with CreateInfo == NULL (event 5)",
    fields: [
      f("processId", "u32", "the exiting process"),
      f("exitStatus", "u32", "PsGetProcessExitStatus"),
      f("processKey", "u64", "PsGetProcessStartKey"),
    ],
  },
  {
    type: 3, kind: "threadCreate", symbol: "THREAD_CREATE", version: 1,
    doc: "PsSetCreateThreadNotifyRoutine, only when the creator is another process (event 8, remote threads)",
    fields: [
      f("targetProcessId", "u32", "process the thread was created in"),
      f("newThreadId", "u32", "the new thread"),
      f("startAddress", "u64", "Win32StartAddress of the new thread"),
    ],
  },
  {
    type: 4, kind: "imageLoad", symbol: "IMAGE_LOAD", version: 1,
    doc: "PsSetLoadImageNotifyRoutine (event 6 when SystemModeImage, else event 7)",
    fields: [
      f("processId", "u32", "process the image was mapped into; 0 for drivers"),
      f("flags", "u32", "bit 0: SystemModeImage (a driver), bit 1: signed (ImageSignatureLevel > 0)"),
      f("imageBase", "u64", "ImageInfo->ImageBase"),
      f("imageSize", "u64", "ImageInfo->ImageSize"),
      f("imageFileName", "utf16", "FullImageName, NT path"),
    ],
  },
  {
    type: 5, kind: "registry", symbol: "REGISTRY", version: 1,
    doc: "CmRegisterCallbackEx post-operations (events 12, 13, 14)",
    fields: [
      f("operation", "u32", "SYSMONTS_REG_OP_*: 1 create key, 2 delete key, 3 set value, 4 delete value, 5 rename key"),
      f("valueType", "u32", "REG_* type of a set value"),
      f("dataLength", "u32", "bytes of data set"),
      f("reserved", "u32", "zero"),
      f("targetObject", "utf16", "\\REGISTRY\\MACHINE\\... key path, with \\value for value operations"),
      f("details", "utf16", "set value: the data as Sysmon renders it (DWORD (0x...), QWORD, text); rename: the new name"),
    ],
  },
  {
    type: 6, kind: "processAccess", symbol: "PROCESS_ACCESS", version: 1,
    doc: "ObRegisterCallbacks pre-operation on PsProcessType handles (event 10)",
    fields: [
      f("targetProcessId", "u32", "the process being opened"),
      f("grantedAccess", "u32", "DesiredAccess of the handle operation"),
      f("operation", "u32", "1 OB_OPERATION_HANDLE_CREATE, 2 OB_OPERATION_HANDLE_DUPLICATE"),
      f("frameCount", "u32", "number of return addresses in callTrace"),
      f("callTrace", "utf16", "RtlWalkFrameChain return addresses as |-separated hex, resolved to modules by the service"),
    ],
  },
  {
    type: 7, kind: "fileCreate", symbol: "FILE_CREATE", version: 1,
    doc: "minifilter post-IRP_MJ_CREATE that created or overwrote a file (event 11)",
    fields: [
      f("creationTime", "i64", "FILETIME of the file's creation time"),
      f("createDisposition", "u32", "FILE_CREATED, FILE_OVERWRITTEN, FILE_SUPERSEDED"),
      f("reserved", "u32", "zero"),
      f("targetFilename", "utf16", "normalized file name"),
    ],
  },
  {
    type: 8, kind: "fileDelete", symbol: "FILE_DELETE", version: 2,
    doc: "minifilter pre-set-disposition, or post-create of an existing file opened delete-on-close (events 23/26); archival runs in the service",
    fields: [
      f("fileSize", "u64", "end of file at deletion"),
      f("flags", "u32", "SYSMONTS_DELETE_*: 1 executable content (MZ header), 2 delete-on-close, 4 denied by a FileBlockShredding decision, 8 held for the archive (answer holdId), 16 not held: the hold table was full"),
      f("reserved", "u32", "zero"),
      f("targetFilename", "utf16", "normalized file name"),
      f("holdId", "u64", "version 2: with flag 8, the deletion waits until IOCTL_SYSMONTS_BLOCK_DECISION answers this id (or the block timeout passes); 0 otherwise"),
    ],
  },
  {
    type: 9, kind: "fileTime", symbol: "FILE_TIME", version: 1,
    doc: "minifilter pre-IRP_MJ_SET_INFORMATION FileBasicInformation changing CreationTime (event 2)",
    fields: [
      f("creationTime", "i64", "the new creation time, FILETIME"),
      f("previousCreationTime", "i64", "the creation time before the change, FILETIME"),
      f("targetFilename", "utf16", "normalized file name"),
    ],
  },
  {
    type: 10, kind: "fileStream", symbol: "FILE_STREAM", version: 1,
    doc: "minifilter post-create of a named stream, e.g. Zone.Identifier (event 15)",
    fields: [
      f("creationTime", "i64", "FILETIME"),
      f("targetFilename", "utf16", "file name including :stream"),
    ],
  },
  {
    type: 11, kind: "pipe", symbol: "PIPE", version: 1,
    doc: "IRP_MJ_CREATE_NAMED_PIPE (event 17) and IRP_MJ_CREATE on \\Device\\NamedPipe (event 18)",
    fields: [
      f("operation", "u32", "1 created, 2 connected"),
      f("reserved", "u32", "zero"),
      f("pipeName", "utf16", "\\name, relative to the named-pipe file system"),
    ],
  },
  {
    type: 12, kind: "blockRequest", symbol: "BLOCK_REQUEST", version: 1,
    doc: "the minifilter holds a create/delete and asks the service (events 27/28); answered with IOCTL_SYSMONTS_BLOCK_DECISION",
    fields: [
      f("requestId", "u64", "echoed back in the decision"),
      f("operation", "u32", "1 executable create (27), 2 shredding/delete (28)"),
      f("timeoutMs", "u32", "the driver allows the operation when no decision arrives in time"),
      f("targetFilename", "utf16", "normalized file name"),
    ],
  },
  {
    type: 13, kind: "recordsLost", symbol: "RECORDS_LOST", version: 1,
    doc: "the non-paged ring was full: this many records were dropped since the last such record",
    fields: [
      f("lostCount", "u32", "records dropped"),
      f("ringCapacity", "u32", "ring size in bytes"),
    ],
  },
  {
    type: 14, kind: "driverStatus", symbol: "DRIVER_STATUS", version: 1,
    doc: "sent once after IOCTL_SYSMONTS_START: what DriverEntry registered",
    fields: [
      f("protocolVersion", "u32", "DRIVER_PROTOCOL_VERSION of the driver"),
      f("callbacks", "u32", "SYSMONTS_CALLBACK_* bits of the registrations that succeeded"),
      f("ringCapacity", "u32", "ring size in bytes"),
      f("archiveHoldSlots", "u32", "deletions the minifilter holds at once for archive copies; 0: a driver that never holds"),
    ],
  },
  {
    type: 15, kind: "rawAccessRead", symbol: "RAW_ACCESS_READ", version: 1,
    doc: "minifilter pre-IRP_MJ_READ on a volume opened for direct access (DASD: FO_VOLUME_OPEN, no file name), once per file object (event 9)",
    fields: [
      f("fileObjectFlags", "u32", "FILE_OBJECT.Flags of the volume handle, for diagnosis"),
      f("reserved", "u32", "zero"),
      f("device", "utf16", "FltGetVolumeName: the volume's device, e.g. \\Device\\HarddiskVolume2"),
    ],
  },
  {
    type: 16, kind: "processTampering", symbol: "PROCESS_TAMPERING", version: 1,
    doc: "process-create callback: the image file no longer matches what was mapped (event 25)",
    fields: [
      f("processId", "u32", "the new process whose image was tampered with"),
      f("tamperType", "u32", "1 image is replaced, 2 image is locked for access"),
      f("processKey", "u64", "PsGetProcessStartKey"),
      f("createTime", "i64", "PsGetProcessCreateTimeQuadPart, FILETIME"),
      f("evidence", "u32", "bits: 1 the image file object was opened for write, 2 it was written (FO_FILE_MODIFIED), 4 delete pending, 8 re-opening it for read was refused (sharing violation)"),
      f("reserved", "u32", "zero"),
      f("imageFileName", "utf16", "CreateInfo->ImageFileName, NT path"),
    ],
  },
] as const satisfies readonly RecordLayout[];

/** Bits of driverStatus.callbacks and of the driver's Results registry value names. */
export const DRIVER_CALLBACK_BITS = {
  PROCESS: 1, THREAD: 2, IMAGE: 4, REGISTRY: 8, OBJECT: 16, MINIFILTER: 32,
} as const;

/** Bits of fileDelete.flags (SYSMONTS_DELETE_* in the header). */
export const FILE_DELETE_FLAGS = {
  EXECUTABLE: 1, DELETE_ON_CLOSE: 2, DENIED: 4, HELD: 8, NOT_HELD: 16,
} as const;

/** Bits of SYSMONTS_CONFIG_REQUEST.flags (SYSMONTS_CONFIG_* in the header). */
export const CONFIG_FLAGS = {
  HOLD_DELETES: 1,
} as const;

/**
 * The control codes of \\Device\\SysmonTs: CTL_CODE(FILE_DEVICE_UNKNOWN, function, method,
 * FILE_READ_DATA | FILE_WRITE_DATA) so only a handle opened for read and write (Administrators and
 * SYSTEM by the device's SDDL) may send them.
 */
export const DRIVER_IOCTLS = [
  { symbol: "START", functionCode: 0x800, method: 0, doc: "in: SYSMONTS_START_REQUEST; begins queueing records" },
  { symbol: "READ", functionCode: 0x801, method: 2, doc: "out (METHOD_OUT_DIRECT): whole records, 8-byte aligned; blocks until at least one is queued" },
  { symbol: "SET_CONFIG", functionCode: 0x802, method: 0, doc: "in: SYSMONTS_CONFIG_REQUEST; which record types to produce" },
  { symbol: "BLOCK_DECISION", functionCode: 0x803, method: 0, doc: "in: SYSMONTS_BLOCK_DECISION_REQUEST; answers a BLOCK_REQUEST record" },
] as const;

const FILE_DEVICE_UNKNOWN = 0x22;
const FILE_READ_WRITE_ACCESS = 3;

/** CTL_CODE as winioctl.h computes it. */
export function ioctlCode(functionCode: number, method: number): number {
  return ((FILE_DEVICE_UNKNOWN << 16) | (FILE_READ_WRITE_ACCESS << 14) | (functionCode << 2) | method) >>> 0;
}

/** The fixed-size requests the service sends; rendered into the header like the records. */
export const REQUEST_LAYOUTS = [
  {
    symbol: "START_REQUEST", doc: "input of IOCTL_SYSMONTS_START",
    fields: [f("protocolVersion", "u32", "DRIVER_PROTOCOL_VERSION the service speaks"), f("servicePid", "u32", "records caused by this process are not queued")],
  },
  {
    symbol: "CONFIG_REQUEST", doc: "input of IOCTL_SYSMONTS_SET_CONFIG",
    fields: [
      f("protocolVersion", "u32", "DRIVER_PROTOCOL_VERSION"),
      f("enabledRecordTypes", "u32", "bit (1 << type) for every record type to produce"),
      f("blockTimeoutMs", "u32", "how long a BLOCK_REQUEST or a held deletion waits for its answer"),
      f("flags", "u32", "SYSMONTS_CONFIG_*: 1 hold deletions (FILE_DELETE) until the service has archived them"),
    ],
  },
  {
    symbol: "BLOCK_DECISION_REQUEST", doc: "input of IOCTL_SYSMONTS_BLOCK_DECISION",
    fields: [f("requestId", "u64", "from the BLOCK_REQUEST record"), f("block", "u32", "1 deny the operation, 0 allow it"), f("reserved", "u32", "zero")],
  },
] as const;

// ---- decoded shapes, derived from the layouts so they cannot drift -------------------------------

type FieldValue<K extends RecordFieldKind> = K extends "u64" | "i64" ? bigint : K extends "utf16" ? string : number;
type FieldsOf<F extends readonly RecordFieldLayout[]> = { readonly [E in F[number] as E["name"]]: FieldValue<E["kind"]> };

/** What every decoded record carries besides its own fields. */
export interface DriverRecordHeader {
  readonly type: number;
  readonly version: number;
  /** The record's FILETIME converted to ms since the epoch (fractional). */
  readonly timeMs: number;
  readonly pid: number;
  readonly tid: number;
}

type LayoutUnion = (typeof RECORD_LAYOUTS)[number];
export type DriverRecord = {
  [L in LayoutUnion as L["kind"]]: DriverRecordHeader & { readonly kind: L["kind"] } & FieldsOf<L["fields"]>;
}[LayoutUnion["kind"]];
export type DriverRecordKind = DriverRecord["kind"];
export type DriverRecordOf<K extends DriverRecordKind> = Extract<DriverRecord, { kind: K }>;

// ---- offsets --------------------------------------------------------------------------------------

const FIELD_SIZES: Readonly<Record<RecordFieldKind, number>> = { u8: 1, u16: 2, u32: 4, u64: 8, i64: 8, utf16: 4 };

export interface PlacedField extends RecordFieldLayout {
  readonly offset: number;
  readonly size: number;
}

/** Lays fields out packed from `start`; returns them with offsets and the end offset. */
export function placeFields(fields: readonly RecordFieldLayout[], start: number): { fields: PlacedField[]; end: number } {
  let offset = start;
  const placed = fields.map((field) => {
    const size = FIELD_SIZES[field.kind];
    const result = { ...field, offset, size };
    offset += size;
    return result;
  });
  return { fields: placed, end: offset };
}

// ---- decoding -------------------------------------------------------------------------------------

/** 100-ns intervals between 1601-01-01 and 1970-01-01. */
const FILETIME_EPOCH_OFFSET = 116444736000000000n;

/** FILETIME (100 ns since 1601, UTC) → ms since the epoch. */
export function fileTimeToEpochMs(fileTime: bigint): number {
  return Number(fileTime - FILETIME_EPOCH_OFFSET) / 10000;
}

/** ms since the epoch → FILETIME, for tests and for synthesising records. */
export function epochMsToFileTime(epochMs: number): bigint {
  return BigInt(Math.round(epochMs * 10000)) + FILETIME_EPOCH_OFFSET;
}

type FieldReader = (bytes: Buffer, recordStart: number, recordSize: number, target: Record<string, unknown>) => void;

function malformed(message: string, details: Record<string, unknown>): SysmonTsError {
  return new SysmonTsError("SYSMONTS_E_DRIVER_RECORD", message, { details });
}

function readerFor(field: PlacedField, layout: RecordLayout): FieldReader {
  const { name, offset } = field;
  switch (field.kind) {
    case "u8": return (b, s, _n, t) => { t[name] = b.readUInt8(s + offset); };
    case "u16": return (b, s, _n, t) => { t[name] = b.readUInt16LE(s + offset); };
    case "u32": return (b, s, _n, t) => { t[name] = b.readUInt32LE(s + offset); };
    case "u64": return (b, s, _n, t) => { t[name] = b.readBigUInt64LE(s + offset); };
    case "i64": return (b, s, _n, t) => { t[name] = b.readBigInt64LE(s + offset); };
    case "utf16":
      return (b, s, n, t) => {
        const at = b.readUInt16LE(s + offset);
        const length = b.readUInt16LE(s + offset + 2);
        if (length === 0) {
          t[name] = "";
          return;
        }
        if (length % 2 !== 0 || at + length > n) {
          throw malformed(`${layout.symbol} record: string ${name} (offset ${at}, ${length} bytes) lies outside the ${n}-byte record`, { field: name, offset: at, length, recordSize: n });
        }
        t[name] = b.toString("utf16le", s + at, s + at + length);
      };
  }
}

interface CompiledLayout {
  readonly layout: RecordLayout;
  readonly fixedSize: number;
  readonly readers: readonly FieldReader[];
}

/** Readers compiled once per record type, indexed by type: decoding allocates only the result object. */
const COMPILED: readonly (CompiledLayout | undefined)[] = (() => {
  const table: (CompiledLayout | undefined)[] = [];
  for (const layout of RECORD_LAYOUTS as readonly RecordLayout[]) {
    const placed = placeFields(layout.fields, RECORD_HEADER_SIZE);
    table[layout.type] = { layout, fixedSize: placed.end, readers: placed.fields.map((p) => readerFor(p, layout)) };
  }
  return table;
})();

export function recordLayout(type: number): RecordLayout | undefined {
  return COMPILED[type]?.layout;
}

/**
 * Decodes the record at `offset` of `bytes`. Throws SYSMONTS_E_DRIVER_RECORD (with the offset and
 * type in details) for a record that is truncated, of an unknown type, older than its layout, or
 * whose strings point outside it.
 */
export function decodeDriverRecord(bytes: Buffer, offset = 0): DriverRecord {
  const available = bytes.length - offset;
  if (available < RECORD_HEADER_SIZE) {
    throw malformed(`driver record at offset ${offset}: ${available} bytes left, the header needs ${RECORD_HEADER_SIZE}`, { offset });
  }
  const size = bytes.readUInt16LE(offset);
  const type = bytes.readUInt16LE(offset + 2);
  const version = bytes.readUInt32LE(offset + 4);
  if (size < RECORD_HEADER_SIZE || size > available) {
    throw malformed(`driver record at offset ${offset}: size ${size} is outside [${RECORD_HEADER_SIZE}, ${available}]`, { offset, type, size });
  }
  const compiled = COMPILED[type];
  if (!compiled) throw malformed(`driver record at offset ${offset}: unknown type ${type}`, { offset, type, size });
  if (version < compiled.layout.version || size < compiled.fixedSize) {
    throw malformed(`driver record at offset ${offset}: ${compiled.layout.symbol} version ${version}, ${size} bytes is older or shorter than layout version ${compiled.layout.version} (${compiled.fixedSize} bytes)`, { offset, type, size, version });
  }
  const record: Record<string, unknown> = {
    kind: compiled.layout.kind,
    type,
    version,
    timeMs: fileTimeToEpochMs(bytes.readBigInt64LE(offset + 8)),
    pid: bytes.readUInt32LE(offset + 16),
    tid: bytes.readUInt32LE(offset + 20),
  };
  for (const read of compiled.readers) read(bytes, offset, size, record);
  return record as unknown as DriverRecord;
}

export interface DrainResult {
  readonly decoded: number;
  /** Records skipped because they were malformed but had a usable size. */
  readonly malformed: number;
  /** Bytes left undecoded because a size made further walking impossible (counted once in malformed). */
  readonly abandonedBytes: number;
}

/**
 * Walks one IOCTL_SYSMONTS_READ buffer (the first `length` bytes of `bytes`), calling `onRecord`
 * for each record. A malformed record with a plausible size is skipped and reported to `onMalformed`;
 * a record whose size cannot be trusted ends the walk, since nothing after it can be located.
 */
export function drainDriverBuffer(
  bytes: Buffer,
  length: number,
  handlers: { onRecord: (record: DriverRecord) => void; onMalformed?: (error: SysmonTsError) => void },
): DrainResult {
  let offset = 0;
  let decoded = 0;
  let bad = 0;
  const end = Math.min(length, bytes.length);
  const view = end === bytes.length ? bytes : bytes.subarray(0, end);
  while (offset < end) {
    const size = end - offset >= 2 ? view.readUInt16LE(offset) : 0;
    if (size < RECORD_HEADER_SIZE || offset + size > end) {
      bad++;
      handlers.onMalformed?.(malformed(`driver buffer: record at offset ${offset} has size ${size}; ${end - offset} bytes abandoned`, { offset, size }));
      return { decoded, malformed: bad, abandonedBytes: end - offset };
    }
    try {
      handlers.onRecord(decodeDriverRecord(view, offset));
      decoded++;
    } catch (thrown) {
      if (!(thrown instanceof SysmonTsError) || thrown.code !== "SYSMONTS_E_DRIVER_RECORD") throw thrown;
      bad++;
      handlers.onMalformed?.(thrown);
    }
    offset += (size + RECORD_ALIGNMENT - 1) & ~(RECORD_ALIGNMENT - 1);
  }
  return { decoded, malformed: bad, abandonedBytes: 0 };
}

// ---- encoding (what the driver does; used by tests and by replay tools) -------------------------

type EncodeInput<K extends DriverRecordKind> = Omit<DriverRecordOf<K>, "kind" | "type" | "version" | "timeMs"> & { readonly timeMs: number };

/**
 * Builds a record exactly as the driver lays it out (fixed fields, then strings in field order).
 * The C side does the same in driver/windows/src/records.c.
 */
export function encodeDriverRecord<K extends DriverRecordKind>(kind: K, values: EncodeInput<K>): Buffer {
  const layout = (RECORD_LAYOUTS as readonly RecordLayout[]).find((l) => l.kind === kind);
  if (!layout) throw new SysmonTsError("SYSMONTS_E_INTERNAL", `no driver record kind ${kind}`);
  const input = values as unknown as Record<string, unknown>;
  const placed = placeFields(layout.fields, RECORD_HEADER_SIZE);
  const strings = placed.fields.filter((p) => p.kind === "utf16").map((p) => Buffer.from(String(input[p.name] ?? ""), "utf16le"));
  const size = placed.end + strings.reduce((sum, s) => sum + s.length, 0);
  if (size > 0xffff) throw new SysmonTsError("SYSMONTS_E_DRIVER_RECORD", `${layout.symbol} record would be ${size} bytes; records are at most 65535`);
  const out = Buffer.alloc(size);
  out.writeUInt16LE(size, 0);
  out.writeUInt16LE(layout.type, 2);
  out.writeUInt32LE(layout.version, 4);
  out.writeBigInt64LE(epochMsToFileTime(Number(input["timeMs"])), 8);
  out.writeUInt32LE(Number(input["pid"]), 16);
  out.writeUInt32LE(Number(input["tid"]), 20);
  let stringAt = placed.end;
  let stringIndex = 0;
  for (const p of placed.fields) {
    const value = input[p.name];
    switch (p.kind) {
      case "u8": out.writeUInt8(Number(value), p.offset); break;
      case "u16": out.writeUInt16LE(Number(value), p.offset); break;
      case "u32": out.writeUInt32LE(Number(value), p.offset); break;
      case "u64": out.writeBigUInt64LE(BigInt(value as bigint), p.offset); break;
      case "i64": out.writeBigInt64LE(BigInt(value as bigint), p.offset); break;
      case "utf16": {
        const text = strings[stringIndex++] ?? Buffer.alloc(0);
        out.writeUInt16LE(text.length === 0 ? 0 : stringAt, p.offset);
        out.writeUInt16LE(text.length, p.offset + 2);
        text.copy(out, stringAt);
        stringAt += text.length;
        break;
      }
    }
  }
  return out;
}
