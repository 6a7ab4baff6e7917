import { createHash } from "node:crypto";
import { SysmonTsError } from "../../base";

/**
 * The ordinals of the three libraries whose by-ordinal imports imphash names (ws2_32/wsock32
 * share one table). The algorithm is pefile's get_imphash, which Sysmon's IMPHASH matches;
 * ordinals not in the table become "ord<N>". Names per Winsock's published ordinals.
 */
const WINSOCK_ORDINALS: ReadonlyMap<number, string> = new Map([
  [1, "accept"], [2, "bind"], [3, "closesocket"], [4, "connect"], [5, "getpeername"], [6, "getsockname"], [7, "getsockopt"],
  [8, "htonl"], [9, "htons"], [10, "ioctlsocket"], [11, "inet_addr"], [12, "inet_ntoa"], [13, "listen"], [14, "ntohl"],
  [15, "ntohs"], [16, "recv"], [17, "recvfrom"], [18, "select"], [19, "send"], [20, "sendto"], [21, "setsockopt"],
  [22, "shutdown"], [23, "socket"], [51, "gethostbyaddr"], [52, "gethostbyname"], [53, "getprotobyname"],
  [54, "getprotobynumber"], [55, "getservbyname"], [56, "getservbyport"], [57, "gethostname"], [111, "WSAGetLastError"],
  [112, "WSASetLastError"], [115, "WSAStartup"], [116, "WSACleanup"], [151, "__WSAFDIsSet"],
]);
const ORDINAL_NAMES: ReadonlyMap<string, ReadonlyMap<number, string>> = new Map([
  ["ws2_32", WINSOCK_ORDINALS],
  ["wsock32", WINSOCK_ORDINALS],
]);

export interface PeImport {
  readonly dll: string;
  /** Function name, or null when imported by ordinal. */
  readonly name: string | null;
  readonly ordinal: number | null;
}

function malformed(why: string): SysmonTsError {
  return new SysmonTsError("SYSMONTS_E_FILE", `not a valid PE image: ${why}`);
}

/** Lists a PE image's imports in import-table order (IMAGE_IMPORT_DESCRIPTOR, PE/COFF spec §6.4). */
export function readPeImports(image: Buffer): PeImport[] {
  try {
    return walkImports(image);
  } catch (error) {
    if (error instanceof RangeError) throw malformed("truncated");
    throw error;
  }
}

function walkImports(image: Buffer): PeImport[] {
  if (image.length < 0x40 || image.readUInt16LE(0) !== 0x5a4d) throw malformed("no MZ header");
  const pe = image.readUInt32LE(0x3c);
  if (pe + 24 > image.length || image.readUInt32LE(pe) !== 0x00004550) throw malformed("no PE signature");
  const sectionCount = image.readUInt16LE(pe + 6);
  const optionalSize = image.readUInt16LE(pe + 20);
  const optional = pe + 24;
  const magic = image.readUInt16LE(optional);
  const is64 = magic === 0x20b;
  if (!is64 && magic !== 0x10b) throw malformed(`unknown optional header magic 0x${magic.toString(16)}`);
  const directories = optional + (is64 ? 112 : 96);
  const directoryCount = image.readUInt32LE(optional + (is64 ? 108 : 92));
  if (directoryCount < 2) return [];
  const importRva = image.readUInt32LE(directories + 8);
  if (importRva === 0) return [];
  const sections: { va: number; size: number; raw: number; rawSize: number }[] = [];
  const sectionTable = optional + optionalSize;
  for (let i = 0; i < sectionCount; i++) {
    const at = sectionTable + i * 40;
    if (at + 40 > image.length) throw malformed("section table past the end of the file");
    sections.push({ va: image.readUInt32LE(at + 12), size: Math.max(image.readUInt32LE(at + 8), image.readUInt32LE(at + 16)), raw: image.readUInt32LE(at + 20), rawSize: image.readUInt32LE(at + 16) });
  }
  const offsetOf = (rva: number): number => {
    const s = sections.find((x) => rva >= x.va && rva < x.va + x.size);
    if (!s || rva - s.va >= s.rawSize) throw malformed(`RVA 0x${rva.toString(16)} is in no section`);
    return s.raw + (rva - s.va);
  };
  const cString = (offset: number): string => {
    const end = image.indexOf(0, offset);
    if (end < 0) throw malformed("unterminated name");
    return image.toString("latin1", offset, end);
  };
  const imports: PeImport[] = [];
  for (let d = offsetOf(importRva); ; d += 20) {
    if (d + 20 > image.length) throw malformed("import directory past the end of the file");
    const lookupRva = image.readUInt32LE(d) || image.readUInt32LE(d + 16);
    const nameRva = image.readUInt32LE(d + 12);
    if (lookupRva === 0 && nameRva === 0) break;
    const dll = cString(offsetOf(nameRva));
    const step = is64 ? 8 : 4;
    for (let t = offsetOf(lookupRva); ; t += step) {
      const entry = is64 ? image.readBigUInt64LE(t) : BigInt(image.readUInt32LE(t));
      if (entry === 0n) break;
      const byOrdinal = is64 ? entry >> 63n === 1n : entry >> 31n === 1n;
      if (byOrdinal) imports.push({ dll, name: null, ordinal: Number(entry & 0xffffn) });
      else imports.push({ dll, name: cString(offsetOf(Number(entry & 0x7fffffffn)) + 2), ordinal: null });
    }
  }
  return imports;
}

/**
 * IMPHASH as Sysmon reports it (spec/events.md §4: uppercase hex in Hashes): the MD5 of
 * "dll.function" entries joined by commas, each lowercased, the dll without a .dll/.sys/.ocx
 * extension, by-ordinal imports named from the ordinal table or "ord<N>".
 *
 * @example
 * imphash(readFileSync("C:\\Windows\\System32\\notepad.exe")); // "F2A1F1D4…"
 */
export function imphash(image: Buffer): string {
  const entries = readPeImports(image).map((imp) => {
    let lib = imp.dll.toLowerCase();
    const dot = lib.lastIndexOf(".");
    if (dot >= 0 && ["dll", "sys", "ocx"].includes(lib.slice(dot + 1))) lib = lib.slice(0, dot);
    const fn = imp.name ?? ORDINAL_NAMES.get(lib)?.get(imp.ordinal!) ?? `ord${imp.ordinal}`;
    return `${lib}.${fn.toLowerCase()}`;
  });
  return createHash("md5").update(entries.join(",")).digest("hex").toUpperCase();
}
