/**
 * The wire format between the eBPF programs (driver/linux/sysmonts.bpf.c) and the engine,
 * declared once. `renderRecordsHeader()` turns this declaration into driver/linux/records.h
 * (committed; layout.test.ts fails when it is stale, and the header's _Static_asserts make
 * clang fail when C would lay a struct out differently), and decode.ts reads records with the
 * offsets computed here. Edit this file, then run `node driver/linux/generate-records-header.mjs`.
 *
 * Every record starts with the common header; fixed fields follow at natural alignment; a
 * record's variable-length parts ("tails", e.g. the image path and argv) follow the fixed
 * part back to back, in declaration order, each sized by its `<name>_len` field. So a record
 * costs the ring buffer only the bytes it really carries.
 *
 * Deliberately free of imports and of TypeScript-only syntax beyond types: the generator runs
 * it directly with Node's type stripping.
 */

export type ScalarType = "u8" | "u16" | "u32" | "s32" | "u64" | "s64";

export interface FieldDeclaration {
  readonly name: string;
  readonly type: ScalarType;
  /** A fixed-size array of `type` (e.g. 16 address bytes) when set. */
  readonly count?: number;
}

export interface FieldLayout extends FieldDeclaration {
  readonly offset: number;
  readonly size: number;
}

export interface RecordDeclaration {
  /** snake_case; the C struct is `sysmonts_<name>_record`. */
  readonly name: string;
  readonly kind: number;
  readonly fields: readonly FieldDeclaration[];
  /** Variable-length parts after the fixed fields, in order; each has a u32 `<tail>_len` field. */
  readonly tails: readonly string[];
}

export interface RecordLayout {
  readonly name: string;
  readonly kind: number;
  readonly fields: readonly FieldLayout[];
  readonly fieldOffset: Readonly<Record<string, number>>;
  readonly tails: readonly string[];
  /** Size of the fixed part including the header; tails start here. */
  readonly fixedSize: number;
}

const SCALAR_SIZE: Readonly<Record<ScalarType, number>> = { u8: 1, u16: 2, u32: 4, s32: 4, u64: 8, s64: 8 };

/** Record kinds: the first u16 of every record. */
export const RECORD_KIND = {
  exec: 1,
  exit: 2,
  network: 3,
  fileCreate: 4,
  fileDelete: 5,
  rawAccess: 6,
  processAccess: 7,
  bpf: 8,
  dns: 9,
  fileTime: 10,
  imageLoad: 11,
} as const;

/** Bits of the header's `flags`. */
export const RECORD_FLAG = {
  /** argv was longer than ARGV_MAX_BYTES and was cut. */
  argvTruncated: 1,
  /** A path walk gave up at PATH_MAX_DEPTH components; the path starts with "+/" (linux-sensors.md §2). */
  pathPartial: 2,
  /** file-delete of a directory (rmdir, unlinkat AT_REMOVEDIR). */
  directory: 4,
  /** dns: the payload was longer than DNS_MAX_BYTES and was cut. */
  dnsTruncated: 8,
  /** file_time: the mtime before the call is unknown (a path-based call; driver/linux/README.md). */
  previousTimeUnknown: 16,
  /** exec: the executable's dentry is unhashed or its inode has no links (memfd, deleted file). */
  imageUnlinked: 32,
} as const;

/** Values of process_access.operation. */
export const ACCESS_OPERATION = { ptraceAttach: 1, ptraceSeize: 2, vmReadv: 3, vmWritev: 4 } as const;

export const SENSOR_LIMITS = {
  /** Longest path a walk produces, without a NUL (one page, like PATH_MAX). */
  PATH_MAX_BYTES: 4095,
  /** Directory levels walked before a path is reported partial. */
  PATH_MAX_DEPTH: 64,
  /** argv bytes copied from mm->arg_start (Sysmon keeps 16383, linux-sensors.md §2). */
  ARGV_MAX_BYTES: 16384,
  /** DNS payload bytes copied per message or TCP segment (EDNS answers commonly reach 1232 bytes). */
  DNS_MAX_BYTES: 4096,
  /** The per-CPU scratch record; every record is built there, then copied out at its real size. */
  SCRATCH_BYTES: 32768,
} as const;

/** Indices into the per-CPU `counters` map. */
export const KERNEL_COUNTER = { produced: 0, lostRingBuffer: 1 } as const;
export const KERNEL_COUNTER_COUNT = 2;

/** Number of entries in the `enabled_kinds` array map (indexed by record kind). */
export const ENABLED_KINDS_SLOTS = 16;

export const HEADER_FIELDS: readonly FieldDeclaration[] = [
  { name: "kind", type: "u16" },
  { name: "flags", type: "u16" },
  /** Thread-group id of the acting task. */
  { name: "pid", type: "u32" },
  { name: "tid", type: "u32" },
  /** Real uid (cred->uid). */
  { name: "uid", type: "u32" },
  /** bpf_ktime_get_boot_ns(): nanoseconds since boot, suspend included. */
  { name: "time_ns", type: "u64" },
];

const ADDRESS = 16;

export const RECORD_DECLARATIONS: readonly RecordDeclaration[] = [
  {
    name: "exec",
    kind: RECORD_KIND.exec,
    fields: [
      { name: "parent_pid", type: "u32" },
      { name: "session_id", type: "u32" },
      { name: "login_uid", type: "u32" },
      { name: "tty_index", type: "s32" },
      { name: "start_ns", type: "u64" },
      { name: "process_key", type: "u64" },
    ],
    tails: ["image", "cwd", "argv"],
  },
  {
    name: "exit",
    kind: RECORD_KIND.exit,
    fields: [
      { name: "exit_status", type: "s32" },
      { name: "reserved", type: "u32" },
      { name: "start_ns", type: "u64" },
      { name: "process_key", type: "u64" },
    ],
    tails: [],
  },
  {
    name: "network",
    kind: RECORD_KIND.network,
    fields: [
      /** IPPROTO_TCP (6) or IPPROTO_UDP (17). */
      { name: "protocol", type: "u8" },
      /** 1 when this side initiated (connect, send), 0 when it accepted. */
      { name: "outbound", type: "u8" },
      /** AF_INET (2) or AF_INET6 (10). */
      { name: "family", type: "u16" },
      { name: "local_port", type: "u16" },
      { name: "remote_port", type: "u16" },
      { name: "local_addr", type: "u8", count: ADDRESS },
      { name: "remote_addr", type: "u8", count: ADDRESS },
    ],
    tails: [],
  },
  { name: "file_create", kind: RECORD_KIND.fileCreate, fields: [], tails: ["path"] },
  { name: "file_delete", kind: RECORD_KIND.fileDelete, fields: [], tails: ["path"] },
  { name: "raw_access", kind: RECORD_KIND.rawAccess, fields: [], tails: ["path"] },
  /** A file mapped executable by mmap (event 7): ld.so's text segments, dlopen. */
  { name: "image_load", kind: RECORD_KIND.imageLoad, fields: [], tails: ["path"] },
  {
    name: "process_access",
    kind: RECORD_KIND.processAccess,
    fields: [
      { name: "target_pid", type: "u32" },
      { name: "operation", type: "u32" },
    ],
    tails: [],
  },
  {
    name: "bpf",
    kind: RECORD_KIND.bpf,
    fields: [
      { name: "command", type: "u32" },
      { name: "program_type", type: "u32" },
      { name: "program_fd", type: "s32" },
      { name: "reserved", type: "u32" },
      { name: "program_name", type: "u8", count: 16 },
    ],
    tails: [],
  },
  {
    name: "dns",
    kind: RECORD_KIND.dns,
    fields: [
      { name: "protocol", type: "u8" },
      /** 1 for a message the process sent, 0 for one it received. */
      { name: "outgoing", type: "u8" },
      { name: "reserved", type: "u16" },
      /** TCP: which connection this piece of the byte stream belongs to (from the socket's address). */
      { name: "stream", type: "u32" },
      /** TCP: bytes the call moved in this segment; more than message_len when the copy was cut. */
      { name: "segment_len", type: "u32" },
    ],
    /** UDP: one whole DNS message. TCP: one segment of the stream, framed by 2-byte lengths (RFC 1035 §4.2.2). */
    tails: ["message"],
  },
  {
    /** A file's modification time set earlier than it was (event 2 on Linux, driver/linux/README.md). */
    name: "file_time",
    kind: RECORD_KIND.fileTime,
    fields: [
      /** The mtime after the call: seconds since the epoch (negative before 1970) and nanoseconds. */
      { name: "new_sec", type: "s64" },
      /** The mtime before the call; zero when the header flags say previousTimeUnknown. */
      { name: "previous_sec", type: "s64" },
      { name: "new_nsec", type: "u32" },
      { name: "previous_nsec", type: "u32" },
    ],
    tails: ["path"],
  },
];

/** The runtime configuration in `.rodata`, written by the loader before load. */
export const CONFIG_FIELDS: readonly FieldDeclaration[] = [
  /** The engine's own tgid: its activity never produces records (no feedback loops). */
  { name: "self_tgid", type: "u32" },
  /** FMODE_CREATED in struct file's f_mode (include/linux/fs.h; 0x100000 since 4.19). */
  { name: "fmode_created", type: "u32" },
  /**
   * CLOCK_REALTIME − CLOCK_BOOTTIME in ns when the sensor loaded: the kernel's "now" on the wall
   * clock, for deciding whether a path-based utimes call set a time in the past.
   */
  { name: "boot_to_wall_ns", type: "u64" },
];

function layOut(fields: readonly FieldDeclaration[], start: number): { fields: FieldLayout[]; end: number } {
  const placed: FieldLayout[] = [];
  let offset = start;
  for (const field of fields) {
    const align = SCALAR_SIZE[field.type];
    offset = Math.ceil(offset / align) * align;
    const size = align * (field.count ?? 1);
    placed.push({ ...field, offset, size });
    offset += size;
  }
  return { fields: placed, end: offset };
}

function finish(name: string, kind: number, fields: FieldLayout[], end: number, tails: readonly string[]): RecordLayout {
  // Structs end 8-aligned because the header holds a u64; C pads the same way.
  const fixedSize = Math.ceil(end / 8) * 8;
  const fieldOffset: Record<string, number> = {};
  for (const field of fields) fieldOffset[field.name] = field.offset;
  return { name, kind, fields, fieldOffset, tails, fixedSize };
}

export const HEADER_LAYOUT: RecordLayout = (() => {
  const { fields, end } = layOut(HEADER_FIELDS, 0);
  return finish("header", 0, fields, end, []);
})();

/** Fixed-part fields of one record, after the header, with `<tail>_len` fields appended. */
function recordLayout(declaration: RecordDeclaration): RecordLayout {
  const own = [...declaration.fields, ...declaration.tails.map((tail): FieldDeclaration => ({ name: `${tail}_len`, type: "u32" }))];
  const { fields, end } = layOut(own, HEADER_LAYOUT.fixedSize);
  return finish(declaration.name, declaration.kind, [...HEADER_LAYOUT.fields, ...fields], end, declaration.tails);
}

export const RECORD_LAYOUTS: readonly RecordLayout[] = RECORD_DECLARATIONS.map(recordLayout);

export const CONFIG_LAYOUT: RecordLayout = (() => {
  const { fields, end } = layOut(CONFIG_FIELDS, 0);
  return finish("config", 0, fields, end, []);
})();

/** Layout of a record kind, or undefined for a kind this engine does not know. */
export function layoutOfKind(kind: number): RecordLayout | undefined {
  return RECORD_LAYOUTS.find((layout) => layout.kind === kind);
}

export function requireLayout(name: string): RecordLayout {
  const layout = RECORD_LAYOUTS.find((candidate) => candidate.name === name);
  if (layout === undefined) throw new Error(`no record layout named ${name}`);
  return layout;
}

const C_TYPE: Readonly<Record<ScalarType, string>> = { u8: "__u8", u16: "__u16", u32: "__u32", s32: "__s32", u64: "__u64", s64: "__s64" };

function renderStruct(structName: string, layout: RecordLayout, skipHeader: boolean): string[] {
  const lines = [`struct ${structName} {`];
  if (skipHeader) lines.push("\tstruct sysmonts_header header;");
  for (const field of layout.fields) {
    if (skipHeader && field.offset < HEADER_LAYOUT.fixedSize) continue;
    lines.push(`\t${C_TYPE[field.type]} ${field.name}${field.count === undefined ? "" : `[${field.count}]`};`);
  }
  lines.push("};");
  if (layout.tails.length > 0) lines.push(`/* followed by: ${layout.tails.join(", ")} (sizes in the *_len fields) */`);
  lines.push(`_Static_assert(sizeof(struct ${structName}) == ${layout.fixedSize}, "${structName}: size differs from layout.ts");`);
  for (const field of layout.fields) {
    if (skipHeader && field.offset < HEADER_LAYOUT.fixedSize) continue;
    lines.push(
      `_Static_assert(__builtin_offsetof(struct ${structName}, ${field.name}) == ${field.offset}, "${structName}.${field.name}: offset differs from layout.ts");`,
    );
  }
  return lines;
}

function defineAll(prefix: string, values: Readonly<Record<string, number>>): string[] {
  return Object.entries(values).map(([key, value]) => `#define ${prefix}${key.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase()} ${value}`);
}

/** The C header the eBPF programs include: driver/linux/records.h. */
export function renderRecordsHeader(): string {
  const lines = [
    "/* SPDX-License-Identifier: GPL-2.0 */",
    "/* GENERATED from engine/src/sensor/linux/layout.ts by driver/linux/generate-records-header.mjs. Do not edit. */",
    "#ifndef SYSMONTS_RECORDS_H",
    "#define SYSMONTS_RECORDS_H",
    "",
    ...defineAll("SYSMONTS_KIND_", RECORD_KIND),
    ...defineAll("SYSMONTS_FLAG_", RECORD_FLAG),
    ...defineAll("SYSMONTS_ACCESS_", ACCESS_OPERATION),
    ...defineAll("SYSMONTS_", SENSOR_LIMITS),
    ...defineAll("SYSMONTS_COUNTER_", KERNEL_COUNTER),
    `#define SYSMONTS_COUNTER_COUNT ${KERNEL_COUNTER_COUNT}`,
    `#define SYSMONTS_ENABLED_KINDS_SLOTS ${ENABLED_KINDS_SLOTS}`,
    "",
    ...renderStruct("sysmonts_header", HEADER_LAYOUT, false),
    "",
    ...renderStruct("sysmonts_config", CONFIG_LAYOUT, false),
  ];
  for (const layout of RECORD_LAYOUTS) lines.push("", ...renderStruct(`sysmonts_${layout.name}_record`, layout, true));
  lines.push("", "#endif", "");
  return lines.join("\n");
}
