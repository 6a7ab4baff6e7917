/**
 * Renders driver/windows/include/sysmonts_records.h from the layouts in driver-records.ts, so the
 * driver and the decoder share one declaration. The header asserts every offset and size this side
 * computed; a C compiler building the driver therefore proves the two agree.
 */
import {
  CONFIG_FLAGS,
  DRIVER_CALLBACK_BITS,
  FILE_DELETE_FLAGS,
  DRIVER_IOCTLS,
  DRIVER_PROTOCOL_VERSION,
  RECORD_ALIGNMENT,
  RECORD_HEADER_FIELDS,
  RECORD_HEADER_SIZE,
  RECORD_LAYOUTS,
  REQUEST_LAYOUTS,
  ioctlCode,
  placeFields,
  type PlacedField,
  type RecordFieldKind,
  type RecordFieldLayout,
  type RecordLayout,
} from "./driver-records";

/** Where the rendered header lives, relative to the repository root. */
export const RECORD_HEADER_PATH = "driver/windows/include/sysmonts_records.h";

const C_TYPES: Readonly<Record<RecordFieldKind, string>> = {
  u8: "uint8_t", u16: "uint16_t", u32: "uint32_t", u64: "uint64_t", i64: "int64_t", utf16: "SYSMONTS_STRING",
};

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function struct(name: string, doc: string, fields: readonly PlacedField[], leading: readonly string[], size: number): string[] {
  const lines = [`/* ${doc} */`, `typedef struct ${name} {`, ...leading];
  for (const field of fields) lines.push(`    ${C_TYPES[field.kind]} ${pascal(field.name)}; /* +${field.offset}: ${field.doc} */`);
  lines.push(`} ${name};`);
  lines.push(`SYSMONTS_STATIC_ASSERT(sizeof(${name}) == ${size}, "${name} size");`);
  for (const field of fields) {
    lines.push(`SYSMONTS_STATIC_ASSERT(offsetof(${name}, ${pascal(field.name)}) == ${field.offset}, "${name}.${pascal(field.name)} offset");`);
  }
  lines.push("");
  return lines;
}

function hex(value: number): string {
  return `0x${value.toString(16).toUpperCase()}`;
}

/** The complete header text, byte for byte what is committed. */
export function renderRecordHeader(): string {
  const out: string[] = [
    "/*",
    " * sysmonts_records.h - records and control codes shared by the SysmonTs driver and service.",
    " *",
    " * GENERATED from engine/src/sensor/windows/driver-records.ts by driver/windows/generate-header.mjs.",
    " * Do not edit: change the TypeScript layout and regenerate; a unit test fails while they differ.",
    " *",
    " * Packed, little-endian. Every record begins with SYSMONTS_RECORD_HEADER; strings are",
    " * {offset from record start, length in bytes} of UTF-16LE text without terminator, stored after",
    " * the fixed fields. Records in a READ buffer start on SYSMONTS_RECORD_ALIGNMENT boundaries.",
    " * A newer driver may append fixed fields and raise a record's Version; readers ignore the rest.",
    " */",
    "#ifndef SYSMONTS_RECORDS_H",
    "#define SYSMONTS_RECORDS_H",
    "",
    "#include <stddef.h>",
    "#include <stdint.h>",
    "",
    "#if defined(__cplusplus)",
    "#define SYSMONTS_STATIC_ASSERT(expr, text) static_assert(expr, text)",
    "#else",
    "#define SYSMONTS_STATIC_ASSERT(expr, text) _Static_assert(expr, text)",
    "#endif",
    "",
    `#define SYSMONTS_PROTOCOL_VERSION ${DRIVER_PROTOCOL_VERSION}u`,
    `#define SYSMONTS_RECORD_ALIGNMENT ${RECORD_ALIGNMENT}u`,
    "#define SYSMONTS_DEVICE_NAME L\"\\\\Device\\\\SysmonTs\"",
    "#define SYSMONTS_DOS_DEVICE_NAME L\"\\\\DosDevices\\\\SysmonTs\"",
    "#define SYSMONTS_USER_DEVICE_PATH L\"\\\\\\\\.\\\\SysmonTs\"",
    "",
    "/* CTL_CODE(FILE_DEVICE_UNKNOWN, function, method, FILE_READ_DATA | FILE_WRITE_DATA) */",
  ];
  for (const ioctl of DRIVER_IOCTLS) {
    out.push(`#define IOCTL_SYSMONTS_${ioctl.symbol} ${hex(ioctlCode(ioctl.functionCode, ioctl.method))}u /* ${ioctl.doc} */`);
  }
  out.push("");
  for (const layout of RECORD_LAYOUTS as readonly RecordLayout[]) {
    out.push(`#define SYSMONTS_RECORD_${layout.symbol} ${layout.type}u /* ${layout.doc} */`);
    out.push(`#define SYSMONTS_RECORD_${layout.symbol}_VERSION ${layout.version}u`);
  }
  out.push("");
  for (const [name, bit] of Object.entries(DRIVER_CALLBACK_BITS)) out.push(`#define SYSMONTS_CALLBACK_${name} ${bit}u`);
  for (const [name, bit] of Object.entries(FILE_DELETE_FLAGS)) out.push(`#define SYSMONTS_DELETE_${name} ${bit}u`);
  for (const [name, bit] of Object.entries(CONFIG_FLAGS)) out.push(`#define SYSMONTS_CONFIG_${name} ${bit}u`);
  out.push("", "#pragma pack(push, 1)", "");
  out.push(
    "/* A UTF-16LE string stored in the same record. Length 0 means empty (Offset is then 0). */",
    "typedef struct SYSMONTS_STRING {",
    "    uint16_t Offset; /* bytes from the start of the record */",
    "    uint16_t Length; /* bytes, no terminator */",
    "} SYSMONTS_STRING;",
    'SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_STRING) == 4, "SYSMONTS_STRING size");',
    "",
  );
  const header = placeFields(RECORD_HEADER_FIELDS as readonly RecordFieldLayout[], 0);
  out.push(...struct("SYSMONTS_RECORD_HEADER", "Common to every record.", header.fields, [], RECORD_HEADER_SIZE));
  for (const layout of RECORD_LAYOUTS as readonly RecordLayout[]) {
    const placed = placeFields(layout.fields, RECORD_HEADER_SIZE);
    out.push(...struct(`SYSMONTS_${layout.symbol}_RECORD`, layout.doc, placed.fields, ["    SYSMONTS_RECORD_HEADER Header; /* +0 */"], placed.end));
  }
  for (const request of REQUEST_LAYOUTS) {
    const placed = placeFields(request.fields, 0);
    out.push(...struct(`SYSMONTS_${request.symbol}`, request.doc, placed.fields, [], placed.end));
  }
  out.push("#pragma pack(pop)", "", "#endif /* SYSMONTS_RECORDS_H */", "");
  return out.join("\n");
}
