/**
 * kernel32/ntdll entry points the driver client uses to talk to \\.\SysmonTs, bound once per
 * process through koffi (as etw-session.ts binds advapi32).
 *
 * IOCTLs go through NtDeviceIoControlFile rather than DeviceIoControl because it returns the
 * NTSTATUS itself: a READ runs as a koffi async call on a worker thread, where GetLastError
 * cannot be read back from the JS thread, and the driver's answers (STATUS_REVISION_MISMATCH for
 * a protocol mismatch) say more than the Win32 error they would be mapped to.
 */
import koffi from "koffi";
import { SysmonTsError } from "../../base";

const GENERIC_READ = 0x80000000;
const GENERIC_WRITE = 0x40000000;
const OPEN_EXISTING = 3;
const FILE_SHARE_READ_WRITE = 3;
const INVALID_HANDLE = -1;
/** IO_STATUS_BLOCK on x64: a status/pointer union then Information (ULONG_PTR). */
export const IO_STATUS_BLOCK_SIZE = 16;

/** A native memory block the kernel may write into while JS runs (a koffi.alloc'ed buffer). */
export interface NativeBlock {
  /** A view of the memory, valid until release(). */
  readonly bytes: Buffer;
  readonly pointer: unknown;
  release(): void;
}

export interface DriverDeviceApi {
  /** CreateFileW(path, GENERIC_READ | GENERIC_WRITE, OPEN_EXISTING): the handle, or the Win32 error. */
  open(devicePath: string): { handle: number } | { error: number };
  close(handle: number): boolean;
  /** A synchronous IOCTL with an input buffer and no output; returns the NTSTATUS. */
  control(handle: number, code: number, input: Buffer): number;
  /** An IOCTL with an output block, run on a koffi worker thread; `done` gets the NTSTATUS and byte count. */
  readAsync(handle: number, code: number, out: NativeBlock, ioStatus: NativeBlock, done: (status: number, bytes: number) => void): void;
  allocate(bytes: number): NativeBlock;
  /** QueryDosDeviceW for A: to Z:, e.g. {"C:": "\\Device\\HarddiskVolume3"}. */
  dosDevices(): Record<string, string>;
}

let bound: DriverDeviceApi | undefined;

/** Binds the API on first use; throws SYSMONTS_E_SENSOR elsewhere than Windows. */
export function loadDriverDeviceApi(): DriverDeviceApi {
  if (bound) return bound;
  if (process.platform !== "win32") throw new SysmonTsError("SYSMONTS_E_SENSOR", "the SysmonTs driver can be opened only on Windows");
  const kernel32 = koffi.load("kernel32.dll");
  const ntdll = koffi.load("ntdll.dll");
  const GetLastError = kernel32.func("uint32 __stdcall GetLastError()");
  const CreateFileW = kernel32.func("intptr_t __stdcall CreateFileW(str16 name, uint32 access, uint32 share, void *security, uint32 disposition, uint32 flags, intptr_t template)");
  const CloseHandle = kernel32.func("bool __stdcall CloseHandle(intptr_t handle)");
  const QueryDosDeviceW = kernel32.func("uint32 __stdcall QueryDosDeviceW(str16 name, _Out_ uint16 *target, uint32 max)");
  const NtDeviceIoControlFile = ntdll.func(
    "int32 __stdcall NtDeviceIoControlFile(intptr_t handle, intptr_t event, void *apc, void *apcContext, void *ioStatus, uint32 code, void *input, uint32 inputLength, void *output, uint32 outputLength)",
  );
  const toHandle = (value: unknown): number => Number(value);
  bound = {
    open: (devicePath) => {
      const handle = toHandle(CreateFileW(devicePath, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ_WRITE, null, OPEN_EXISTING, 0, 0));
      return handle === INVALID_HANDLE || handle === 0 ? { error: GetLastError() as number } : { handle };
    },
    close: (handle) => CloseHandle(handle) as boolean,
    control: (handle, code, input) => {
      const ioStatus = Buffer.alloc(IO_STATUS_BLOCK_SIZE);
      return (NtDeviceIoControlFile(handle, 0, null, null, ioStatus, code, input, input.length, null, 0) as number) >>> 0;
    },
    readAsync: (handle, code, out, ioStatus, done) => {
      NtDeviceIoControlFile.async(handle, 0, null, null, ioStatus.pointer, code, null, 0, out.pointer, out.bytes.length, (error: unknown, status: number) => {
        if (error) {
          done(STATUS_UNSUCCESSFUL, 0);
          return;
        }
        const ntStatus = status >>> 0;
        done(ntStatus, ntSuccess(ntStatus) ? Number(ioStatus.bytes.readBigUInt64LE(8)) : 0);
      });
    },
    allocate: (bytes) => {
      const pointer = koffi.alloc("uint8_t", bytes);
      let released = false;
      return {
        pointer,
        bytes: Buffer.from(koffi.view(pointer, bytes)),
        release: () => {
          if (released) return;
          released = true;
          koffi.free(pointer);
        },
      };
    },
    dosDevices: () => {
      const devices: Record<string, string> = {};
      const target = new Uint16Array(1024);
      for (let letter = 0x41; letter <= 0x5a; letter++) {
        const drive = `${String.fromCharCode(letter)}:`;
        const length = QueryDosDeviceW(drive, target, target.length) as number;
        if (length === 0) continue;
        // The first of the NUL-separated targets is the current mapping.
        const end = target.indexOf(0);
        devices[drive] = String.fromCharCode(...target.subarray(0, end < 0 ? length : end));
      }
      return devices;
    },
  };
  return bound;
}

export const STATUS_SUCCESS = 0;
export const STATUS_UNSUCCESSFUL = 0xc0000001;
export const STATUS_REVISION_MISMATCH = 0xc0000059;

/** NT_SUCCESS: severity success or informational. */
export function ntSuccess(status: number): boolean {
  return (status >>> 0) < 0x80000000;
}

/** NTSTATUS as Windows prints it, e.g. 0xC0000059. */
export function ntStatusText(status: number): string {
  return `0x${(status >>> 0).toString(16).toUpperCase().padStart(8, "0")}`;
}
