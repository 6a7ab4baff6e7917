import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { SysmonTsError } from "../../base";
import { IMAGE_DIRECTORY_ENTRY_IMPORT, IMAGE_DIRECTORY_ENTRY_RESOURCE, IMAGE_DIRECTORY_ENTRY_SECURITY, readPeHeaders } from "./pe-image";

// A real PE32+ from the Wine package scripts/setup.sh installs.
const DISM = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/dism.exe";

/** binutils' reading of the same headers, the independent reference. */
function objdumpHeaders(file: string): { directories: Map<number, { rva: number; size: number }>; sections: { rva: number; offset: number }[] } {
  const privateHeaders = execFileSync("x86_64-w64-mingw32-objdump", ["-p", file], { encoding: "utf8" });
  const imageBase = parseInt(/^ImageBase\s+([0-9a-f]+)/m.exec(privateHeaders)![1]!, 16);
  const directories = new Map<number, { rva: number; size: number }>();
  for (const m of privateHeaders.matchAll(/^Entry ([0-9a-f]) ([0-9a-f]+) ([0-9a-f]+) /gm)) directories.set(parseInt(m[1]!, 16), { rva: parseInt(m[2]!, 16), size: parseInt(m[3]!, 16) });
  const sectionHeaders = execFileSync("x86_64-w64-mingw32-objdump", ["-h", file], { encoding: "utf8" });
  const sections = [...sectionHeaders.matchAll(/^\s+\d+ \S+\s+[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)/gm)].map((m) => ({ rva: parseInt(m[1]!, 16) - imageBase, offset: parseInt(m[2]!, 16) }));
  return { directories, sections };
}

describe("readPeHeaders", () => {
  const image = readFileSync(DISM);
  const headers = readPeHeaders(image);
  const reference = objdumpHeaders(DISM);

  test("finds the data directories objdump lists", () => {
    expect(headers.is64).toBe(true);
    for (const index of [IMAGE_DIRECTORY_ENTRY_IMPORT, IMAGE_DIRECTORY_ENTRY_RESOURCE]) {
      expect(headers.directory(index)).toEqual(reference.directories.get(index));
    }
    // Unsigned image: no security directory; beyond the table: none either.
    expect(headers.directory(IMAGE_DIRECTORY_ENTRY_SECURITY)).toBeNull();
    expect(headers.directory(16)).toBeNull();
  });

  test("maps each section's first RVA to the file offset objdump gives", () => {
    expect(headers.sections.length).toBe(reference.sections.length);
    // Sections without file data (.bss: file offset 0) map nowhere.
    for (const s of reference.sections) {
      if (s.offset === 0) expect(() => headers.offsetOf(s.rva)).toThrow(SysmonTsError);
      else expect(headers.offsetOf(s.rva)).toBe(s.offset);
    }
  });

  test("an RVA in no section, and truncated headers, are SYSMONTS_E_FILE errors", () => {
    expect(() => headers.offsetOf(0x7fff_0000)).toThrow(expect.objectContaining({ code: "SYSMONTS_E_FILE", message: expect.stringContaining("RVA 0x7fff0000 is in no section") }));
    for (const length of [0, 0x3f, 0x80, 0x100, 0x180]) {
      expect(() => readPeHeaders(image.subarray(0, length))).toThrow(SysmonTsError);
    }
  });

  test("a section count beyond the COFF limit is refused, not iterated", () => {
    const copy = Buffer.from(image);
    copy.writeUInt16LE(0xffff, copy.readUInt32LE(0x3c) + 6);
    expect(() => readPeHeaders(copy)).toThrow(/65535 sections/);
  });
});
