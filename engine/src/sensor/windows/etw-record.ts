/**
 * EVENT_RECORD as ProcessTrace hands it to an EventRecordCallback (evntcons.h), x64 layout:
 *
 *   EVENT_HEADER (80 bytes)                    offset
 *     USHORT Size, HeaderType, Flags, EventProperty   0, 2, 4, 6
 *     ULONG ThreadId, ProcessId                        8, 12
 *     LARGE_INTEGER TimeStamp                          16  (FILETIME unless raw timestamps were asked for)
 *     GUID ProviderId                                  24
 *     EVENT_DESCRIPTOR { USHORT Id; UCHAR Version, Channel, Level, Opcode; USHORT Task; ULONGLONG Keyword }  40
 *     ULONG KernelTime, UserTime (or ULONG64 ProcessorTime)  56
 *     GUID ActivityId                                  64
 *   ETW_BUFFER_CONTEXT { UCHAR ProcessorNumber, Alignment; USHORT LoggerId }  80
 *   USHORT ExtendedDataCount, UserDataLength          84, 86
 *   PEVENT_HEADER_EXTENDED_DATA_ITEM ExtendedData     88
 *   PVOID UserData, UserContext                        96, 104   (sizeof = 112)
 *
 * Source: Microsoft Learn, "EVENT_RECORD structure (evntcons.h)" and "EVENT_HEADER structure".
 */
import { SysmonTsError } from "../../base";

export const EVENT_RECORD_SIZE = 112;
export const EVENT_HEADER_USER_DATA_LENGTH_OFFSET = 86;
export const EVENT_HEADER_USER_DATA_POINTER_OFFSET = 96;

/** EVENT_HEADER_FLAG_32_BIT_HEADER / _64_BIT_HEADER: the producer's pointer size in UserData. */
export const EVENT_HEADER_FLAG_32_BIT_HEADER = 0x20;
export const EVENT_HEADER_FLAG_64_BIT_HEADER = 0x40;

/** FILETIME of 1970-01-01 (100 ns units since 1601). */
const FILETIME_UNIX_EPOCH = 116444736000000000n;

export function fileTimeToMs(fileTime: bigint): number {
  return Number(fileTime - FILETIME_UNIX_EPOCH) / 10000;
}

export interface EtwEventHeader {
  readonly flags: number;
  readonly threadId: number;
  readonly processId: number;
  /** TimeStamp as ms since the epoch (the session uses FILETIME timestamps). */
  readonly timeMs: number;
  /** ProviderId, braced uppercase text. */
  readonly providerId: string;
  readonly eventId: number;
  readonly version: number;
  readonly opcode: number;
  readonly task: number;
  /** Pointer size in UserData: 8 unless the producer was 32-bit. */
  readonly pointerSize: 4 | 8;
  readonly userDataLength: number;
}

function guidText(view: DataView, at: number): string {
  const hex = (n: number, w: number): string => n.toString(16).toUpperCase().padStart(w, "0");
  let tail = "";
  for (let i = 8; i < 16; i++) tail += hex(view.getUint8(at + i), 2);
  return `{${hex(view.getUint32(at, true), 8)}-${hex(view.getUint16(at + 4, true), 4)}-${hex(view.getUint16(at + 6, true), 4)}-${tail.slice(0, 4)}-${tail.slice(4)}}`;
}

/** Decodes the 112-byte EVENT_RECORD (header part) into the fields the decoders use. */
export function decodeEventRecordHeader(record: Uint8Array): EtwEventHeader {
  if (record.byteLength < EVENT_RECORD_SIZE) {
    throw new SysmonTsError("SYSMONTS_E_SENSOR", `EVENT_RECORD is ${record.byteLength} bytes, expected ${EVENT_RECORD_SIZE}`);
  }
  const view = new DataView(record.buffer, record.byteOffset, EVENT_RECORD_SIZE);
  const flags = view.getUint16(4, true);
  return {
    flags,
    threadId: view.getUint32(8, true),
    processId: view.getUint32(12, true),
    timeMs: fileTimeToMs(view.getBigInt64(16, true)),
    providerId: guidText(view, 24),
    eventId: view.getUint16(40, true),
    version: view.getUint8(42),
    opcode: view.getUint8(45),
    task: view.getUint16(46, true),
    pointerSize: flags & EVENT_HEADER_FLAG_32_BIT_HEADER ? 4 : 8,
    userDataLength: view.getUint16(EVENT_HEADER_USER_DATA_LENGTH_OFFSET, true),
  };
}

/**
 * Reads a provider's UserData field by field, as the manifest lays it out: packed, little-endian,
 * strings NUL-terminated. Every read checks bounds so a short or corrupt payload becomes a
 * counted malformed record, never a crash or a read past the buffer.
 */
export class UserDataReader {
  private readonly view: DataView;
  private offset = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly pointerSize: 4 | 8 = 8,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.byteLength - this.offset;
  }

  private need(n: number, what: string): number {
    if (this.offset + n > this.bytes.byteLength) {
      throw new SysmonTsError("SYSMONTS_E_SENSOR", `ETW payload too short for ${what} at byte ${this.offset} (${this.bytes.byteLength} bytes)`);
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  u16(what = "UInt16"): number {
    return this.view.getUint16(this.need(2, what), true);
  }

  /** A win:UInt16 with outType win:Port: stored in network byte order. */
  port(what = "port"): number {
    return this.view.getUint16(this.need(2, what), false);
  }

  u32(what = "UInt32"): number {
    return this.view.getUint32(this.need(4, what), true);
  }

  u64(what = "UInt64"): bigint {
    return this.view.getBigUint64(this.need(8, what), true);
  }

  fileTime(what = "FILETIME"): number {
    return fileTimeToMs(this.u64(what));
  }

  pointer(what = "Pointer"): bigint {
    return this.pointerSize === 8 ? this.u64(what) : BigInt(this.u32(what));
  }

  skip(n: number, what = "field"): void {
    this.need(n, what);
  }

  /** win:IPv4 (a UInt32 in network byte order) as dotted text. */
  ipv4(what = "IPv4 address"): string {
    const at = this.need(4, what);
    return `${this.bytes[at]}.${this.bytes[at + 1]}.${this.bytes[at + 2]}.${this.bytes[at + 3]}`;
  }

  /** 16 address bytes as Sysmon prints IPv6: eight %x groups, no zero compression (spec/events.md §4). */
  ipv6(what = "IPv6 address"): string {
    const at = this.need(16, what);
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(this.view.getUint16(at + i, false).toString(16));
    return groups.join(":");
  }

  /** win:UnicodeString: UTF-16LE up to a NUL (or the end of the payload). */
  utf16z(): string {
    const start = this.offset;
    let end = start;
    while (end + 1 < this.bytes.byteLength && (this.bytes[end] !== 0 || this.bytes[end + 1] !== 0)) end += 2;
    const text = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, end - start).toString("utf16le");
    this.offset = Math.min(end + 2, this.bytes.byteLength);
    return text;
  }

  /** win:AnsiString: bytes up to a NUL. */
  ansiz(): string {
    const start = this.offset;
    let end = start;
    while (end < this.bytes.byteLength && this.bytes[end] !== 0) end++;
    this.offset = Math.min(end + 1, this.bytes.byteLength);
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, end - start).toString("latin1");
  }

  /** win:SID: a SID inline; its length follows from SubAuthorityCount (byte 1). Returns S-1-… text. */
  sid(what = "SID"): string {
    const head = this.need(8, what);
    const count = this.bytes[head + 1]!;
    const rest = this.need(4 * count, what);
    let authority = 0;
    for (let i = 2; i < 8; i++) authority = authority * 256 + this.bytes[head + i]!;
    let text = `S-${this.bytes[head]}-${authority}`;
    for (let i = 0; i < count; i++) text += `-${this.view.getUint32(rest + 4 * i, true)}`;
    return text;
  }
}
