/**
 * The advapi32/kernel32 entry points the Windows service host and installer use (winsvc.h,
 * winreg.h), bound once per process through koffi. Only usable on Windows; everything here is
 * exercised for real by test/windows under Wine.
 */
import koffi, { type TypeObject } from "koffi";
import { SysmonTsError } from "../../base";
import { ERROR_SUCCESS, SERVICE_ERROR_NORMAL, type ServiceStatus } from "./win32-constants";

const SC_MANAGER_ALL_ACCESS = 0xf003f;
const SERVICE_ALL_ACCESS = 0xf01ff;
const KEY_ALL_ACCESS = 0xf003f;
const KEY_WOW64_64KEY = 0x0100;
export const HKEY_LOCAL_MACHINE = 0x80000002n;
const REG_SZ = 1;
const REG_DWORD = 4;

/** Opaque native handle (SC_HANDLE, SERVICE_STATUS_HANDLE, HKEY). */
export type NativeHandle = unknown;

export interface Win32Api {
  readonly koffi: typeof koffi;
  getLastError(): number;
  openScManager(): NativeHandle;
  openService(scm: NativeHandle, name: string): NativeHandle;
  createService(scm: NativeHandle, spec: { name: string; displayName: string; type: number; start: number; binaryPath: string; group: string | null; dependencies: string[] }): NativeHandle;
  startService(service: NativeHandle): boolean;
  controlService(service: NativeHandle, control: number): { ok: boolean; state: number };
  queryServiceState(service: NativeHandle): number;
  deleteService(service: NativeHandle): boolean;
  closeServiceHandle(handle: NativeHandle): void;
  /** Creates (or opens) HKLM\<path> in the 64-bit view and sets string/DWORD values. */
  setRegistryValues(path: string, values: Record<string, string | number>): number;
  /** Deletes HKLM\<path> with its subkeys; ERROR_FILE_NOT_FOUND when absent. */
  deleteRegistryTree(path: string): number;
  /** FOLDERID_ProgramData as the shell knows it (C:\\ProgramData). */
  programDataDir(): string;
  /** advapi32 service-process entry points, for the SCM host. */
  readonly service: {
    startDispatcherAsync(serviceName: string, serviceMain: unknown, done: (error: unknown, ok: boolean) => void): void;
    registerHandler(serviceName: string, handler: unknown): NativeHandle;
    setStatus(handle: NativeHandle, status: ServiceStatus): boolean;
    serviceMainType: TypeObject;
    handlerType: TypeObject;
  };
}

let bound: Win32Api | undefined;

/** Binds the API on first use; throws SYSMONTS_E_WINDOWS_SERVICE elsewhere than Windows. */
export function win32(): Win32Api {
  if (bound) return bound;
  if (process.platform !== "win32") throw new SysmonTsError("SYSMONTS_E_WINDOWS_SERVICE", "Windows services and drivers can be managed only on Windows");
  const advapi32 = koffi.load("advapi32.dll");
  const kernel32 = koffi.load("kernel32.dll");
  const GetLastError = kernel32.func("uint32 __stdcall GetLastError()");
  const OpenSCManagerW = advapi32.func("void * __stdcall OpenSCManagerW(str16 machine, str16 database, uint32 access)");
  const OpenServiceW = advapi32.func("void * __stdcall OpenServiceW(void *scm, str16 name, uint32 access)");
  const CreateServiceW = advapi32.func("void * __stdcall CreateServiceW(void *scm, str16 name, str16 display, uint32 access, uint32 type, uint32 start, uint32 errorControl, str16 path, str16 group, void *tag, const uint16 *dependencies, str16 user, str16 password)");
  const StartServiceW = advapi32.func("bool __stdcall StartServiceW(void *service, uint32 argc, void *argv)");
  // Registered by name; the function prototypes below refer to it.
  koffi.struct("SYSMONTS_SERVICE_STATUS", {
    dwServiceType: "uint32", dwCurrentState: "uint32", dwControlsAccepted: "uint32", dwWin32ExitCode: "uint32",
    dwServiceSpecificExitCode: "uint32", dwCheckPoint: "uint32", dwWaitHint: "uint32",
  });
  const ControlService = advapi32.func("bool __stdcall ControlService(void *service, uint32 control, _Out_ SYSMONTS_SERVICE_STATUS *status)");
  const QueryServiceStatus = advapi32.func("bool __stdcall QueryServiceStatus(void *service, _Out_ SYSMONTS_SERVICE_STATUS *status)");
  const DeleteService = advapi32.func("bool __stdcall DeleteService(void *service)");
  const CloseServiceHandle = advapi32.func("bool __stdcall CloseServiceHandle(void *handle)");
  const RegCreateKeyExW = advapi32.func("int32 __stdcall RegCreateKeyExW(uintptr_t key, str16 subKey, uint32 reserved, str16 cls, uint32 options, uint32 access, void *security, _Out_ void **result, _Out_ uint32 *disposition)");
  const RegSetValueExW = advapi32.func("int32 __stdcall RegSetValueExW(void *key, str16 name, uint32 reserved, uint32 type, const void *data, uint32 size)");
  const RegCloseKey = advapi32.func("int32 __stdcall RegCloseKey(void *key)");
  const RegDeleteTreeW = advapi32.func("int32 __stdcall RegDeleteTreeW(uintptr_t key, str16 subKey)");
  const RegDeleteKeyExW = advapi32.func("int32 __stdcall RegDeleteKeyExW(uintptr_t key, str16 subKey, uint32 access, uint32 reserved)");

  const ServiceMain = koffi.proto("void __stdcall SysmonTsServiceMain(uint32 argc, void *argv)");
  const HandlerEx = koffi.proto("uint32 __stdcall SysmonTsHandlerEx(uint32 control, uint32 eventType, void *eventData, void *context)");
  koffi.struct("SYSMONTS_SERVICE_TABLE_ENTRYW", { lpServiceName: "str16", lpServiceProc: koffi.pointer(ServiceMain) });
  const StartServiceCtrlDispatcherW = advapi32.func("bool __stdcall StartServiceCtrlDispatcherW(SYSMONTS_SERVICE_TABLE_ENTRYW *table)");
  const RegisterServiceCtrlHandlerExW = advapi32.func("void * __stdcall RegisterServiceCtrlHandlerExW(str16 name, SysmonTsHandlerEx *handler, void *context)");
  const SetServiceStatus = advapi32.func("bool __stdcall SetServiceStatus(void *handle, SYSMONTS_SERVICE_STATUS *status)");

  const shell32 = koffi.load("shell32.dll");
  const ole32 = koffi.load("ole32.dll");
  const SHGetKnownFolderPath = shell32.func("int32 __stdcall SHGetKnownFolderPath(const uint8_t *folderId, uint32 flags, void *token, _Out_ void **path)");
  const CoTaskMemFree = ole32.func("void __stdcall CoTaskMemFree(void *memory)");
  // FOLDERID_ProgramData {62AB5D82-FDC1-4DC3-A9DD-070D1D495D97}, in GUID memory layout.
  const FOLDERID_PROGRAM_DATA = Buffer.from("825dab62c1fdc34da9dd070d1d495d97", "hex");

  const emptyStatus = (): ServiceStatus => ({ dwServiceType: 0, dwCurrentState: 0, dwControlsAccepted: 0, dwWin32ExitCode: 0, dwServiceSpecificExitCode: 0, dwCheckPoint: 0, dwWaitHint: 0 });
  /** A REG_MULTI_SZ-style list: each string NUL-terminated, then one more NUL. */
  const multiString = (items: string[]): Uint16Array | null => {
    if (items.length === 0) return null;
    const text = items.map((i) => `${i}\0`).join("") + "\0";
    return new Uint16Array(Array.from(text, (c) => c.charCodeAt(0)));
  };

  bound = {
    koffi,
    getLastError: () => GetLastError() as number,
    openScManager: () => OpenSCManagerW(null, null, SC_MANAGER_ALL_ACCESS),
    openService: (scm, name) => OpenServiceW(scm, name, SERVICE_ALL_ACCESS),
    createService: (scm, spec) =>
      CreateServiceW(scm, spec.name, spec.displayName, SERVICE_ALL_ACCESS, spec.type, spec.start, SERVICE_ERROR_NORMAL, spec.binaryPath, spec.group, null, multiString(spec.dependencies), null, null),
    startService: (service) => StartServiceW(service, 0, null) as boolean,
    controlService: (service, control) => {
      const status = emptyStatus();
      const ok = ControlService(service, control, status) as boolean;
      return { ok, state: status.dwCurrentState };
    },
    queryServiceState: (service) => {
      const status = emptyStatus();
      return (QueryServiceStatus(service, status) as boolean) ? status.dwCurrentState : 0;
    },
    deleteService: (service) => DeleteService(service) as boolean,
    closeServiceHandle: (handle) => {
      if (handle) CloseServiceHandle(handle);
    },
    setRegistryValues: (path, values) => {
      const key: [unknown] = [null];
      const rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, path, 0, null, 0, KEY_ALL_ACCESS | KEY_WOW64_64KEY, null, key, [0]) as number;
      if (rc !== ERROR_SUCCESS) return rc;
      try {
        for (const [name, value] of Object.entries(values)) {
          const data = typeof value === "number" ? Buffer.from(new Uint32Array([value]).buffer) : Buffer.from(`${value}\0`, "utf16le");
          const set = RegSetValueExW(key[0], name, 0, typeof value === "number" ? REG_DWORD : REG_SZ, data, data.length) as number;
          if (set !== ERROR_SUCCESS) return set;
        }
        return ERROR_SUCCESS;
      } finally {
        RegCloseKey(key[0]);
      }
    },
    deleteRegistryTree: (path) => {
      const rc = RegDeleteTreeW(HKEY_LOCAL_MACHINE, path) as number;
      if (rc !== ERROR_SUCCESS) return rc;
      return RegDeleteKeyExW(HKEY_LOCAL_MACHINE, path, KEY_WOW64_64KEY, 0) as number;
    },
    programDataDir: () => {
      const out: [unknown] = [null];
      const hr = SHGetKnownFolderPath(FOLDERID_PROGRAM_DATA, 0, null, out) as number;
      if (hr !== 0) throw new SysmonTsError("SYSMONTS_E_WINDOWS_SERVICE", `SHGetKnownFolderPath(ProgramData) failed: HRESULT 0x${(hr >>> 0).toString(16)}`);
      try {
        // A NUL-terminated UTF-16 string owned by the shell: read it (length -1), then free it.
        return koffi.decode(out[0], "char16_t", -1) as string;
      } finally {
        CoTaskMemFree(out[0]);
      }
    },
    service: {
      startDispatcherAsync: (serviceName, serviceMain, done) => {
        StartServiceCtrlDispatcherW.async([{ lpServiceName: serviceName, lpServiceProc: serviceMain }, { lpServiceName: null, lpServiceProc: null }], done);
      },
      registerHandler: (serviceName, handler) => RegisterServiceCtrlHandlerExW(serviceName, handler, null),
      setStatus: (handle, status) => SetServiceStatus(handle, status) as boolean,
      serviceMainType: koffi.pointer(ServiceMain),
      handlerType: koffi.pointer(HandlerEx),
    },
  };
  return bound;
}
