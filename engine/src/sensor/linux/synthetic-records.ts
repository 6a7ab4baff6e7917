/**
 * Builds records exactly as the eBPF programs lay them out, from the same declaration
 * (layout.ts). For decoder tests and the drain benchmark, which need records without a kernel;
 * not used on the product path.
 */
import { HEADER_LAYOUT, requireLayout, type FieldLayout } from "./layout";

export type SyntheticFieldValue = number | bigint | Uint8Array;

export interface SyntheticRecord {
  /** A layout name from layout.ts, e.g. "exec". */
  readonly layout: string;
  /** Field values by name (header fields included); unnamed fields are 0. `kind` defaults to the layout's. */
  readonly fields?: Readonly<Record<string, SyntheticFieldValue>>;
  /** Tail bytes by tail name; their `<tail>_len` fields are filled in unless given in `fields`. */
  readonly tails?: Readonly<Record<string, Uint8Array | string>>;
}

function writeField(target: Buffer, field: FieldLayout, value: SyntheticFieldValue): void {
  if (value instanceof Uint8Array) {
    target.set(value.subarray(0, field.size), field.offset);
    return;
  }
  switch (field.type) {
    case "u8":
      target.writeUInt8(Number(value), field.offset);
      break;
    case "u16":
      target.writeUInt16LE(Number(value), field.offset);
      break;
    case "u32":
      target.writeUInt32LE(Number(value), field.offset);
      break;
    case "s32":
      target.writeInt32LE(Number(value), field.offset);
      break;
    case "u64":
      target.writeBigUInt64LE(BigInt(value), field.offset);
      break;
    case "s64":
      target.writeBigInt64LE(BigInt(value), field.offset);
      break;
  }
}

/** The record's bytes: fixed part, then the tails back to back. */
export function encodeSyntheticRecord(record: SyntheticRecord): Buffer {
  const layout = requireLayout(record.layout);
  const tails = layout.tails.map((name) => {
    const value = record.tails?.[name] ?? new Uint8Array(0);
    return typeof value === "string" ? Buffer.from(value, "utf8") : value;
  });
  const total = layout.fixedSize + tails.reduce((sum, tail) => sum + tail.length, 0);
  const bytes = Buffer.alloc(total);
  const values: Record<string, SyntheticFieldValue> = { kind: layout.kind };
  layout.tails.forEach((name, index) => (values[`${name}_len`] = tails[index]?.length ?? 0));
  Object.assign(values, record.fields);
  for (const field of layout.fields) {
    const value = values[field.name];
    if (value !== undefined) writeField(bytes, field, value);
  }
  let at = layout.fixedSize;
  for (const tail of tails) {
    bytes.set(tail, at);
    at += tail.length;
  }
  return bytes;
}

export const SYNTHETIC_HEADER_BYTES = HEADER_LAYOUT.fixedSize;
