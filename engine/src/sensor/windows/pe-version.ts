import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { SysmonTsError } from "../../base";
import { IMAGE_DIRECTORY_ENTRY_RESOURCE, malformedPe, readPeHeaders } from "./pe-image";

/**
 * The version resource of a PE image (VS_VERSIONINFO, winver.h), read without Windows: the five
 * strings Sysmon puts in events 1 and 7 (spec/events.md §3, §4: "from the PE version resource;
 * missing values give `-`"). Pure TypeScript so the same code runs on both platforms and is
 * tested on Linux against real images.
 *
 * Bounds: the resource tree is walked to the fixed depth type → name → language (a corrupted
 * offset pointing back at a directory cannot loop), each directory's entry count is capped,
 * and every read is checked against the resource section; VS_VERSIONINFO
 * nodes are at most 64 KiB (wLength is 16-bit) and every child must fit in its parent, so a
 * corrupted file ends the walk with a SYSMONTS_E_FILE error instead of a loop or a RangeError.
 */

export interface PeVersionStrings {
  readonly fileVersion: string | null;
  readonly description: string | null;
  readonly product: string | null;
  readonly company: string | null;
  readonly originalFileName: string | null;
}

/** Every field null: an image without a version resource (drivers built without one, scripts). */
export const NO_VERSION_STRINGS: PeVersionStrings = { fileVersion: null, description: null, product: null, company: null, originalFileName: null };

const RT_VERSION = 16;
const MAX_RESOURCE_ENTRIES = 4096;
/** The largest resource section read from a file: far beyond any real image's version data. */
const MAX_RESOURCE_SECTION_BYTES = 64 * 1024 * 1024;
const HEADER_READ_BYTES = 64 * 1024;

/**
 * The version strings of a whole image in memory; NO_VERSION_STRINGS when it has no version
 * resource. Throws SYSMONTS_E_FILE when the image is not a PE or its resources are corrupted.
 *
 * @example
 * readPeVersionStrings(readFileSync("node.exe")).description; // "Node.js JavaScript Runtime"
 */
export function readPeVersionStrings(image: Uint8Array): PeVersionStrings {
  return guarded(() => {
    const headers = readPeHeaders(image);
    const dir = headers.directory(IMAGE_DIRECTORY_ENTRY_RESOURCE);
    if (dir === null) return NO_VERSION_STRINGS;
    const section = headers.sections.find((s) => dir.rva >= s.virtualAddress && dir.rva < s.virtualAddress + s.virtualSize);
    if (section === undefined) throw malformedPe("the resource directory is in no section");
    const start = section.rawOffset;
    const end = Math.min(image.length, start + section.rawSize);
    if (start >= end) throw malformedPe("the resource section has no file data");
    return versionStringsFromResources(image.subarray(start, end), { sectionRva: section.virtualAddress, directoryRva: dir.rva });
  });
}

/**
 * Like readPeVersionStrings, reading only the headers and the resource section of the file (an
 * image may be hundreds of megabytes; its version data is a few hundred bytes).
 */
export function readPeVersionStringsFromFile(path: string): PeVersionStrings {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new SysmonTsError("SYSMONTS_E_FILE", `cannot open ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return guarded(() => {
      const size = fstatSync(fd).size;
      const head = readAt(fd, 0, Math.min(size, HEADER_READ_BYTES));
      const headers = readPeHeaders(head);
      const dir = headers.directory(IMAGE_DIRECTORY_ENTRY_RESOURCE);
      if (dir === null) return NO_VERSION_STRINGS;
      const section = headers.sections.find((s) => dir.rva >= s.virtualAddress && dir.rva < s.virtualAddress + s.virtualSize);
      if (section === undefined) throw malformedPe("the resource directory is in no section");
      const length = Math.min(section.rawSize, Math.max(0, size - section.rawOffset), MAX_RESOURCE_SECTION_BYTES);
      if (length <= 0) throw malformedPe("the resource section has no file data");
      const bytes = readAt(fd, section.rawOffset, length);
      return versionStringsFromResources(bytes, { sectionRva: section.virtualAddress, directoryRva: dir.rva });
    });
  } finally {
    closeSync(fd);
  }
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

/** Turns any stray RangeError from a bounded read into the one error callers expect. */
function guarded<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof SysmonTsError) throw error;
    throw malformedPe(error instanceof Error ? error.message : "unreadable");
  }
}

/**
 * Walks IMAGE_RESOURCE_DIRECTORY (PE/COFF spec §6.9) from the resource section's bytes: the first
 * RT_VERSION entry, its first name, its first language, then the VS_VERSIONINFO it points at.
 */
function versionStringsFromResources(section: Uint8Array, at: { sectionRva: number; directoryRva: number }): PeVersionStrings {
  const view = Buffer.from(section.buffer, section.byteOffset, section.byteLength);
  const root = at.directoryRva - at.sectionRva;
  const entryOf = (directory: number, wantId: number | null): number | null => {
    if (directory + 16 > view.length) throw malformedPe("resource directory past the end of the section");
    const named = view.readUInt16LE(directory + 12);
    const ids = view.readUInt16LE(directory + 14);
    const count = named + ids;
    if (count > MAX_RESOURCE_ENTRIES) throw malformedPe(`resource directory with ${count} entries`);
    for (let i = 0; i < count; i++) {
      const entry = directory + 16 + i * 8;
      if (entry + 8 > view.length) throw malformedPe("resource entry past the end of the section");
      const name = view.readUInt32LE(entry);
      // Named entries come first; an ID match needs the high bit clear (PE/COFF spec §6.9.2).
      if (wantId !== null && ((name & 0x80000000) !== 0 || name !== wantId)) continue;
      return view.readUInt32LE(entry + 4);
    }
    return null;
  };
  const subdirectory = (target: number, level: string): number => {
    if ((target & 0x80000000) === 0) throw malformedPe(`the ${level} resource entry is not a directory`);
    return (target & 0x7fffffff) + root;
  };
  const typeEntry = entryOf(root, RT_VERSION);
  if (typeEntry === null) return NO_VERSION_STRINGS;
  const nameDirectory = subdirectory(typeEntry, "type");
  const nameEntry = entryOf(nameDirectory, null);
  if (nameEntry === null) return NO_VERSION_STRINGS;
  const languageDirectory = subdirectory(nameEntry, "name");
  const languageEntry = entryOf(languageDirectory, null);
  if (languageEntry === null) return NO_VERSION_STRINGS;
  if ((languageEntry & 0x80000000) !== 0) throw malformedPe("the language resource entry is a directory");
  const dataEntry = languageEntry + root;
  if (dataEntry + 16 > view.length) throw malformedPe("resource data entry past the end of the section");
  const dataRva = view.readUInt32LE(dataEntry);
  const dataSize = view.readUInt32LE(dataEntry + 4);
  const dataStart = dataRva - at.sectionRva;
  if (dataStart < 0 || dataStart >= view.length) throw malformedPe("the version resource is outside the resource section");
  const data = view.subarray(dataStart, Math.min(view.length, dataStart + dataSize));
  return parseVersionInfo(data);
}

interface VersionNode {
  readonly key: string;
  /** wType: 1 for text, 0 for binary. */
  readonly textual: boolean;
  readonly valueStart: number;
  readonly valueLength: number;
  readonly childrenStart: number;
  readonly end: number;
}

function align4(offset: number): number {
  return (offset + 3) & ~3;
}

/**
 * One node of the VS_VERSIONINFO tree: {wLength, wValueLength, wType, szKey, padding, Value,
 * padding, Children} (winver.h). Offsets are relative to the block, which is 4-byte aligned.
 */
function readNode(block: Buffer, start: number, limit: number): VersionNode | null {
  if (start + 6 > limit) return null;
  const length = block.readUInt16LE(start);
  if (length < 6) return null;
  const end = start + length;
  if (end > limit) throw malformedPe("a version resource node overruns its parent");
  const valueLength = block.readUInt16LE(start + 2);
  const textual = block.readUInt16LE(start + 4) === 1;
  let keyEnd = start + 6;
  while (keyEnd + 1 < end && block.readUInt16LE(keyEnd) !== 0) keyEnd += 2;
  if (keyEnd + 1 >= end) throw malformedPe("a version resource key has no terminator");
  const key = block.toString("utf16le", start + 6, keyEnd);
  const valueStart = align4(keyEnd + 2);
  // Text lengths count UTF-16 units (winver.h); some linkers write bytes. Either way, the value
  // never runs past the node.
  const valueBytes = Math.min(textual ? valueLength * 2 : valueLength, Math.max(0, end - valueStart));
  return { key, textual, valueStart, valueLength: valueBytes, childrenStart: align4(valueStart + valueBytes), end };
}

function childrenOf(block: Buffer, parent: VersionNode): VersionNode[] {
  const children: VersionNode[] = [];
  let at = parent.childrenStart;
  while (at < parent.end) {
    const child = readNode(block, at, parent.end);
    if (child === null) break;
    children.push(child);
    at = align4(child.end);
  }
  return children;
}

function textValue(block: Buffer, node: VersionNode): string {
  // The value is NUL-terminated text filling the rest of the node; stop at the first NUL.
  let end = node.valueStart;
  while (end + 1 < node.end && block.readUInt16LE(end) !== 0) end += 2;
  return block.toString("utf16le", node.valueStart, end);
}

/**
 * The strings of the StringTable for the first language in VarFileInfo\Translation, as
 * VerQueryValue callers (Explorer, Sysmon) look them up; when no table matches a translation,
 * the first table.
 */
function parseVersionInfo(data: Buffer): PeVersionStrings {
  const root = readNode(data, 0, data.length);
  if (root === null || root.key !== "VS_VERSION_INFO") throw malformedPe("the version resource is not a VS_VERSIONINFO");
  const tables: { key: string; node: VersionNode }[] = [];
  const translations: string[] = [];
  for (const child of childrenOf(data, root)) {
    if (child.key === "StringFileInfo") {
      for (const table of childrenOf(data, child)) tables.push({ key: table.key.toLowerCase(), node: table });
    } else if (child.key === "VarFileInfo") {
      for (const variable of childrenOf(data, child)) {
        if (variable.key !== "Translation") continue;
        for (let i = variable.valueStart; i + 4 <= variable.valueStart + variable.valueLength; i += 4) {
          const language = data.readUInt16LE(i).toString(16).padStart(4, "0");
          const codePage = data.readUInt16LE(i + 2).toString(16).padStart(4, "0");
          translations.push(`${language}${codePage}`);
        }
      }
    }
  }
  const chosen = translations.map((t) => tables.find((table) => table.key === t)).find((table) => table !== undefined) ?? tables[0];
  if (chosen === undefined) return NO_VERSION_STRINGS;
  const values = new Map<string, string>();
  for (const entry of childrenOf(data, chosen.node)) {
    if (!values.has(entry.key)) values.set(entry.key, textValue(data, entry));
  }
  const pick = (name: string): string | null => {
    const value = values.get(name);
    return value === undefined || value === "" ? null : value;
  };
  return {
    fileVersion: pick("FileVersion"),
    description: pick("FileDescription"),
    product: pick("ProductName"),
    company: pick("CompanyName"),
    originalFileName: pick("OriginalFilename"),
  };
}
