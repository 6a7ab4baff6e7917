import { SysmonTsError } from "../../base";

/**
 * The PE/COFF headers every reader of an image needs (PE/COFF spec §3 and §4): where the data
 * directories point and how an RVA maps to a file offset. Pure and bounded: every read is
 * checked against the buffer, and anything inconsistent is a SYSMONTS_E_FILE error, never a
 * RangeError or an endless loop. Shared by imphash (import table) and the version-resource
 * reader.
 */

/** Data directory indices (PE/COFF spec §3.4.3). */
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
