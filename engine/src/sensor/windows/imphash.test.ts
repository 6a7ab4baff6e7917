import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { imphash, readPeImports } from "./imphash";

// A real PE from the Wine package that scripts/setup.sh installs; it imports by name and, from
// comctl32, by ordinal, so both paths of the algorithm are exercised.
const NOTEPAD = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/notepad.exe";

/**
 * The independent method: binutils' PE reader (`x86_64-w64-mingw32-objdump -p`) lists the
 * import tables; the imphash string is rebuilt from that listing by pefile's rules (lowercase,
 * extension dropped, "ord<N>" for ordinals) and hashed here.
 */
function imphashFromObjdump(file: string): { hash: string; count: number } {
  const text = execFileSync("x86_64-w64-mingw32-objdump", ["-p", file], { encoding: "utf8" });
  const section = text.slice(text.indexOf("The Import Tables"));
  const entries: string[] = [];
  let dll = "";
  for (const line of section.split("\n")) {
    const name = /DLL Name: (\S+)/.exec(line);
    if (name) {
      dll = name[1]!.toLowerCase().replace(/\.(dll|sys|ocx)$/, "");
      continue;
    }
    const byName = /^\t[0-9a-f]+\t\s+\d+\s+(\S+)$/.exec(line);
    const byOrdinal = /^\t[0-9a-f]+\t\s+([0-9a-f]+)\s+<none>$/.exec(line);
    if (dll && byName) entries.push(`${dll}.${byName[1]!.toLowerCase()}`);
    else if (dll && byOrdinal) entries.push(`${dll}.ord${parseInt(byOrdinal[1]!, 16)}`);
    if (line.startsWith("The ") && !line.startsWith("The Import Tables")) break;
  }
  return { hash: createHash("md5").update(entries.join(",")).digest("hex").toUpperCase(), count: entries.length };
}

describe("imphash", () => {
  test("matches the hash rebuilt from objdump's import listing of a real PE", () => {
    const image = readFileSync(NOTEPAD);
    const expected = imphashFromObjdump(NOTEPAD);
    expect(readPeImports(image).length).toBe(expected.count);
    expect(expected.count).toBeGreaterThan(20);
    expect(imphash(image)).toBe(expected.hash);
  });

  test("names ordinal imports ord<N> and keeps import order", () => {
    const imports = readPeImports(readFileSync(NOTEPAD));
    expect(imports[0]).toEqual({ dll: "advapi32.dll", name: "IsTextUnicode", ordinal: null });
    expect(imports).toContainEqual({ dll: "comctl32.dll", name: null, ordinal: 410 });
  });

  test("rejects files that are not PE images with a clear error", () => {
    expect(() => imphash(Buffer.from("#!/bin/sh\necho hi\n".padEnd(128, " ")))).toThrow(/not a valid PE image: no MZ header/);
    const truncated = readFileSync(NOTEPAD).subarray(0, 0x200);
    expect(() => imphash(truncated)).toThrow(/not a valid PE image/);
  });
});
