/**
 * A DNS message parser (RFC 1035 §4) for DnsQuery events: header, questions and answers,
 * with compression pointers. Input is whatever a socket carried, possibly truncated by the
 * sensor or hostile: every read is bounds-checked, pointer chains are limited, and a message
 * that cannot be parsed gives null or a partial result — never an exception.
 */

export interface DnsQuestion {
  readonly name: string;
  readonly type: number;
}

export interface DnsAnswer {
  readonly name: string;
  readonly type: number;
  /** A: dotted quad; AAAA: compressed IPv6; CNAME/PTR/NS/DNAME: the target name; others: "". */
  readonly data: string;
}

export interface DnsMessage {
  readonly id: number;
  readonly isResponse: boolean;
  readonly opcode: number;
  readonly rcode: number;
  readonly truncated: boolean;
  readonly questions: readonly DnsQuestion[];
  readonly answers: readonly DnsAnswer[];
}

export const DNS_TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, DNAME: 39 } as const;

const MAX_NAME_LENGTH = 255;
const MAX_POINTER_JUMPS = 32;
/** More records than a 64 KiB message could hold are a lie; stop early. */
const MAX_RECORDS = 512;

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** Reads a possibly compressed name at `offset`; returns the name and the offset after it, or null. */
function readName(bytes: Uint8Array, offset: number): { name: string; next: number } | null {
  const labels: string[] = [];
  let length = 0;
  let position = offset;
  let next = -1;
  let jumps = 0;
  for (;;) {
    if (position >= bytes.length) return null;
    const len = bytes[position] ?? 0;
    if (len === 0) {
      if (next < 0) next = position + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (position + 1 >= bytes.length || ++jumps > MAX_POINTER_JUMPS) return null;
      const target = ((len & 0x3f) << 8) | (bytes[position + 1] ?? 0);
      if (next < 0) next = position + 2;
      // A pointer must go backwards; anything else is a loop or garbage.
      if (target >= position) return null;
      position = target;
      continue;
    }
    if (kind !== 0) return null; // 0x40/0x80 label types are obsolete or reserved
    const end = position + 1 + len;
    if (end > bytes.length) return null;
    length += len + 1;
    if (length > MAX_NAME_LENGTH) return null;
    labels.push(utf8.decode(bytes.subarray(position + 1, end)));
    position = end;
  }
  return { name: labels.join("."), next };
}

function ipv4Text(bytes: Uint8Array, offset: number): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** RFC 5952 text (longest zero run compressed, lowercase), as Windows' resolver prints AAAA. */
export function ipv6CompressedText(bytes: Uint8Array, offset = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((bytes[offset + 2 * i] ?? 0) << 8) | (bytes[offset + 2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string => groups.slice(from, to).map((g) => g.toString(16)).join(":");
  if (bestStart < 0) return hex(0, 8);
  // ::ffff:a.b.c.d for IPv4-mapped addresses, as inet_ntop prints them.
  if (bestStart === 0 && bestLength === 5 && groups[5] === 0xffff) return `::ffff:${ipv4Text(bytes, offset + 12)}`;
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

function recordData(bytes: Uint8Array, type: number, start: number, length: number): string {
  switch (type) {
    case DNS_TYPE.A:
      return length === 4 ? ipv4Text(bytes, start) : "";
    case DNS_TYPE.AAAA:
      return length === 16 ? ipv6CompressedText(bytes, start) : "";
    case DNS_TYPE.CNAME:
    case DNS_TYPE.PTR:
    case DNS_TYPE.NS:
    case DNS_TYPE.DNAME: {
      const target = readName(bytes, start);
      return target === null || target.next > start + length ? "" : target.name;
    }
    default:
      return "";
  }
}

/**
 * Parses a DNS message. Null when not even the header and first question can be read;
 * answers that run past the end (a truncated capture) are left out.
 *
 * @example
 * parseDnsMessage(bytes)?.questions[0]?.name; // "example.com"
 */
export function parseDnsMessage(bytes: Uint8Array): DnsMessage | null {
  if (bytes.length < 12) return null;
  const u16 = (o: number): number => ((bytes[o] ?? 0) << 8) | (bytes[o + 1] ?? 0);
  const id = u16(0);
  const flags = u16(2);
  const questionCount = Math.min(u16(4), MAX_RECORDS);
  const answerCount = Math.min(u16(6), MAX_RECORDS);
  const questions: DnsQuestion[] = [];
  const answers: DnsAnswer[] = [];
  let offset = 12;
  for (let i = 0; i < questionCount; i++) {
    const name = readName(bytes, offset);
    if (name === null || name.next + 4 > bytes.length) break;
    questions.push({ name: name.name, type: u16(name.next) });
    offset = name.next + 4;
  }
  if (questions.length === 0 && questionCount > 0) return null;
  if (questions.length === questionCount) {
    for (let i = 0; i < answerCount; i++) {
      const name = readName(bytes, offset);
      if (name === null || name.next + 10 > bytes.length) break;
      const type = u16(name.next);
      const dataLength = u16(name.next + 8);
      const dataStart = name.next + 10;
      if (dataStart + dataLength > bytes.length) break;
      answers.push({ name: name.name, type, data: recordData(bytes, type, dataStart, dataLength) });
      offset = dataStart + dataLength;
    }
  }
  return {
    id,
    isResponse: (flags & 0x8000) !== 0,
    opcode: (flags >>> 11) & 0xf,
    truncated: (flags & 0x0200) !== 0,
    rcode: flags & 0xf,
    questions,
    answers,
  };
}
