import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { SysmonTsError } from "../../base";
import { IMAGE_DIRECTORY_ENTRY_IMPORT, IMAGE_DIRECTORY_ENTRY_RESOURCE, IMAGE_DIRECTORY_ENTRY_SECURITY, readPeExports, readPeHeaders } from "./pe-image";

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

/**
 * A minimal PE32+ laid out by hand from PE/COFF spec §3 and §6.3: one section (.edata, RVA 0x1000
 * at file offset 0x200) holding an export directory with four functions: Alpha, a forwarder,
 * Gamma, and one exported by ordinal only.
 */
function peWithExports(): Buffer {
  const b = Buffer.alloc(0x400);
  b.writeUInt16LE(0x5a4d, 0);
  b.writeUInt32LE(0x40, 0x3c);
  b.writeUInt32LE(0x00004550, 0x40);
  b.writeUInt16LE(0x8664, 0x44);
  b.writeUInt16LE(1, 0x46); // NumberOfSections
  b.writeUInt16LE(0xf0, 0x54); // SizeOfOptionalHeader
  b.writeUInt16LE(0x20b, 0x58); // PE32+
  b.writeUInt32LE(16, 0x58 + 108); // NumberOfRvaAndSizes
  b.writeUInt32LE(0x1000, 0x58 + 112); // export directory RVA
  b.writeUInt32LE(0x100, 0x58 + 116); // and size
  const section = 0x58 + 0xf0;
  b.write(".edata", section, "latin1");
  b.writeUInt32LE(0x1000, section + 8);
  b.writeUInt32LE(0x1000, section + 12);
  b.writeUInt32LE(0x200, section + 16);
  b.writeUInt32LE(0x200, section + 20);
  const at = (rva: number): number => rva - 0x1000 + 0x200;
  const dir = at(0x1000);
  b.writeUInt32LE(1, dir + 16); // Base
  b.writeUInt32LE(4, dir + 20); // NumberOfFunctions
  b.writeUInt32LE(2, dir + 24); // NumberOfNames
  b.writeUInt32LE(0x1028, dir + 28);
  b.writeUInt32LE(0x1038, dir + 32);
  b.writeUInt32LE(0x1040, dir + 36);
  [0x2010, 0x1080, 0x2020, 0x2030].forEach((rva, i) => b.writeUInt32LE(rva, at(0x1028) + 4 * i));
  b.writeUInt32LE(0x1050, at(0x1038));
  b.writeUInt32LE(0x1060, at(0x1038) + 4);
  b.writeUInt16LE(0, at(0x1040));
  b.writeUInt16LE(2, at(0x1040) + 2);
  b.write("Alpha\0", at(0x1050), "latin1");
  b.write("Gamma\0", at(0x1060), "latin1");
  b.write("OTHER.Beta\0", at(0x1080), "latin1");
  return b;
}

describe("readPeExports", () => {
  test("reads names, ordinals and RVAs from a hand-made export table, leaving forwarders out", () => {
    expect(readPeExports(peWithExports())).toEqual([
      { name: "Alpha", ordinal: 1, rva: 0x2010 },
      { name: "Gamma", ordinal: 3, rva: 0x2020 },
      { name: null, ordinal: 4, rva: 0x2030 },
    ]);
  });

  test("an image without an export directory has no exports", () => {
    expect(readPeExports(readFileSync(DISM))).toEqual([]);
  });

  test("a corrupt export table is a SYSMONTS_E_FILE error naming what is wrong", () => {
    const tooMany = peWithExports();
    tooMany.writeUInt32LE(0x7fffffff, 0x200 + 20);
    expect(() => readPeExports(tooMany)).toThrow(expect.objectContaining({ code: "SYSMONTS_E_FILE", message: expect.stringContaining("claims 2147483647 functions") }));
    const badOrdinal = peWithExports();
    badOrdinal.writeUInt16LE(9, 0x240 + 2);
    expect(() => readPeExports(badOrdinal)).toThrow(/export name 1 points at function 9 of 4/);
    const unterminated = peWithExports();
    unterminated.fill(0x41, 0x250, 0x400);
    expect(() => readPeExports(unterminated)).toThrow(/unterminated/);
  });

  test("agrees with python3-pefile on Wine's kernel32.dll, LoadLibraryW included", () => {
    const kernel32 = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/kernel32.dll";
    // pefile lists forwarders too (with a forwarder string); this reader leaves them out.
    const reference = JSON.parse(execFileSync("/usr/bin/python3", ["-c", `
import json, pefile, sys
pe = pefile.PE(sys.argv[1], fast_load=True)
pe.parse_data_directories(directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_EXPORT"]])
print(json.dumps([[s.name.decode() if s.name else None, s.ordinal, s.address] for s in pe.DIRECTORY_ENTRY_EXPORT.symbols if s.forwarder is None]))
`, kernel32], { encoding: "utf8", maxBuffer: 16 << 20 })) as [string | null, number, number][];
    const ours = readPeExports(readFileSync(kernel32)).map((e) => [e.name, e.ordinal, e.rva]);
    expect(reference.length).toBeGreaterThan(500);
    // pefile lists named exports first; compare in ordinal order.
    expect(ours).toEqual([...reference].sort((a, b) => a[1] - b[1]));
    expect(ours.find((e) => e[0] === "LoadLibraryW")).toEqual(reference.find((e) => e[0] === "LoadLibraryW"));
  });
});
