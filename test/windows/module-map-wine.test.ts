// System test: the module map behind event 10's CallTrace and event 8's StartModule /
// StartFunction, run by the Windows node.exe under Wine against live processes (this one and a
// child it starts) through the real koffi binding of K32EnumProcessModulesEx and friends. The
// export table comes from the DLL file the loader names, as on Windows.
import path from "node:path";
import { WinePrefix } from "./harness";
import { type ProbeResults, runProbe } from "./wine-harness";

jest.setTimeout(600_000);

interface Module {
  base: number;
  size: number;
  path: string;
}

describe("process module map under Wine", () => {
  let wine: WinePrefix;
  let report: ProbeResults;

  beforeAll(() => {
    wine = WinePrefix.create();
    report = runProbe(wine, path.join(__dirname, "module-map-wine-probe.ts"));
  });

  afterAll(() => wine?.close());

  const detailOf = <T>(name: string): T => {
    const found = report.step(name);
    if (!found.ok) throw new Error(`step '${name}' failed: ${JSON.stringify(found.detail)}`);
    return found.detail as T;
  };

  test("lists this process's modules: ntdll and kernel32 with their base, size and path", () => {
    const own = detailOf<{ count: number; ntdll?: Module; kernel32?: Module; loadLibraryW: number }>("own modules");
    expect(own.count).toBeGreaterThan(5);
    expect(own.ntdll?.path).toMatch(/^C:\\windows\\system32\\ntdll\.dll$/i);
    expect(own.kernel32?.path).toMatch(/^C:\\windows\\system32\\kernel32\.dll$/i);
    expect(own.kernel32!.size).toBeGreaterThan(0x1000);
    expect(own.loadLibraryW).toBeGreaterThan(own.kernel32!.base);
    expect(own.loadLibraryW).toBeLessThan(own.kernel32!.base + own.kernel32!.size);
  });

  test("maps LoadLibraryW to kernel32.dll+offset in CallTrace and to StartFunction LoadLibraryW", () => {
    const own = detailOf<{ kernel32: Module; loadLibraryW: number }>("own modules");
    const offset = own.loadLibraryW - own.kernel32.base;
    const result = detailOf<{ callTrace: string; start: { module: string; function: string }; stats: { enumerations: number; exportReads: number } }>("own CallTrace and thread start");
    expect(result.callTrace).toBe(`${own.kernel32.path}+${offset.toString(16)}|${own.kernel32.path}+${(offset + 0x10).toString(16)}|UNKNOWN(0000000000001000)`);
    expect(result.start).toEqual({ module: own.kernel32.path, function: "LoadLibraryW" });
    // Three frames and a thread start cost one module-list read and one export-table read.
    expect(result.stats).toMatchObject({ enumerations: 1, exportReads: 1 });
  });

  test("reads a child process's modules from outside and names the thread start in it", () => {
    const child = detailOf<{ count: number; ntdll?: Module; kernel32?: Module }>("child modules");
    expect(child.ntdll?.path).toMatch(/\\ntdll\.dll$/i);
    expect(child.kernel32?.path).toMatch(/\\kernel32\.dll$/i);
    const own = detailOf<{ kernel32: Module; loadLibraryW: number }>("own modules");
    const start = detailOf<{ start: { module: string; function: string }; frame: string }>("child thread start at LoadLibraryW");
    // kernel32 sits at one address in every process of a session (on Windows until reboot).
    expect(child.kernel32?.base).toBe(own.kernel32.base);
    expect(start.start).toEqual({ module: child.kernel32!.path, function: "LoadLibraryW" });
    expect(start.frame).toBe(`${child.kernel32!.path}+${(own.loadLibraryW - own.kernel32.base).toString(16)}`);
  });

  test("a pid that names no process gives no module list, remembered as empty", () => {
    expect(detailOf<{ modules: unknown }>("a pid that is no process").modules).toBeNull();
  });
});
