import { SysmonTsError } from "../../base";
import { eventDef } from "../../schema";
import type { EventDef, FieldType, SysmonEvent } from "../../schema";
import { guidToBytes } from "./guid";
import { EVENTLOG_CHANNEL_KEYWORD, EVENTLOG_CHANNEL_VALUE } from "./manifest";

/**
 * The event log keeps at most 31839 characters of one string; Sysmon cuts longer values to
 * that length with the last three characters replaced by "..." (spec/events.md §4, Paths).
 */
export const EVENTLOG_MAX_STRING_CHARS = 31839;

/** Sizes of the fixed-width inTypes (win:Boolean is a 32-bit BOOL). */
const FIXED_SIZE: Readonly<Partial<Record<FieldType, number>>> = { guid: 16, uint32: 4, hex32: 4, uint16: 2, uint64: 8, hex64: 8, bool: 4 };

/** One event's user data: the field bytes back to back, and where each field starts and ends. */
export interface PackedPayload {
  readonly bytes: Buffer;
  /** Byte offset of field i in `bytes`. */
  readonly offsets: Uint32Array;
  /** Byte size of field i (strings include their UTF-16 NUL). */
  readonly sizes: Uint32Array;
}

function eventLogString(text: string): string {
  if (text.length <= EVENTLOG_MAX_STRING_CHARS) return text;
  return text.slice(0, EVENTLOG_MAX_STRING_CHARS - 3) + "...";
}

function parseInteger(def: EventDef, field: number, text: string): bigint {
  // "-" is Sysmon's placeholder for a value it does not have; the typed field then carries 0.
  if (text === "-") return 0n;
  if (/^(0x[0-9a-fA-F]+|\d+)$/.test(text)) return BigInt(text);
  throw new SysmonTsError("SYSMONTS_E_INTERNAL", `event ${def.id} field ${def.fields[field]?.name}: '${text}' is not an unsigned integer`, {
    details: { eventId: def.id, field: def.fields[field]?.name, value: text },
  });
}

/**
 * Packs an event's values into the byte layout its manifest template declares, in manifest
 * order, ready to be pointed at by EVENT_DATA_DESCRIPTORs: strings as NUL-terminated UTF-16LE,
 * GUIDs as GUID structs, integers little-endian at their declared width, booleans as BOOL.
 *
 * @example
 * const packed = packEventPayload(eventFromFields(5, { ProcessId: "42" }));
 * packed.sizes.length; // number of fields of event 5
 */
export function packEventPayload(event: SysmonEvent): PackedPayload {
  const def = eventDef(event.id);
  const count = def.fields.length;
  const offsets = new Uint32Array(count);
  const sizes = new Uint32Array(count);
  const strings: string[] = new Array<string>(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const type = def.fields[i]!.type;
    let size = FIXED_SIZE[type];
    if (size === undefined) {
      const text = eventLogString(event.values[i] ?? "-");
      strings[i] = text;
      size = (text.length + 1) * 2;
    }
    offsets[i] = total;
    sizes[i] = size;
    total += size;
  }
  const bytes = Buffer.alloc(total);
  for (let i = 0; i < count; i++) {
    const field = def.fields[i]!;
    const at = offsets[i]!;
    const text = event.values[i] ?? "-";
    switch (field.type) {
      case "string":
        bytes.write(strings[i]!, at, "utf16le");
        break;
      case "guid":
        if (text !== "-") guidToBytes(text, bytes, at);
        break;
      case "uint16":
        bytes.writeUInt16LE(Number(parseInteger(def, i, text) & 0xffffn), at);
        break;
      case "uint32":
      case "hex32":
        bytes.writeUInt32LE(Number(parseInteger(def, i, text) & 0xffffffffn), at);
        break;
      case "uint64":
      case "hex64":
        bytes.writeBigUInt64LE(BigInt.asUintN(64, parseInteger(def, i, text)), at);
        break;
      case "bool":
        bytes.writeUInt32LE(text === "true" ? 1 : 0, at);
        break;
    }
  }
  return { bytes, offsets, sizes };
}

/** sizeof(EVENT_DATA_DESCRIPTOR): ULONGLONG Ptr; ULONG Size; ULONG Reserved (evntprov.h). */
export const EVENT_DATA_DESCRIPTOR_SIZE = 16;

/**
 * Builds the EVENT_DATA_DESCRIPTOR array for a packed payload whose bytes live at `baseAddress`
 * (the payload Buffer's address, which the caller keeps alive until EventWriteEx returns).
 */
export function buildDataDescriptors(payload: PackedPayload, baseAddress: bigint): Buffer {
  const out = Buffer.alloc(payload.sizes.length * EVENT_DATA_DESCRIPTOR_SIZE);
  for (let i = 0; i < payload.sizes.length; i++) {
    const at = i * EVENT_DATA_DESCRIPTOR_SIZE;
    out.writeBigUInt64LE(baseAddress + BigInt(payload.offsets[i]!), at);
    out.writeUInt32LE(payload.sizes[i]!, at + 8);
  }
  return out;
}

/** sizeof(EVENT_DESCRIPTOR): USHORT Id; UCHAR Version, Channel, Level, Opcode; USHORT Task; ULONGLONG Keyword. */
export const EVENT_DESCRIPTOR_SIZE = 16;

/** The EVENT_DESCRIPTOR the manifest declares for an event: task = ID, opcode win:Info, channel keyword. */
export function buildEventDescriptor(id: number): Buffer {
  const def = eventDef(id);
  const out = Buffer.alloc(EVENT_DESCRIPTOR_SIZE);
  out.writeUInt16LE(def.id, 0);
  out.writeUInt8(def.version, 2);
  out.writeUInt8(EVENTLOG_CHANNEL_VALUE, 3);
  out.writeUInt8(def.levelValue, 4);
  out.writeUInt8(0, 5);
  out.writeUInt16LE(def.id, 6);
  out.writeBigUInt64LE(EVENTLOG_CHANNEL_KEYWORD, 8);
  return out;
}
