/**
 * The user32/kernel32/wtsapi32 entry points the clipboard agent needs (winuser.h, wtsapi32.h),
 * bound once per process through koffi. Only usable on Windows; test/windows/clipboard-wine.test.ts
 * runs them for real under Wine.
 */
import koffi from "koffi";
import { SysmonTsError } from "../../base";

/** Opaque native handle (HWND, HGLOBAL, HANDLE). */
export type NativeHandle = unknown;

export const WM_CLIPBOARDUPDATE = 0x031d;
export const CF_UNICODETEXT = 13;
/** CreateWindowExW's parent for a message-only window. */
const HWND_MESSAGE = -3;
const PM_REMOVE = 1;
const GMEM_MOVEABLE = 0x0002;
/** WTS_INFO_CLASS values (wtsapi32.h). */
const WTS_USER_NAME = 5;
const WTS_DOMAIN_NAME = 7;
const WTS_CLIENT_NAME = 10;
const WTS_CLIENT_ADDRESS = 14;
const AF_INET = 2;
const AF_INET6 = 23;

export interface SessionClient {
  /** DOMAIN\user of the session, "" when the session has no user. */
  readonly user: string;
  /** The RDP client's computer name, "" for a console session. */
  readonly clientName: string;
  /** The RDP client's address, "" when unknown. */
  readonly clientAddress: string;
}

export interface ClipboardWin32 {
  getLastError(): number;
  /** A message-only window whose procedure is `onMessage`; returns the HWND. */
  createMessageWindow(className: string, onMessage: (message: number) => void): NativeHandle;
  destroyMessageWindow(window: NativeHandle, className: string): void;
  addClipboardFormatListener(window: NativeHandle): boolean;
  removeClipboardFormatListener(window: NativeHandle): boolean;
  /** Dispatches every queued message of this thread without waiting; returns how many. */
  pumpMessages(): number;
  /** CF_UNICODETEXT on the clipboard now, or null when there is none or it cannot be opened. */
  readUnicodeText(window: NativeHandle): string | null;
  /** Replaces the clipboard content with `text`, owned by `window` (the test probe's setter). */
  writeUnicodeText(window: NativeHandle, text: string): boolean;
  /** The pid of the process owning the clipboard window, 0 when no window owns it. */
  clipboardOwnerPid(): number;
  /** ProcessIdToSessionId, or null when the process is gone. */
  sessionOf(pid: number): number | null;
  sessionClient(sessionId: number): SessionClient;
}

let bound: ClipboardWin32 | undefined;
const UTF16 = new TextDecoder("utf-16le");

/** IPv4 dotted or IPv6 groups from WTS_CLIENT_ADDRESS.Address (AF_INET: bytes 2..5 per wtsapi32.h). */
export function clientAddressText(family: number, address: Uint8Array): string {
  if (family === AF_INET) return Array.from(address.subarray(2, 6)).join(".");
  if (family === AF_INET6) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push((((address[i] ?? 0) << 8) | (address[i + 1] ?? 0)).toString(16));
    return groups.join(":");
  }
  return "";
}

/** Binds the API on first use; throws SYSMONTS_E_SENSOR elsewhere than Windows. */
export function clipboardWin32(): ClipboardWin32 {
  if (bound) return bound;
  if (process.platform !== "win32") throw new SysmonTsError("SYSMONTS_E_SENSOR", "the clipboard agent runs only on Windows");
  const user32 = koffi.load("user32.dll");
  const kernel32 = koffi.load("kernel32.dll");
  const wtsapi32 = koffi.load("wtsapi32.dll");
  const GetLastError = kernel32.func("uint32 __stdcall GetLastError()");
  const GetModuleHandleW = kernel32.func("void * __stdcall GetModuleHandleW(str16 name)");
  const GlobalAlloc = kernel32.func("void * __stdcall GlobalAlloc(uint32 flags, uintptr_t bytes)");
  const GlobalFree = kernel32.func("void * __stdcall GlobalFree(void *memory)");
  const GlobalLock = kernel32.func("void * __stdcall GlobalLock(void *memory)");
  const GlobalUnlock = kernel32.func("bool __stdcall GlobalUnlock(void *memory)");
  const lstrlenW = kernel32.func("int32 __stdcall lstrlenW(void *text)");
  const ProcessIdToSessionId = kernel32.func("bool __stdcall ProcessIdToSessionId(uint32 pid, _Out_ uint32 *session)");

  const WndProc = koffi.proto("intptr_t __stdcall SysmonTsClipboardWndProc(void *hwnd, uint32 message, uintptr_t wParam, intptr_t lParam)");
  koffi.struct("SYSMONTS_WNDCLASSEXW", {
    cbSize: "uint32", style: "uint32", lpfnWndProc: koffi.pointer(WndProc), cbClsExtra: "int32", cbWndExtra: "int32",
    hInstance: "void *", hIcon: "void *", hCursor: "void *", hbrBackground: "void *", lpszMenuName: "str16", lpszClassName: "str16", hIconSm: "void *",
  });
  const RegisterClassExW = user32.func("uint16 __stdcall RegisterClassExW(const SYSMONTS_WNDCLASSEXW *cls)");
  const UnregisterClassW = user32.func("bool __stdcall UnregisterClassW(str16 name, void *instance)");
  const CreateWindowExW = user32.func("void * __stdcall CreateWindowExW(uint32 exStyle, str16 cls, str16 title, uint32 style, int32 x, int32 y, int32 w, int32 h, intptr_t parent, void *menu, void *instance, void *param)");
  const DestroyWindow = user32.func("bool __stdcall DestroyWindow(void *hwnd)");
  const DefWindowProcW = user32.func("intptr_t __stdcall DefWindowProcW(void *hwnd, uint32 message, uintptr_t wParam, intptr_t lParam)");
  const PeekMessageW = user32.func("bool __stdcall PeekMessageW(void *msg, void *hwnd, uint32 min, uint32 max, uint32 remove)");
  const TranslateMessage = user32.func("bool __stdcall TranslateMessage(const void *msg)");
  const DispatchMessageW = user32.func("intptr_t __stdcall DispatchMessageW(const void *msg)");
  const AddClipboardFormatListener = user32.func("bool __stdcall AddClipboardFormatListener(void *hwnd)");
  const RemoveClipboardFormatListener = user32.func("bool __stdcall RemoveClipboardFormatListener(void *hwnd)");
  const OpenClipboard = user32.func("bool __stdcall OpenClipboard(void *hwnd)");
  const CloseClipboard = user32.func("bool __stdcall CloseClipboard()");
  const EmptyClipboard = user32.func("bool __stdcall EmptyClipboard()");
  const GetClipboardData = user32.func("void * __stdcall GetClipboardData(uint32 format)");
  const SetClipboardData = user32.func("void * __stdcall SetClipboardData(uint32 format, void *memory)");
  const GetClipboardOwner = user32.func("void * __stdcall GetClipboardOwner()");
  const GetWindowThreadProcessId = user32.func("uint32 __stdcall GetWindowThreadProcessId(void *hwnd, _Out_ uint32 *pid)");
  const WTSQuerySessionInformationW = wtsapi32.func("bool __stdcall WTSQuerySessionInformationW(void *server, uint32 session, uint32 infoClass, _Out_ void **buffer, _Out_ uint32 *bytes)");
  const WTSFreeMemory = wtsapi32.func("void __stdcall WTSFreeMemory(void *memory)");

  const instance = GetModuleHandleW(null);
  // Registered callbacks must outlive their window; kept here until the window is destroyed.
  const procedures = new Map<string, ReturnType<typeof koffi.register>>();
  // MSG is 48 bytes on x64; one reused buffer, the pump never nests.
  const message = Buffer.alloc(64);

  // Decoded with an explicit length: koffi's NUL-scanning str16 decode faults on some pointers under Wine.
  const wideText = (pointer: unknown): string => {
    const length = lstrlenW(pointer) as number;
    if (length <= 0) return "";
    return UTF16.decode(koffi.decode(pointer, koffi.array("uint16_t", length, "Typed")) as Uint16Array);
  };
  const querySession = (session: number, infoClass: number): { pointer: unknown; bytes: number } | null => {
    const out: unknown[] = [null];
    const bytes = [0];
    if (!WTSQuerySessionInformationW(null, session, infoClass, out, bytes) || out[0] === null) return null;
    return { pointer: out[0], bytes: bytes[0] ?? 0 };
  };
  const sessionText = (session: number, infoClass: number): string => {
    const result = querySession(session, infoClass);
    if (result === null) return "";
    try {
      return wideText(result.pointer);
    } finally {
      WTSFreeMemory(result.pointer);
    }
  };

  bound = {
    getLastError: () => GetLastError() as number,
    createMessageWindow(className, onMessage) {
      const procedure = koffi.register((hwnd: unknown, msg: number, wParam: number, lParam: number): number => {
        onMessage(msg);
        return DefWindowProcW(hwnd, msg, wParam, lParam) as number;
      }, koffi.pointer(WndProc));
      const cls = {
        cbSize: koffi.sizeof("SYSMONTS_WNDCLASSEXW"), style: 0, lpfnWndProc: procedure, cbClsExtra: 0, cbWndExtra: 0,
        hInstance: instance, hIcon: null, hCursor: null, hbrBackground: null, lpszMenuName: null, lpszClassName: className, hIconSm: null,
      };
      if (RegisterClassExW(cls) === 0) {
        koffi.unregister(procedure);
        throw new SysmonTsError("SYSMONTS_E_SENSOR", `RegisterClassExW(${className}) failed: Win32 error ${GetLastError()}`);
      }
      const window: unknown = CreateWindowExW(0, className, className, 0, 0, 0, 0, 0, HWND_MESSAGE, null, instance, null);
      if (window === null) {
        const error = GetLastError() as number;
        UnregisterClassW(className, instance);
        koffi.unregister(procedure);
        throw new SysmonTsError("SYSMONTS_E_SENSOR", `CreateWindowExW(HWND_MESSAGE) failed: Win32 error ${error}`);
      }
      procedures.set(className, procedure);
      return window;
    },
    destroyMessageWindow(window, className) {
      DestroyWindow(window);
      UnregisterClassW(className, instance);
      const procedure = procedures.get(className);
      if (procedure !== undefined) koffi.unregister(procedure);
      procedures.delete(className);
    },
    addClipboardFormatListener: (window) => AddClipboardFormatListener(window) as boolean,
    removeClipboardFormatListener: (window) => RemoveClipboardFormatListener(window) as boolean,
    pumpMessages() {
      let n = 0;
      while (PeekMessageW(message, null, 0, 0, PM_REMOVE)) {
        TranslateMessage(message);
        DispatchMessageW(message);
        n++;
      }
      return n;
    },
    readUnicodeText(window) {
      if (!OpenClipboard(window)) return null;
      try {
        const memory: unknown = GetClipboardData(CF_UNICODETEXT);
        if (memory === null) return null;
        const pointer: unknown = GlobalLock(memory);
        if (pointer === null) return null;
        try {
          return wideText(pointer);
        } finally {
          GlobalUnlock(memory);
        }
      } finally {
        CloseClipboard();
      }
    },
    writeUnicodeText(window, text) {
      const bytes = Buffer.from(`${text}\0`, "utf16le");
      const memory: unknown = GlobalAlloc(GMEM_MOVEABLE, bytes.length);
      if (memory === null) return false;
      const pointer: unknown = GlobalLock(memory);
      if (pointer === null) {
        GlobalFree(memory);
        return false;
      }
      koffi.encode(pointer, koffi.array("uint8_t", bytes.length), Array.from(bytes));
      GlobalUnlock(memory);
      if (!OpenClipboard(window)) {
        GlobalFree(memory);
        return false;
      }
      try {
        EmptyClipboard();
        // On success the clipboard owns the memory; on failure it is still ours to free.
        if (SetClipboardData(CF_UNICODETEXT, memory) === null) {
          GlobalFree(memory);
          return false;
        }
        return true;
      } finally {
        CloseClipboard();
      }
    },
    clipboardOwnerPid() {
      const owner: unknown = GetClipboardOwner();
      if (owner === null) return 0;
      const pid = [0];
      GetWindowThreadProcessId(owner, pid);
      return pid[0] ?? 0;
    },
    sessionOf(pid) {
      const session = [0];
      return ProcessIdToSessionId(pid, session) ? (session[0] ?? null) : null;
    },
    sessionClient(sessionId) {
      const userName = sessionText(sessionId, WTS_USER_NAME);
      const domain = sessionText(sessionId, WTS_DOMAIN_NAME);
      const clientName = sessionText(sessionId, WTS_CLIENT_NAME);
      let clientAddress = "";
      const address = querySession(sessionId, WTS_CLIENT_ADDRESS);
      if (address !== null) {
        try {
          // WTS_CLIENT_ADDRESS: DWORD AddressFamily, BYTE Address[20].
          const raw = koffi.decode(address.pointer, koffi.array("uint8_t", 24)) as number[];
          const family = (raw[0] ?? 0) | ((raw[1] ?? 0) << 8);
          clientAddress = clientAddressText(family, Uint8Array.from(raw.slice(4)));
        } finally {
          WTSFreeMemory(address.pointer);
        }
      }
      return { user: userName === "" ? "" : domain === "" ? userName : `${domain}\\${userName}`, clientName, clientAddress };
    },
  };
  return bound;
}
