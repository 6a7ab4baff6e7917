import { SysmonTsError } from "../../base";

/**
 * The PE/COFF headers every reader of an image needs (PE/COFF spec §3 and §4): where the data
 * directories point and how an RVA maps to a file offset. Pure and bounded: every read is
 * checked against the buffer, and anything inconsistent is a SYSMONTS_E_FILE error, never a
 * RangeError or an endless loop. Shared by imphash (import table), the version-resource
 * reader and the export reader below (event 8's StartFunction).
 */

/** Data directory indices (PE/COFF spec §3.4.3). */
export const IMAGE_DIRECTORY_ENTRY_EXPORT = 0;
export const IMAGE_DIRECTORY_ENTRY_IMPORT = 1;
export const IMAGE_DIRECTORY_ENTRY_RESOURCE = 2;
export const IMAGE_DIRECTORY_ENTRY_SECURITY = 4;

export interface PeSection {
  readonly virtualAddress: number;
  /** The larger of VirtualSize and SizeOfRawData: what the loader maps. */
  readonly virtualSize: number;
  readonly rawOffset: number;
  readonly rawSize: number;
}

export interface PeDirectory {
  readonly rva: number;
  readonly size: number;
}

export interface PeHeaders {
  readonly is64: boolean;
  readonly sections: readonly PeSection[];
  /** The data directory at `index`, or null when absent or empty. */
  directory(index: number): PeDirectory | null;
  /** The file offset of `rva`; throws SYSMONTS_E_FILE when it is in no section's file data. */
  offsetOf(rva: number): number;
}

export function malformedPe(why: string): SysmonTsError {
  return new SysmonTsError("SYSMONTS_E_FILE", `not a valid PE image: ${why}`);
}

/** The COFF limit on sections (PE/COFF spec §3.3): more means a corrupted header. */
const MAX_SECTIONS = 96;

/**
 * Reads the DOS, COFF and optional headers and the section table.
 *
 * @example
 * const pe = readPeHeaders(readFileSync("C:\\Windows\\System32\\notepad.exe"));
 * pe.directory(IMAGE_DIRECTORY_ENTRY_RESOURCE); // { rva: 0x24000, size: 0x1f48 }
 */
export function readPeHeaders(image: Uint8Array): PeHeaders {
  const view = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  const need = (offset: number, length: number, what: string): void => {
    if (offset < 0 || offset + length > view.length) throw malformedPe(`${what} past the end of the file`);
  };
  need(0, 0x40, "DOS header");
  if (view.readUInt16LE(0) !== 0x5a4d) throw malformedPe("no MZ header");
  const pe = view.readUInt32LE(0x3c);
  need(pe, 24, "PE header");
  if (view.readUInt32LE(pe) !== 0x00004550) throw malformedPe("no PE signature");
  const sectionCount = view.readUInt16LE(pe + 6);
  if (sectionCount > MAX_SECTIONS) throw malformedPe(`${sectionCount} sections`);
  const optionalSize = view.readUInt16LE(pe + 20);
  const optional = pe + 24;
  need(optional, 2, "optional header");
  const magic = view.readUInt16LE(optional);
  const is64 = magic === 0x20b;
  if (!is64 && magic !== 0x10b) throw malformedPe(`unknown optional header magic 0x${magic.toString(16)}`);
  const countAt = optional + (is64 ? 108 : 92);
  need(countAt, 4, "optional header");
  const directoryTable = countAt + 4;
  // NumberOfRvaAndSizes may claim more than the optional header holds; trust the smaller.
  const directoryCount = Math.min(view.readUInt32LE(countAt), Math.max(0, Math.floor((optional + optionalSize - directoryTable) / 8)), 16);
  const sectionTable = optional + optionalSize;
  need(sectionTable, sectionCount * 40, "section table");
  const sections: PeSection[] = [];
  for (let i = 0; i < sectionCount; i++) {
    const at = sectionTable + i * 40;
    const rawSize = view.readUInt32LE(at + 16);
    sections.push({ virtualAddress: view.readUInt32LE(at + 12), virtualSize: Math.max(view.readUInt32LE(at + 8), rawSize), rawOffset: view.readUInt32LE(at + 20), rawSize });
  }
  return {
    is64,
    sections,
    directory(index) {
      if (index >= directoryCount) return null;
      const at = directoryTable + index * 8;
      need(at, 8, "data directory");
      const rva = view.readUInt32LE(at);
      const size = view.readUInt32LE(at + 4);
      return rva === 0 ? null : { rva, size };
    },
    offsetOf(rva) {
      const s = sections.find((x) => rva >= x.virtualAddress && rva < x.virtualAddress + x.virtualSize);
      if (!s || rva - s.virtualAddress >= s.rawSize) throw malformedPe(`RVA 0x${rva.toString(16)} is in no section`);
      const offset = s.rawOffset + (rva - s.virtualAddress);
      if (offset >= view.length) throw malformedPe(`RVA 0x${rva.toString(16)} is past the end of the file`);
      return offset;
    },
  };
}

export interface PeExport {
  /** The exported name, or null for an export by ordinal only. */
  readonly name: string | null;
  readonly ordinal: number;
  /** Where the code is, relative to the image base. */
  readonly rva: number;
}

/** More functions than any real DLL exports (ntdll has ~2500): beyond it the table is corrupt. */
const MAX_EXPORTS = 65536;
const MAX_EXPORT_NAME = 512;

function asciiz(view: Buffer, offset: number): string {
  const end = view.indexOf(0, offset);
  if (end < 0 || end - offset > MAX_EXPORT_NAME) throw malformedPe(`export name at file offset ${offset} is unterminated`);
  return view.toString("latin1", offset, end);
}

/**
 * The image's exported functions (PE/COFF spec §6.3): every entry of the export address table
 * with the name the name-pointer table gives it. Forwarders (an RVA inside the export directory,
 * naming another DLL's function) are left out: no code of this image lives there.
 *
 * @example
 * readPeExports(readFileSync("C:\\Windows\\System32\\kernel32.dll")).find((e) => e.name === "LoadLibraryW"); // { name, ordinal, rva }
 */
export function readPeExports(image: Uint8Array): PeExport[] {
  const headers = readPeHeaders(image);
  const directory = headers.directory(IMAGE_DIRECTORY_ENTRY_EXPORT);
  if (directory === null) return [];
  const view = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  const table = (rva: number, count: number, width: number, what: string): number => {
    if (count === 0) return 0;
    const at = headers.offsetOf(rva);
    if (at + count * width > view.length) throw malformedPe(`export ${what} past the end of the file`);
    return at;
  };
  const dir = headers.offsetOf(directory.rva);
  if (dir + 40 > view.length) throw malformedPe("export directory past the end of the file");
  const ordinalBase = view.readUInt32LE(dir + 16);
  const functionCount = view.readUInt32LE(dir + 20);
  const nameCount = view.readUInt32LE(dir + 24);
  if (functionCount > MAX_EXPORTS || nameCount > functionCount) throw malformedPe(`export directory claims ${functionCount} functions and ${nameCount} names`);
  const functions = table(view.readUInt32LE(dir + 28), functionCount, 4, "address table");
  const names = table(view.readUInt32LE(dir + 32), nameCount, 4, "name pointer table");
  const ordinals = table(view.readUInt32LE(dir + 36), nameCount, 2, "ordinal table");
  const nameOf = new Map<number, string>();
  for (let i = 0; i < nameCount; i++) {
    const index = view.readUInt16LE(ordinals + 2 * i);
    if (index >= functionCount) throw malformedPe(`export name ${i} points at function ${index} of ${functionCount}`);
    if (!nameOf.has(index)) nameOf.set(index, asciiz(view, headers.offsetOf(view.readUInt32LE(names + 4 * i))));
  }
  const exports: PeExport[] = [];
  for (let index = 0; index < functionCount; index++) {
    const rva = view.readUInt32LE(functions + 4 * index);
    const forwarder = rva >= directory.rva && rva < directory.rva + directory.size;
    if (rva === 0 || forwarder) continue;
    exports.push({ name: nameOf.get(index) ?? null, ordinal: ordinalBase + index, rva });
  }
  return exports;
}
