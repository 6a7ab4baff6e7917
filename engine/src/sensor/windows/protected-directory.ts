/**
 * The archive directory's protection: Sysmon creates its ArchiveDirectory so that only SYSTEM
 * (and Administrators taking ownership) can list and read it, because it holds deleted files and
 * clipboard text (Sysinternals' Sysmon page; SysmonCommunityGuide "Clipboard Capture"). We create
 * it with a protected DACL granting full control to SYSTEM and BUILTIN\Administrators only,
 * inherited by everything written inside.
 */
import koffi from "koffi";
import { SysmonTsError } from "../../base";

/** Protected (P: no inherited ACEs), SYSTEM and Administrators full control, inherited by files and folders. */
export const ARCHIVE_DIRECTORY_SDDL = "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)";
const SDDL_REVISION_1 = 1;
const SE_FILE_OBJECT = 1;
const DACL_SECURITY_INFORMATION = 4;
const ERROR_ALREADY_EXISTS = 183;

interface SecurityApi {
  createDirectory(path: string, sddl: string): number;
  daclSddl(path: string): string | null;
}

let bound: SecurityApi | undefined;

function api(): SecurityApi {
  if (bound) return bound;
  if (process.platform !== "win32") throw new SysmonTsError("SYSMONTS_E_FILE", "a directory with a Windows security descriptor can be created only on Windows");
  const kernel32 = koffi.load("kernel32.dll");
  const advapi32 = koffi.load("advapi32.dll");
  const GetLastError = kernel32.func("uint32 __stdcall GetLastError()");
  const LocalFree = kernel32.func("void * __stdcall LocalFree(void *memory)");
  koffi.struct("SYSMONTS_SECURITY_ATTRIBUTES", { nLength: "uint32", lpSecurityDescriptor: "void *", bInheritHandle: "int32" });
  const CreateDirectoryW = kernel32.func("bool __stdcall CreateDirectoryW(str16 path, const SYSMONTS_SECURITY_ATTRIBUTES *attributes)");
  const ConvertStringSecurityDescriptorToSecurityDescriptorW = advapi32.func(
    "bool __stdcall ConvertStringSecurityDescriptorToSecurityDescriptorW(str16 sddl, uint32 revision, _Out_ void **descriptor, _Out_ uint32 *size)",
  );
  const GetNamedSecurityInfoW = advapi32.func(
    "uint32 __stdcall GetNamedSecurityInfoW(str16 name, uint32 type, uint32 info, _Out_ void **owner, _Out_ void **group, _Out_ void **dacl, _Out_ void **sacl, _Out_ void **descriptor)",
  );
  const ConvertSecurityDescriptorToStringSecurityDescriptorW = advapi32.func(
    "bool __stdcall ConvertSecurityDescriptorToStringSecurityDescriptorW(void *descriptor, uint32 revision, uint32 info, _Out_ void **text, _Out_ uint32 *length)",
  );
  const lstrlenW = kernel32.func("int32 __stdcall lstrlenW(void *text)");
  const utf16 = new TextDecoder("utf-16le");
  bound = {
    createDirectory(path, sddl) {
      const descriptor: unknown[] = [null];
      if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, descriptor, [0])) return GetLastError() as number;
      try {
        const ok = CreateDirectoryW(path, { nLength: koffi.sizeof("SYSMONTS_SECURITY_ATTRIBUTES"), lpSecurityDescriptor: descriptor[0], bInheritHandle: 0 }) as boolean;
        return ok ? 0 : (GetLastError() as number);
      } finally {
        LocalFree(descriptor[0]);
      }
    },
    daclSddl(path) {
      const descriptor: unknown[] = [null];
      if (GetNamedSecurityInfoW(path, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, [null], [null], [null], [null], descriptor) !== 0) return null;
      try {
        const text: unknown[] = [null];
        if (!ConvertSecurityDescriptorToStringSecurityDescriptorW(descriptor[0], SDDL_REVISION_1, DACL_SECURITY_INFORMATION, text, [0])) return null;
        try {
          const length = lstrlenW(text[0]) as number;
          return utf16.decode(koffi.decode(text[0], koffi.array("uint16_t", length, "Typed")) as Uint16Array);
        } finally {
          LocalFree(text[0]);
        }
      } finally {
        LocalFree(descriptor[0]);
      }
    },
  };
  return bound;
}

/**
 * Creates `path` (its parent must exist) with ARCHIVE_DIRECTORY_SDDL. An existing directory is
 * left as it is: an administrator may have widened it on purpose. Throws SYSMONTS_E_FILE.
 */
export function createProtectedDirectory(path: string): void {
  const error = api().createDirectory(path, ARCHIVE_DIRECTORY_SDDL);
  if (error !== 0 && error !== ERROR_ALREADY_EXISTS) throw new SysmonTsError("SYSMONTS_E_FILE", `cannot create the archive directory ${path}: Win32 error ${error}`);
}

/** The DACL of `path` as SDDL, or null when it cannot be read (for status and tests). */
export function directoryDaclSddl(path: string): string | null {
  return api().daclSddl(path);
}
