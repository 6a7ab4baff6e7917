// Module maps and the CallTrace / StartModule / StartFunction text built from them. The module
// lists come from a scripted ProcessModuleApi here because OpenProcess and K32EnumProcessModulesEx
// cannot run on Linux; the koffi binding is exercised on real processes in
// test/windows/module-map-wine.test.ts. Exports are read from Wine's real kernel32.dll.
import { readPeExports } from "./pe-image";
import { ModuleMap, ProcessModules, callTraceText, exportsByRva, type ProcessModule, type ProcessModuleApi } from "./process-modules";
import { readFileSync } from "node:fs";

const KERNEL32 = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/kernel32.dll";
const NTDLL_BASE = 0x7ffb_5f30_0000;
const KERNEL32_BASE = 0x7ffb_5e00_0000;
const modules: ProcessModule[] = [
  { base: KERNEL32_BASE, size: 0xc_0000, path: KERNEL32 },
  { base: 0x7ff6_1000_0000, size: 0x2_0000, path: "C:\\Tools\\agent.exe" },
  { base: NTDLL_BASE, size: 0x1f_8000, path: "C:\\Windows\\SYSTEM32\\ntdll.dll" },
];

/** Lists `modules` for pid 600, nothing for any other pid, and counts the calls. */
function scriptedApi(): ProcessModuleApi & { calls: number[] } {
  const calls: number[] = [];
  return { calls, listModules: (pid) => (calls.push(pid), pid === 600 ? modules : null) };
}

describe("ModuleMap", () => {
  const map = new ModuleMap(modules);

  it("finds the module holding an address by binary search, bounds included and excluded", () => {
    expect(map.find(NTDLL_BASE)?.path).toBe("C:\\Windows\\SYSTEM32\\ntdll.dll");
    expect(map.find(NTDLL_BASE + 0x1f_7fff)?.path).toBe("C:\\Windows\\SYSTEM32\\ntdll.dll");
    expect(map.find(NTDLL_BASE + 0x1f_8000)).toBeUndefined();
    expect(map.find(0x7ff6_1000_1234)?.path).toBe("C:\\Tools\\agent.exe");
    expect(map.find(0x1000)).toBeUndefined();
    expect(map.list().map((m) => m.base)).toEqual([0x7ff6_1000_0000, KERNEL32_BASE, NTDLL_BASE]);
  });

  it("ignores zero-sized entries", () => {
    expect(new ModuleMap([{ base: 0x1000, size: 0, path: "x" }]).size).toBe(0);
  });
});

describe("callTraceText", () => {
  it("prints module+lowercase hex offset inside a module and UNKNOWN(16 hex digits) elsewhere (spec/events.md §4)", () => {
    const trace = [NTDLL_BASE + 0x9d4c4, KERNEL32_BASE + 0x2bcae, 0x4a1b2c].map((a) => a.toString(16)).join("|");
    expect(callTraceText(trace, new ModuleMap(modules))).toBe(
      `C:\\Windows\\SYSTEM32\\ntdll.dll+9d4c4|${KERNEL32}+2bcae|UNKNOWN(00000000004A1B2C)`,
    );
  });

  it("keeps kernel addresses and text it cannot read as UNKNOWN frames", () => {
    expect(callTraceText("0xFFFFF80312345678|7ffb5f3e3e8a|garbage|", new ModuleMap([]))).toBe("UNKNOWN(FFFFF80312345678)|UNKNOWN(00007FFB5F3E3E8A)|UNKNOWN(garbage)");
    expect(callTraceText("")).toBe("");
  });
});

describe("ProcessModules", () => {
  const loadLibraryW = readPeExports(readFileSync(KERNEL32)).find((e) => e.name === "LoadLibraryW")!;

  it("reads a process's modules once and answers later lookups from the cache", () => {
    const api = scriptedApi();
    const cache = new ProcessModules({ api });
    const frame = (NTDLL_BASE + 0x10).toString(16);
    for (let i = 0; i < 100; i++) expect(cache.callTrace(600, frame)).toBe("C:\\Windows\\SYSTEM32\\ntdll.dll+10");
    expect(api.calls).toEqual([600]);
    expect(cache.stats()).toMatchObject({ enumerations: 1, enumerationFailures: 0, cachedProcesses: 1 });
  });

  it("reads the list again after an image load or exit invalidated it", () => {
    const api = scriptedApi();
    const cache = new ProcessModules({ api });
    cache.mapOf(600);
    cache.invalidate(600);
    cache.mapOf(600);
    expect(api.calls).toEqual([600, 600]);
  });

  it("remembers a process it cannot open as empty, so its events do not retry every time", () => {
    const api = scriptedApi();
    const cache = new ProcessModules({ api });
    expect(cache.callTrace(4, "7ffb5f300010")).toBe("UNKNOWN(00007FFB5F300010)");
    expect(cache.callTrace(4, "7ffb5f300010")).toBe("UNKNOWN(00007FFB5F300010)");
    expect(api.calls).toEqual([4]);
    expect(cache.stats()).toMatchObject({ enumerations: 1, enumerationFailures: 1 });
  });

  it("keeps at most maxProcesses module lists, forgetting the one read longest ago", () => {
    const api = scriptedApi();
    const cache = new ProcessModules({ api, maxProcesses: 2 });
    for (const pid of [1, 2, 3, 1]) cache.mapOf(pid);
    expect(api.calls).toEqual([1, 2, 3, 1]);
    expect(cache.stats().cachedProcesses).toBe(2);
  });

  it("names StartModule and the export at exactly StartAddress, from kernel32.dll's export table", () => {
    const cache = new ProcessModules({ api: scriptedApi() });
    expect(loadLibraryW.rva).toBeGreaterThan(0);
    expect(cache.threadStart(600, BigInt(KERNEL32_BASE + loadLibraryW.rva))).toEqual({ module: KERNEL32, function: "LoadLibraryW" });
    // Inside the function but not at its start: the module is known, no export is.
    expect(cache.threadStart(600, BigInt(KERNEL32_BASE + loadLibraryW.rva + 1))).toEqual({ module: KERNEL32, function: "-" });
    expect(cache.threadStart(600, 0x1234n)).toEqual({ module: "-", function: "-" });
    expect(cache.threadStart(600, 0xffff_f803_1234_5678n)).toEqual({ module: "-", function: "-" });
    expect(cache.stats()).toMatchObject({ exportReads: 1, exportFailures: 0 });
  });

  it("prints StartFunction - when the module file cannot be read", () => {
    const api: ProcessModuleApi = { listModules: () => [{ base: 0x10000, size: 0x1000, path: "/nonexistent/missing.dll" }] };
    const cache = new ProcessModules({ api });
    expect(cache.threadStart(7, 0x10010n)).toEqual({ module: "/nonexistent/missing.dll", function: "-" });
    expect(cache.stats()).toMatchObject({ exportReads: 1, exportFailures: 1 });
  });

  it("exportsByRva keeps the first name of an RVA exported under several names", () => {
    const byRva = exportsByRva(KERNEL32);
    expect(byRva.get(loadLibraryW.rva)).toBe("LoadLibraryW");
  });
});
