import { createHash } from "node:crypto";
import { SysmonTsError } from "../../base";

const GUID_TEXT = /^\{?([0-9a-fA-F]{8})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{12})\}?$/;

/**
 * Writes a GUID's 16 bytes as Windows lays out a GUID struct: Data1/Data2/Data3 little-endian,
 * Data4 in order (the layout ETW's win:GUID inType expects).
 *
 * @example
 * guidToBytes("{5770385F-C22A-43E0-BF4C-06F5698FFBD9}")[0]; // 0x5f
 */
export function guidToBytes(text: string, into: Uint8Array = new Uint8Array(16), offset = 0): Uint8Array {
  const m = GUID_TEXT.exec(text);
  if (!m) throw new SysmonTsError("SYSMONTS_E_INTERNAL", `'${text}' is not a GUID`);
  const view = new DataView(into.buffer, into.byteOffset + offset, 16);
  view.setUint32(0, parseInt(m[1]!, 16), true);
  view.setUint16(4, parseInt(m[2]!, 16), true);
  view.setUint16(6, parseInt(m[3]!, 16), true);
  const tail = m[4]! + m[5]!;
  for (let i = 0; i < 8; i++) view.setUint8(8 + i, parseInt(tail.slice(i * 2, i * 2 + 2), 16));
  return into;
}

/** The braced uppercase text of 16 GUID-struct bytes (the inverse of guidToBytes). */
export function guidFromBytes(bytes: Uint8Array, offset = 0): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 16);
  const hex = (n: number, width: number): string => n.toString(16).toUpperCase().padStart(width, "0");
  let tail = "";
  for (let i = 8; i < 16; i++) tail += hex(view.getUint8(i), 2);
  return `{${hex(view.getUint32(0, true), 8)}-${hex(view.getUint16(4, true), 4)}-${hex(view.getUint16(6, true), 4)}-${tail.slice(0, 4)}-${tail.slice(4)}}`;
}

/**
 * The provider GUID Windows derives from a provider name, so that tools which only know the
 * name (`logman`, `tracerpt`, EventSource/TraceLogging consumers) find the same provider:
 * SHA-1 over the fixed namespace {482C2DB2-C390-47C8-87F8-1A15BFC130FB} followed by the
 * uppercased name in UTF-16BE, first 16 bytes, version nibble set to 5 (RFC 4122 name-based
 * GUID as documented for EventSource.GetGuid and TraceLoggingRegister).
 *
 * @example
 * providerGuidFromName("SysmonTs"); // stable braced uppercase GUID
 */
export function providerGuidFromName(name: string): string {
  const namespace = Buffer.from([0x48, 0x2c, 0x2d, 0xb2, 0xc3, 0x90, 0x47, 0xc8, 0x87, 0xf8, 0x1a, 0x15, 0xbf, 0xc1, 0x30, 0xfb]);
  const upper = name.toUpperCase();
  const nameBytes = Buffer.alloc(upper.length * 2);
  for (let i = 0; i < upper.length; i++) nameBytes.writeUInt16BE(upper.charCodeAt(i), i * 2);
  const digest = createHash("sha1").update(namespace).update(nameBytes).digest();
  digest[7] = (digest[7]! & 0x0f) | 0x50;
  return guidFromBytes(digest);
}
