import { createHash } from "node:crypto";
import { IMAGE_DIRECTORY_ENTRY_IMPORT, malformedPe, readPeHeaders } from "./pe-image";

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

const malformed = malformedPe;

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
  const headers = readPeHeaders(image);
  const is64 = headers.is64;
  const importRva = headers.directory(IMAGE_DIRECTORY_ENTRY_IMPORT)?.rva ?? 0;
  if (importRva === 0) return [];
  const offsetOf = (rva: number): number => headers.offsetOf(rva);
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
