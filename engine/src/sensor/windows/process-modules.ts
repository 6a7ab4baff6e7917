/**
 * Which module of a process an address lies in, for the two fields Sysmon resolves that way:
 * ProcessAccess CallTrace (event 10: `C:\Windows\SYSTEM32\ntdll.dll+9d4c4|…|UNKNOWN(…)`) and
 * CreateRemoteThread StartModule / StartFunction (event 8: the module holding StartAddress and
 * the export whose RVA is exactly StartAddress, e.g. LoadLibraryW). spec/events.md §4,
 * "ProcessAccess CallTrace" and the event 8 field list.
 *
 * Hot path: one module list per process, read once (EnumProcessModulesEx and friends) and kept
 * until the driver reports an image load into that process or its exit; each lookup is then a
 * binary search. A module's exports are read from its file once and kept by path.
 */
import { readFileSync } from "node:fs";
import koffi from "koffi";
import { SysmonTsError } from "../../base";
import { readPeExports } from "./pe-image";

export interface ProcessModule {
  /** Load address (user-mode addresses fit a double exactly: at most 47 bits on x64). */
  readonly base: number;
  readonly size: number;
  /** The loader's path, as GetModuleFileNameExW gives it (C:\Windows\SYSTEM32\ntdll.dll). */
  readonly path: string;
}

/** One process's modules, sorted by base for binary search. */
export class ModuleMap {
  static readonly EMPTY = new ModuleMap([]);
  private readonly modules: readonly ProcessModule[];

  constructor(modules: readonly ProcessModule[]) {
    this.modules = [...modules].filter((m) => m.size > 0).sort((a, b) => a.base - b.base);
  }

  get size(): number {
    return this.modules.length;
  }

  /** The module whose [base, base + size) holds `address`. */
  find(address: number): ProcessModule | undefined {
    let low = 0;
    let high = this.modules.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const module = this.modules[middle]!;
      if (address < module.base) high = middle - 1;
      else if (address >= module.base + module.size) low = middle + 1;
      else return module;
    }
    return undefined;
  }

  list(): readonly ProcessModule[] {
    return this.modules;
  }
}

/** Sysmon's frame for an address outside every module: `%p` of a 64-bit pointer. */
function unknownFrame(hex: string): string {
  return `UNKNOWN(${hex.toUpperCase().padStart(16, "0")})`;
}

/**
 * The driver's `|`-separated hex return addresses as Sysmon's CallTrace: `<module path>+<lowercase
 * hex offset>` for an address inside a module of `modules`, else `UNKNOWN(<16 hex digits>)`.
 * Wow64 frames (`+…(wow64)`) are not distinguished: the driver walks the native stack only.
 */
export function callTraceText(addresses: string, modules: ModuleMap = ModuleMap.EMPTY): string {
  if (addresses === "") return "";
  const frames: string[] = [];
  for (const frame of addresses.split("|")) {
    if (frame === "") continue;
    const hex = frame.replace(/^0x/i, "");
    if (!/^[0-9a-f]{1,16}$/i.test(hex)) {
      frames.push(`UNKNOWN(${frame})`);
      continue;
    }
    // Kernel addresses (above 2^53) are in no user module; parseInt would round them.
    const address = hex.length <= 13 ? parseInt(hex, 16) : Number.NaN;
    const module = Number.isNaN(address) ? undefined : modules.find(address);
    frames.push(module === undefined ? unknownFrame(hex) : `${module.path}+${(address - module.base).toString(16)}`);
  }
  return frames.join("|");
}

/** What reads a live process's module list; koffi-bound on Windows (loadProcessModuleApi). */
export interface ProcessModuleApi {
  /** The process's modules, or null when it cannot be opened or has exited. */
  listModules(pid: number): ProcessModule[] | null;
}

export interface ThreadStart {
  /** StartModule: the module path, or "-". */
  readonly module: string;
  /** StartFunction: the export at exactly that address, or "-". */
  readonly function: string;
}

export interface ProcessModulesStats {
  /** Module lists read from the system (cache misses), and how many found no process. */
  readonly enumerations: number;
  readonly enumerationFailures: number;
  readonly cachedProcesses: number;
  /** Module files whose exports were read, and how many could not be read or parsed. */
  readonly exportReads: number;
  readonly exportFailures: number;
}

export interface ProcessModulesOptions {
  /** Default: the koffi binding (Windows only). */
  readonly api?: ProcessModuleApi;
  /** Export table of a module file by path (RVA → name); default: read the file with readPeExports. */
  readonly readExports?: (path: string) => ReadonlyMap<number, string>;
  /** Processes whose module lists are kept; the oldest is forgotten beyond this. Default 1024. */
  readonly maxProcesses?: number;
  /** Module files whose exports are kept. Default 256. */
  readonly maxExportFiles?: number;
}

/** A module file's exports by RVA, names only (ordinal-only exports have no StartFunction text). */
export function exportsByRva(path: string): ReadonlyMap<number, string> {
  const byRva = new Map<number, string>();
  for (const entry of readPeExports(readFileSync(path))) {
    if (entry.name !== null && !byRva.has(entry.rva)) byRva.set(entry.rva, entry.name);
  }
  return byRva;
}

const NO_START: ThreadStart = { module: "-", function: "-" };

/** Bounded insertion-order cache: beyond `max`, the entry stored longest ago goes. */
function remember<K, V>(cache: Map<K, V>, key: K, value: V, max: number): V {
  cache.delete(key);
  cache.set(key, value);
  if (cache.size > max) cache.delete(cache.keys().next().value as K);
  return value;
}

/** Per-process module maps and per-file exports, invalidated by the driver's image-load and exit records. */
export class ProcessModules {
  private api: ProcessModuleApi | undefined;
  private readonly readExports: (path: string) => ReadonlyMap<number, string>;
  private readonly maxProcesses: number;
  private readonly maxExportFiles: number;
  private readonly maps = new Map<number, ModuleMap>();
  private readonly exports = new Map<string, ReadonlyMap<number, string>>();
  private readonly count = { enumerations: 0, enumerationFailures: 0, exportReads: 0, exportFailures: 0 };

  constructor(options: ProcessModulesOptions = {}) {
    this.api = options.api;
    this.readExports = options.readExports ?? exportsByRva;
    this.maxProcesses = options.maxProcesses ?? 1024;
    this.maxExportFiles = options.maxExportFiles ?? 256;
  }

  /** The module map of `pid`, read on the first call after start or invalidation. */
  mapOf(pid: number): ModuleMap {
    const cached = this.maps.get(pid);
    if (cached !== undefined) return cached;
    this.count.enumerations++;
    this.api ??= loadProcessModuleApi();
    const listed = this.api.listModules(pid);
    if (listed === null) this.count.enumerationFailures++;
    // A process that cannot be opened (protected, or gone) is remembered as empty too, so its
    // events do not each retry OpenProcess; its exit or next image load clears it.
    return remember(this.maps, pid, listed === null ? ModuleMap.EMPTY : new ModuleMap(listed), this.maxProcesses);
  }

  /** Event 10's CallTrace for frames of process `pid`. */
  callTrace(pid: number, addresses: string): string {
    return addresses === "" ? "" : callTraceText(addresses, this.mapOf(pid));
  }

  /** Event 8's StartModule and StartFunction for a thread started at `address` in `pid`. */
  threadStart(pid: number, address: bigint): ThreadStart {
    if (address <= 0n || address >= 1n << 53n) return NO_START;
    const at = Number(address);
    const module = this.mapOf(pid).find(at);
    if (module === undefined) return NO_START;
    return { module: module.path, function: this.exportsOf(module.path).get(at - module.base) ?? "-" };
  }

  /** Forgets `pid`'s modules: it loaded an image or exited (driver IMAGE_LOAD / PROCESS_EXIT). */
  invalidate(pid: number): void {
    this.maps.delete(pid);
  }

  stats(): ProcessModulesStats {
    return { ...this.count, cachedProcesses: this.maps.size };
  }

  private exportsOf(path: string): ReadonlyMap<number, string> {
    const cached = this.exports.get(path);
    if (cached !== undefined) return cached;
    this.count.exportReads++;
    let byRva: ReadonlyMap<number, string>;
    try {
      byRva = this.readExports(path);
    } catch {
      // Unreadable or not a PE: StartFunction is "-", as Sysmon prints when it finds no export.
      this.count.exportFailures++;
      byRva = new Map();
    }
    return remember(this.exports, path, byRva, this.maxExportFiles);
  }
}

// ---- the Windows binding ------------------------------------------------------------------------

const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
const PROCESS_VM_READ = 0x0010;
/** LIST_MODULES_ALL: 32- and 64-bit modules of a Wow64 process alike. */
const LIST_MODULES_ALL = 3;
/** MODULEINFO on x64: {void *lpBaseOfDll; DWORD SizeOfImage; void *EntryPoint}. */
const MODULEINFO_SIZE = 24;
const MAX_PATH_CHARS = 32768;
const MAX_MODULES = 4096;

let bound: ProcessModuleApi | undefined;

/**
 * kernel32's K32EnumProcessModulesEx, K32GetModuleInformation and K32GetModuleFileNameExW (the
 * psapi functions), bound once. Throws SYSMONTS_E_SENSOR elsewhere than Windows.
 */
export function loadProcessModuleApi(): ProcessModuleApi {
  if (bound) return bound;
  if (process.platform !== "win32") throw new SysmonTsError("SYSMONTS_E_SENSOR", "process module lists can be read only on Windows");
  const kernel32 = koffi.load("kernel32.dll");
  const OpenProcess = kernel32.func("intptr_t __stdcall OpenProcess(uint32 access, bool inherit, uint32 pid)");
  const CloseHandle = kernel32.func("bool __stdcall CloseHandle(intptr_t handle)");
  const EnumModules = kernel32.func("bool __stdcall K32EnumProcessModulesEx(intptr_t process, _Out_ uint8_t *modules, uint32 bytes, _Out_ uint32 *needed, uint32 filter)");
  const ModuleInformation = kernel32.func("bool __stdcall K32GetModuleInformation(intptr_t process, intptr_t module, _Out_ uint8_t *info, uint32 bytes)");
  const ModuleFileName = kernel32.func("uint32 __stdcall K32GetModuleFileNameExW(intptr_t process, intptr_t module, _Out_ uint16_t *name, uint32 chars)");
  const nameBuffer = Buffer.alloc(MAX_PATH_CHARS * 2);
  const info = Buffer.alloc(MODULEINFO_SIZE);

  const enumerate = (handle: number): number[] | null => {
    let capacity = 256;
    for (;;) {
      const handles = Buffer.alloc(capacity * 8);
      const needed = [0];
      if (!(EnumModules(handle, handles, handles.length, needed, LIST_MODULES_ALL) as boolean)) return null;
      const count = Math.min((needed[0] ?? 0) / 8, MAX_MODULES);
      // The list can grow between calls; read again with room for what it said it needs.
      if (count > capacity && capacity < MAX_MODULES) {
        capacity = Math.min(count + 32, MAX_MODULES);
        continue;
      }
      const modules: number[] = [];
      for (let i = 0; i < Math.min(count, capacity); i++) modules.push(Number(handles.readBigUInt64LE(i * 8)));
      return modules;
    }
  };

  bound = {
    listModules: (pid) => {
      const handle = Number(OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ, false, pid >>> 0));
      if (handle === 0) return null;
      try {
        const handles = enumerate(handle);
        if (handles === null) return null;
        const modules: ProcessModule[] = [];
        for (const module of handles) {
          if (!(ModuleInformation(handle, module, info, MODULEINFO_SIZE) as boolean)) continue;
          const chars = ModuleFileName(handle, module, nameBuffer, MAX_PATH_CHARS) as number;
          if (chars === 0) continue;
          modules.push({ base: Number(info.readBigUInt64LE(0)), size: info.readUInt32LE(8), path: nameBuffer.toString("utf16le", 0, chars * 2) });
        }
        return modules;
      } finally {
        CloseHandle(handle);
      }
    },
  };
  return bound;
}
