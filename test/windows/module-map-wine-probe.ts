// Runs inside Wine under the Windows node.exe (bundled by module-map-wine.test.ts): reads the
// module lists of this process and of a child through the real koffi binding, resolves
// LoadLibraryW's address as CallTrace and StartModule/StartFunction do, and writes what it found
// as JSON to the file named in argv[2].
import { spawn } from "node:child_process";
import koffi from "koffi";
import { ProcessModules, loadProcessModuleApi, type ProcessModule } from "../../engine/src/sensor/windows/process-modules";
import { createProbeReport } from "./probe-report";

const { step, record, finish } = createProbeReport();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const named = (modules: readonly ProcessModule[] | null, file: string) => modules?.find((m) => m.path.toLowerCase().endsWith(`\\${file}`));

async function main(): Promise<void> {
  const kernel32 = koffi.load("kernel32.dll");
  const GetModuleHandleW = kernel32.func("intptr_t __stdcall GetModuleHandleW(str16 name)");
  const GetProcAddress = kernel32.func("intptr_t __stdcall GetProcAddress(intptr_t module, str name)");
  const loadLibraryW = Number(GetProcAddress(GetModuleHandleW("kernel32.dll"), "LoadLibraryW"));
  const api = loadProcessModuleApi();

  step("own modules", () => {
    const modules = api.listModules(process.pid);
    return { count: modules?.length ?? 0, ntdll: named(modules, "ntdll.dll"), kernel32: named(modules, "kernel32.dll"), loadLibraryW };
  });

  const cache = new ProcessModules();
  step("own CallTrace and thread start", () => {
    const frames = [loadLibraryW, loadLibraryW + 0x10, 0x1000].map((a) => a.toString(16)).join("|");
    return { callTrace: cache.callTrace(process.pid, frames), start: cache.threadStart(process.pid, BigInt(loadLibraryW)), stats: cache.stats() };
  });

  // A child that idles: its modules are read from outside, as the service reads a target's.
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
  try {
    const started = Date.now();
    let modules: ProcessModule[] | null = null;
    while (Date.now() - started < 15_000) {
      modules = api.listModules(child.pid ?? 0);
      if (named(modules, "kernel32.dll")) break;
      await sleep(200);
    }
    step("child modules", () => ({ count: modules?.length ?? 0, ntdll: named(modules, "ntdll.dll"), kernel32: named(modules, "kernel32.dll") }));
    step("child thread start at LoadLibraryW", () => {
      cache.invalidate(child.pid ?? 0);
      return { start: cache.threadStart(child.pid ?? 0, BigInt(loadLibraryW)), frame: cache.callTrace(child.pid ?? 0, loadLibraryW.toString(16)) };
    });
  } finally {
    child.kill();
  }
  step("a pid that is no process", () => ({ modules: api.listModules(0x7ffffff0), stats: cache.stats() }));
}

main()
  .catch((error: unknown) => record({ step: "main", ok: false, detail: String(error) }))
  .finally(finish);
