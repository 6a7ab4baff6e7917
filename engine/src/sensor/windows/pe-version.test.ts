import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { prepareWindowsNode } from "../../../../test/windows/wine-harness";
import { SysmonTsError } from "../../base";
import { IMAGE_DIRECTORY_ENTRY_RESOURCE, readPeHeaders } from "./pe-image";
import { NO_VERSION_STRINGS, readPeVersionStrings, readPeVersionStringsFromFile, type PeVersionStrings } from "./pe-version";

// Real PEs from the Wine package scripts/setup.sh installs (PE builds of Wine's own DLLs and
// programs, each with a version resource), and the Windows node.exe the Windows tests unpack.
const WINE_DIR = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows";
const repoRoot = path.resolve(__dirname, "../../../..");
const SYSMONTS_SYS = path.join(repoRoot, "driver/windows/build/sysmonts.sys");

/**
 * The independent reader: Debian's python3-pefile (installed by scripts/setup.sh). For each file
 * it prints every StringTable and the VarFileInfo translations; the test applies VerQueryValue's
 * choice (first translation with a table, else the first table) to pefile's parse.
 */
const PEFILE_DUMP = `
import json, sys, pefile
out = {}
for f in sys.argv[1:]:
    pe = pefile.PE(f, fast_load=True)
    pe.parse_data_directories(directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_RESOURCE"]])
    tables, translations = [], []
    for info in getattr(pe, "FileInfo", None) or []:
        for entry in info:
            if getattr(entry, "Key", b"") == b"StringFileInfo":
                for t in entry.StringTable:
                    tables.append([t.LangID.decode().lower(), {k.decode("utf-8", "replace"): v.decode("utf-8", "replace") for k, v in t.entries.items()}])
            if getattr(entry, "Key", b"") == b"VarFileInfo":
                for var in entry.Var:
                    for v in var.entry.values():
                        lang, cp = v.split()
                        translations.append("%04x%04x" % (int(lang, 16), int(cp, 16)))
    out[f] = {"tables": tables, "translations": translations}
    pe.close()
json.dump(out, sys.stdout)
`;

interface PefileDump {
  readonly tables: [string, Record<string, string>][];
  readonly translations: string[];
}

function pefileExpectation(dump: PefileDump): PeVersionStrings {
  const chosen = dump.translations.map((t) => dump.tables.find(([key]) => key === t)).find((t) => t !== undefined) ?? dump.tables[0];
  if (chosen === undefined) return NO_VERSION_STRINGS;
  const value = (name: string): string | null => {
    // pefile keeps the text up to the first NUL, as the reader under test does.
    const text = chosen[1][name]?.split("\u0000")[0];
    return text === undefined || text === "" ? null : text;
  };
  return {
    fileVersion: value("FileVersion"),
    description: value("FileDescription"),
    product: value("ProductName"),
    company: value("CompanyName"),
    originalFileName: value("OriginalFilename"),
  };
}

/** Every fifth Wine DLL and EXE, sorted by name: about 160 different images. */
function sampleWineImages(): string[] {
  return readdirSync(WINE_DIR)
    .filter((name) => /\.(dll|exe)$/i.test(name))
    .sort()
    .filter((_, i) => i % 5 === 0)
    .map((name) => path.join(WINE_DIR, name));
}

describe("readPeVersionStrings on real images", () => {
  test("agrees with pefile on a sample of Wine's PE DLLs and programs", () => {
    const files = sampleWineImages();
    expect(files.length).toBeGreaterThan(100);
    const dump = JSON.parse(execFileSync("/usr/bin/python3", ["-c", PEFILE_DUMP, ...files], { encoding: "utf8", maxBuffer: 64 << 20 })) as Record<string, PefileDump>;
    let withVersion = 0;
    for (const file of files) {
      const expected = pefileExpectation(dump[file]!);
      expect({ file, strings: readPeVersionStringsFromFile(file) }).toEqual({ file, strings: expected });
      if (expected.fileVersion !== null) withVersion++;
    }
    // Not a vacuous pass: a good part of Wine's images carry a version resource (48 of 140 here).
    expect(withVersion).toBeGreaterThan(20);
    expect(withVersion).toBeLessThan(files.length);
  });

  test("reads the Windows node.exe the same from the file and from memory, and as pefile does", () => {
    // Unpacked (once, cached under build/) from the npm package by the Windows tests' harness.
    const WINDOWS_NODE = prepareWindowsNode().nodeExe;
    const fromFile = readPeVersionStringsFromFile(WINDOWS_NODE);
    expect(readPeVersionStrings(readFileSync(WINDOWS_NODE))).toEqual(fromFile);
    const dump = JSON.parse(execFileSync("/usr/bin/python3", ["-c", PEFILE_DUMP, WINDOWS_NODE], { encoding: "utf8" })) as Record<string, PefileDump>;
    expect(fromFile).toEqual(pefileExpectation(dump[WINDOWS_NODE]!));
    expect(fromFile).toMatchObject({ description: "Node.js JavaScript Runtime", originalFileName: "node.exe", company: "Node.js" });
  });

  test("an image without a version resource (the SysmonTs driver as built by mingw) gives no strings", () => {
    if (!existsSync(SYSMONTS_SYS)) execFileSync("make", ["-s", "-C", path.join(repoRoot, "driver/windows")], { stdio: "ignore" });
    expect(readPeVersionStringsFromFile(SYSMONTS_SYS)).toEqual(NO_VERSION_STRINGS);
  });
});

describe("readPeVersionStrings on bad input", () => {
  // A small Wine program with a version resource; its .rsrc section is one 4 KiB page.
  const sample = readFileSync(path.join(WINE_DIR, "dism.exe"));
  const resources = (() => {
    const headers = readPeHeaders(sample);
    const rva = headers.directory(IMAGE_DIRECTORY_ENTRY_RESOURCE)!.rva;
    const section = headers.sections.find((s) => s.virtualAddress === rva)!;
    return { start: section.rawOffset, size: section.rawSize };
  })();

  function onlyFileErrors(image: Uint8Array): PeVersionStrings | null {
    try {
      return readPeVersionStrings(image);
    } catch (error) {
      expect(error).toBeInstanceOf(SysmonTsError);
      expect((error as SysmonTsError).code).toBe("SYSMONTS_E_FILE");
      return null;
    }
  }

  test("non-PE input is a SYSMONTS_E_FILE error naming the problem", () => {
    expect(() => readPeVersionStrings(Buffer.from("#!/bin/sh\necho hi\n"))).toThrow(/not a valid PE image: DOS header past the end/);
    expect(() => readPeVersionStrings(Buffer.alloc(0x200))).toThrow(/no MZ header/);
  });

  test("a missing file is a SYSMONTS_E_FILE error naming the file", () => {
    expect(() => readPeVersionStringsFromFile("/nonexistent/x.dll")).toThrow(expect.objectContaining({ code: "SYSMONTS_E_FILE", message: expect.stringContaining("/nonexistent/x.dll") }));
  });

  test("every truncation of a real image either parses or fails with SYSMONTS_E_FILE", () => {
    const full = readPeVersionStrings(sample);
    expect(full.originalFileName).toBe("dism.exe");
    let failed = 0;
    // Every 7th length through the headers and the resource section, steps of 997 elsewhere.
    const dense = (n: number): boolean => n < 4096 || (n >= resources.start && n < resources.start + resources.size);
    for (let length = 0; length <= sample.length; length += dense(length) ? 7 : 997) {
      if (onlyFileErrors(sample.subarray(0, length)) === null) failed++;
    }
    expect(failed).toBeGreaterThan(0);
  });

  test("random corruption of headers and resources never throws anything else and always ends", () => {
    // A fixed-seed generator (xorshift32) so a failure reproduces.
    let seed = 0x2545f491;
    const next = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    const full = readPeVersionStrings(sample);
    let changed = 0;
    for (let round = 0; round < 3000; round++) {
      const copy = Buffer.from(sample);
      const flips = 1 + (next() % 8);
      for (let i = 0; i < flips; i++) {
        // Half the flips hit the headers, half the resource section.
        const at = next() % 2 === 0 ? next() % 1024 : resources.start + (next() % resources.size);
        copy[at] = next() & 0xff;
      }
      const result = onlyFileErrors(copy);
      if (result === null || JSON.stringify(result) !== JSON.stringify(full)) changed++;
    }
    expect(changed).toBeGreaterThan(0);
  });

  test("a hand-made VS_VERSIONINFO whose node claims more than its parent is rejected", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "pe-version-"));
    try {
      // Find the version block in the real image and make its first child overrun the root.
      const copy = Buffer.from(sample);
      const key = Buffer.from("StringFileInfo", "utf16le");
      const at = copy.indexOf(key);
      expect(at).toBeGreaterThan(0);
      copy.writeUInt16LE(0xfff0, at - 6);
      const file = path.join(dir, "bad.exe");
      writeFileSync(file, copy);
      expect(() => readPeVersionStringsFromFile(file)).toThrow(/overruns its parent/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
