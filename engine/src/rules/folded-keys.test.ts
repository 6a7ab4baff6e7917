// FoldedKeys must answer exactly as Map.get on the case-folded value would (config.md §7.2),
// for raw ASCII values of any case, ranges after a path's last backslash, and non-ASCII values
// (which it hands back for folding by the platform's rules).
import { FoldedKeys, asciiFoldedHash } from "./folded-keys";

describe("FoldedKeys", () => {
  const entries = new Map<string, number>([
    ["c:\\windows\\system32\\cmd.exe", 0],
    ["cmd.exe", 4],
    ["powershell.exe", 7],
    ["ärger.exe", 9],
    ["-", 12],
  ]);
  const keys = new FoldedKeys(entries);

  it("finds a raw value of any ASCII case", () => {
    expect(keys.getRaw("C:\\Windows\\System32\\CMD.exe", 0)).toBe(0);
    expect(keys.getRaw("PowerShell.EXE", 0)).toBe(7);
    expect(keys.getRaw("-", 0)).toBe(12);
  });

  it("finds the part of a value from a start index", () => {
    const value = "C:\\Windows\\System32\\Cmd.Exe";
    expect(keys.getRaw(value, value.lastIndexOf("\\") + 1)).toBe(4);
  });

  it("says -1 for values that are not keys, including near misses", () => {
    for (const value of ["cmd.ex", "cmd.exe ", "xcmd.exe", "powershell_exe", "", "C:\\Windows\\System32\\cmd.exf"]) expect(keys.getRaw(value, 0)).toBe(-1);
  });

  it("hands a non-ASCII value back (-2) and finds its folded form", () => {
    expect(keys.getRaw("ÄRGER.exe", 0)).toBe(-2);
    expect(keys.getFolded("ÄRGER.exe".toLowerCase())).toBe(9);
    expect(keys.getFolded("ärger.ex")).toBe(-1);
  });

  it("agrees with Map.get on folded values for many keys (probing past collisions)", () => {
    const many = new Map<string, number>();
    for (let i = 0; i < 500; i++) many.set(`c:\\program files\\app${i}\\bin${i % 7}.exe`, i);
    const table = new FoldedKeys(many);
    for (let i = 0; i < 600; i++) {
      const raw = `C:\\Program Files\\App${i}\\BIN${i % 7}.EXE`;
      expect(table.getRaw(raw, 0)).toBe(many.get(raw.toLowerCase()) ?? -1);
      expect(table.getFolded(raw.toLowerCase())).toBe(many.get(raw.toLowerCase()) ?? -1);
    }
  });

  it("hashes a raw ASCII range like its folded text", () => {
    expect(asciiFoldedHash("X:\\A\\CMD.EXE", 5)).toBe(asciiFoldedHash("cmd.exe", 0));
    expect(asciiFoldedHash("cmd.exé", 0)).toBe(-1);
  });
});
