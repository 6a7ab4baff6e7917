/**
 * The few libbpf (system libbpf.so.1) and libc calls the Linux sensor needs, bound with koffi
 * and given TypeScript types. Pointers are koffi 3 BigInts; libbpf's NULL comes back as null and
 * the errno of a failed call is read with koffi.errno(). Loaded lazily so that importing the
 * sensor on a machine without libbpf costs nothing until a sensor is opened.
 */
import koffi from "koffi";

/** An opaque native pointer (koffi 3 represents pointers as BigInt). */
export type NativePointer = bigint;

export type LibbpfLogLevel = "warn" | "info" | "debug";

export interface NativeCalls {
  // libbpf
  setPrint(callback: NativePointer | null): void;
  objectOpenFile(path: string): NativePointer | null;
  objectLoad(object: NativePointer): number;
  objectClose(object: NativePointer): void;
  objectNextProgram(object: NativePointer, previous: NativePointer | null): NativePointer | null;
  objectNextMap(object: NativePointer, previous: NativePointer | null): NativePointer | null;
  objectFindMap(object: NativePointer, name: string): NativePointer | null;
  programName(program: NativePointer): string;
  programAttach(program: NativePointer): NativePointer | null;
  linkDestroy(link: NativePointer): number;
  mapName(map: NativePointer): string;
  mapFd(map: NativePointer): number;
  mapSetMaxEntries(map: NativePointer, entries: number): number;
  /** Returns the pointer to the map's initial value and writes its size into size[0]. */
  mapInitialValue(map: NativePointer, size: [bigint]): NativePointer | null;
  mapLookup(map: NativePointer, key: Uint8Array, value: Uint8Array): number;
  mapUpdate(map: NativePointer, key: Uint8Array, value: Uint8Array): number;
  numPossibleCpus(): number;
  // libc
  mmap(length: number, protection: number, fd: number, offset: number): NativePointer | null;
  munmap(address: NativePointer, length: number): number;
  pageSize(): number;
  /** clock_gettime as {seconds, nanoseconds}; throws nothing, returns null on failure. */
  clockGetTime(clock: number): { seconds: number; nanoseconds: number } | null;
  mount(source: string, target: string, type: string): number;
  geteuid(): number;
  strerror(errno: number): string;
  errno(): number;
}

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const CLOCK_REALTIME = 0;
export const CLOCK_BOOTTIME = 7;
const MAP_SHARED = 1;
const MAP_FAILED = 0xffffffffffffffffn;
const SC_PAGESIZE = 30;

let bound: NativeCalls | null = null;
let printCallback: NativePointer | null = null;
let logSink: ((level: LibbpfLogLevel, message: string) => void) | null = null;

function bind(): NativeCalls {
  const libbpf = koffi.load("libbpf.so.1");
  const libc = koffi.load("libc.so.6");
  const timespec = koffi.struct("sysmonts_timespec", { tv_sec: "int64_t", tv_nsec: "int64_t" });

  const f = {
    setPrint: libbpf.func("void *libbpf_set_print(void *fn)"),
    openFile: libbpf.func("void *bpf_object__open_file(const char *path, void *opts)"),
    load: libbpf.func("int bpf_object__load(void *obj)"),
    close: libbpf.func("void bpf_object__close(void *obj)"),
    nextProgram: libbpf.func("void *bpf_object__next_program(void *obj, void *prog)"),
    nextMap: libbpf.func("void *bpf_object__next_map(void *obj, void *map)"),
    findMap: libbpf.func("void *bpf_object__find_map_by_name(void *obj, const char *name)"),
    programName: libbpf.func("const char *bpf_program__name(void *prog)"),
    attach: libbpf.func("void *bpf_program__attach(void *prog)"),
    linkDestroy: libbpf.func("int bpf_link__destroy(void *link)"),
    mapName: libbpf.func("const char *bpf_map__name(void *map)"),
    mapFd: libbpf.func("int bpf_map__fd(void *map)"),
    setMaxEntries: libbpf.func("int bpf_map__set_max_entries(void *map, uint32_t entries)"),
    initialValue: libbpf.func("void *bpf_map__initial_value(void *map, _Out_ size_t *psize)"),
    lookup: libbpf.func(
      "int bpf_map__lookup_elem(void *map, const uint8_t *key, size_t key_sz, _Out_ uint8_t *value, size_t value_sz, uint64_t flags)",
    ),
    update: libbpf.func(
      "int bpf_map__update_elem(void *map, const uint8_t *key, size_t key_sz, const uint8_t *value, size_t value_sz, uint64_t flags)",
    ),
    numCpus: libbpf.func("int libbpf_num_possible_cpus()"),
    mmap: libc.func("void *mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t off)"),
    munmap: libc.func("int munmap(void *addr, size_t len)"),
    sysconf: libc.func("long sysconf(int name)"),
    clockGetTime: libc.func("clock_gettime", "int", ["int", koffi.out(koffi.pointer(timespec))]),
    mount: libc.func("int mount(const char *source, const char *target, const char *type, unsigned long flags, const void *data)"),
    geteuid: libc.func("uint32_t geteuid()"),
    strerror: libc.func("const char *strerror(int errnum)"),
  };

  const pointerOrNull = (value: unknown): NativePointer | null =>
    typeof value === "bigint" && value !== 0n ? value : null;

  return {
    setPrint: (callback) => void f.setPrint(callback),
    objectOpenFile: (path) => pointerOrNull(f.openFile(path, null)),
    objectLoad: (object) => f.load(object) as number,
    objectClose: (object) => void f.close(object),
    objectNextProgram: (object, previous) => pointerOrNull(f.nextProgram(object, previous)),
    objectNextMap: (object, previous) => pointerOrNull(f.nextMap(object, previous)),
    objectFindMap: (object, name) => pointerOrNull(f.findMap(object, name)),
    programName: (program) => String(f.programName(program)),
    programAttach: (program) => pointerOrNull(f.attach(program)),
    linkDestroy: (link) => f.linkDestroy(link) as number,
    mapName: (map) => String(f.mapName(map)),
    mapFd: (map) => f.mapFd(map) as number,
    mapSetMaxEntries: (map, entries) => f.setMaxEntries(map, entries) as number,
    mapInitialValue: (map, size) => {
      const out = [0n];
      const pointer = pointerOrNull(f.initialValue(map, out));
      size[0] = BigInt(out[0] ?? 0n);
      return pointer;
    },
    mapLookup: (map, key, value) => f.lookup(map, key, key.length, value, value.length, 0n) as number,
    mapUpdate: (map, key, value) => f.update(map, key, key.length, value, value.length, 0n) as number,
    numPossibleCpus: () => f.numCpus() as number,
    mmap: (length, protection, fd, offset) => {
      const pointer = f.mmap(null, length, protection, MAP_SHARED, fd, offset) as unknown;
      return typeof pointer === "bigint" && pointer !== MAP_FAILED && pointer !== 0n ? pointer : null;
    },
    munmap: (address, length) => f.munmap(address, length) as number,
    pageSize: () => Number(f.sysconf(SC_PAGESIZE)),
    clockGetTime: (clock) => {
      const out: { tv_sec?: number | bigint; tv_nsec?: number | bigint } = {};
      if ((f.clockGetTime(clock, out) as number) !== 0) return null;
      return { seconds: Number(out.tv_sec ?? 0), nanoseconds: Number(out.tv_nsec ?? 0) };
    },
    mount: (source, target, type) => f.mount(source, target, type, 0, null) as number,
    geteuid: () => f.geteuid() as number,
    strerror: (errno) => String(f.strerror(errno)),
    errno: () => koffi.errno(),
  };
}

/** The bound native calls; throws (a plain Error from koffi) when libbpf.so.1 cannot be loaded. */
export function nativeCalls(): NativeCalls {
  bound ??= bind();
  return bound;
}

const LEVEL_NAMES: readonly LibbpfLogLevel[] = ["warn", "info", "debug"];

/**
 * Routes libbpf's log (including the verifier log of a failed load) to `sink`. libbpf formats
 * with a va_list, so the message is rendered by libc vsnprintf (va_list is a pointer on x86-64
 * and arm64's AAPCS passes it by reference too). One process-wide callback, as libbpf has one.
 */
export function routeLibbpfLog(sink: ((level: LibbpfLogLevel, message: string) => void) | null): void {
  const calls = nativeCalls();
  logSink = sink;
  if (printCallback !== null) return;
  const libc = koffi.load("libc.so.6");
  const vsnprintf = libc.func("int vsnprintf(_Out_ uint8_t *buf, size_t n, const char *fmt, void *ap)");
  const printPrototype = koffi.proto("int sysmonts_libbpf_print(int level, const char *fmt, void *ap)");
  const buffer = Buffer.alloc(16 * 1024);
  printCallback = koffi.register((level: number, format: string, args: NativePointer) => {
    if (logSink === null) return 0;
    const written = vsnprintf(buffer, buffer.length, format, args) as number;
    const text = buffer.toString("utf8", 0, Math.max(0, Math.min(written, buffer.length - 1))).replace(/\n$/, "");
    logSink(LEVEL_NAMES[level] ?? "debug", text);
    return 0;
  }, koffi.pointer(printPrototype));
  calls.setPrint(printCallback);
}

/** koffi.view over native memory, typed. The memory must outlive every view made from it. */
export function viewNative(address: NativePointer, length: number): ArrayBuffer {
  return koffi.view(address, length);
}
