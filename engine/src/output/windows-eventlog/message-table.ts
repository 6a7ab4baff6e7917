import { SysmonTsError } from "../../base";
import { ByteWriter } from "./byte-writer";

/** MESSAGE_RESOURCE_ENTRY.Flags: the text is UTF-16LE (winnt.h MESSAGE_RESOURCE_UNICODE). */
const MESSAGE_RESOURCE_UNICODE = 0x0001;
/** An entry's Length is a USHORT: header, text, NUL and padding must fit in it. */
const MAX_ENTRY_BYTES = 0xfffc;

/**
 * Compiles message strings into an RT_MESSAGETABLE resource (winnt.h MESSAGE_RESOURCE_DATA):
 * a count of blocks, each block a run of consecutive IDs with the offset of its first entry, then
 * every entry as Length (bytes, padded to 4), Flags (Unicode) and the NUL-terminated UTF-16 text.
 * FormatMessage(FORMAT_MESSAGE_FROM_HMODULE) and EvtFormatMessage read it; %1… and %n in the text
 * are expanded by them, so the text is stored as written.
 *
 * @example
 * buildMessageTable(new Map([[0xb0000001, "Process Create:%nRuleName: %1"]]));
 */
export function buildMessageTable(messages: ReadonlyMap<number, string>): Buffer {
  const ids = [...messages.keys()].sort((a, b) => a - b);
  const blocks: { low: number; high: number }[] = [];
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) {
      throw new SysmonTsError("SYSMONTS_E_INTERNAL", `message ID ${id} is not a 32-bit unsigned integer`);
    }
    const last = blocks.at(-1);
    if (last && last.high + 1 === id) last.high = id;
    else blocks.push({ low: id, high: id });
  }
  const out = new ByteWriter();
  out.u32(blocks.length);
  const blockAt = out.length;
  for (let i = 0; i < blocks.length * 3; i++) out.u32(0);
  blocks.forEach((block, i) => {
    out.patchU32(blockAt + i * 12, block.low);
    out.patchU32(blockAt + i * 12 + 4, block.high);
    out.patchU32(blockAt + i * 12 + 8, out.length);
    for (let id = block.low; id <= block.high; id++) {
      const text = messages.get(id)!;
      const length = (4 + (text.length + 1) * 2 + 3) & ~3;
      if (length > MAX_ENTRY_BYTES) {
        throw new SysmonTsError("SYSMONTS_E_INTERNAL", `message 0x${id.toString(16)} is ${text.length} characters, more than a message table entry holds`);
      }
      const start = out.length;
      out.u16(length);
      out.u16(MESSAGE_RESOURCE_UNICODE);
      out.utf16(text);
      out.u16(0);
      while (out.length - start < length) out.u8(0);
    }
  });
  return out.done();
}

/** Reads a message table back: ID → text. The inverse of buildMessageTable, for checks and tools. */
export function readMessageTable(data: Buffer): Map<number, string> {
  const fail = (reason: string): never => {
    throw new SysmonTsError("SYSMONTS_E_INTERNAL", `message table: ${reason}`);
  };
  if (data.length < 4) fail("shorter than its block count");
  const count = data.readUInt32LE(0);
  if (4 + count * 12 > data.length) fail(`${count} blocks do not fit in ${data.length} bytes`);
  const messages = new Map<number, string>();
  for (let b = 0; b < count; b++) {
    const low = data.readUInt32LE(4 + b * 12);
    const high = data.readUInt32LE(8 + b * 12);
    let at = data.readUInt32LE(12 + b * 12);
    for (let id = low; id <= high; id++) {
      if (at + 4 > data.length) fail(`entry 0x${id.toString(16)} at byte ${at} is past the end`);
      const length = data.readUInt16LE(at);
      const flags = data.readUInt16LE(at + 2);
      if (length < 4 || at + length > data.length) fail(`entry 0x${id.toString(16)} at byte ${at} has length ${length}`);
      const raw = flags & MESSAGE_RESOURCE_UNICODE ? data.toString("utf16le", at + 4, at + length) : data.toString("latin1", at + 4, at + length);
      messages.set(id, raw.replace(/\0+$/, ""));
      at += length;
    }
  }
  return messages;
}
