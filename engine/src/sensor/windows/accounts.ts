/**
 * Who a Windows process runs as: the account name for a SID (User, ParentUser, SourceUser ...
 * as `DOMAIN\name`, spec/events.md §4), and the facts of a process token that event 1 reports
 * (user SID, integrity level, LogonId, TerminalSessionId) with the logon session's start time
 * for the LogonGuid (spec/cli-and-output.md §7.2). Bound through koffi to advapi32, kernel32 and
 * secur32 once per process; only usable on Windows and exercised under Wine by
 * test/windows/enrichment-wine.test.ts.
 *
 * Names are cached per SID, misses included: LookupAccountSidW can block on a domain
 * controller, and a SID's name changes only with a rename (the cache is bounded and the
 * service may clear() it on a timer).
 */
import koffi from "koffi";
import { SysmonTsError } from "../../base";
import { integrityLevelName, sidFromText, sidRid, sidText } from "./sid";

const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
const TOKEN_QUERY = 0x0008;
const TOKEN_USER = 1;
const TOKEN_STATISTICS = 10;
const TOKEN_SESSION_ID = 12;
const TOKEN_INTEGRITY_LEVEL = 25;
const TOKEN_IS_APP_CONTAINER = 29;
const ERROR_INSUFFICIENT_BUFFER = 122;
/** FILETIME of 1970-01-01 in 100 ns units. */
const FILETIME_UNIX_EPOCH = 116444736000000000n;
const NAME_CACHE_MAX = 4096;
const TOKEN_BUFFER_BYTES = 1024;

/** Opaque native pointer as koffi returns it. */
type NativePointer = unknown;

interface AccountsApi {
  lookupAccountSid(sid: Buffer, name: Buffer, nameChars: [number], domain: Buffer, domainChars: [number], use: [number]): boolean;
  getLastError(): number;
  openProcess(pid: number): NativePointer;
  openProcessToken(process: NativePointer, token: [NativePointer]): boolean;
  getTokenInformation(token: NativePointer, infoClass: number, info: NativePointer, length: number, returned: [number]): boolean;
  closeHandle(handle: NativePointer): void;
  lsaGetLogonSessionData(luid: Buffer, data: [NativePointer]): number;
  lsaFreeReturnBuffer(data: NativePointer): void;
}

let boundApi: AccountsApi | undefined;

function accountsApi(): AccountsApi {
  if (boundApi) return boundApi;
  if (process.platform !== "win32") throw new SysmonTsError("SYSMONTS_E_SENSOR", "account and token lookups need Windows (advapi32)");
  const advapi32 = koffi.load("advapi32.dll");
  const kernel32 = koffi.load("kernel32.dll");
  const secur32 = koffi.load("secur32.dll");
  const LookupAccountSidW = advapi32.func(
    "bool __stdcall LookupAccountSidW(str16 system, const void *sid, void *name, _Inout_ uint32 *nameChars, void *domain, _Inout_ uint32 *domainChars, _Out_ uint32 *use)",
  );
  const GetLastError = kernel32.func("uint32 __stdcall GetLastError()");
  const OpenProcess = kernel32.func("void * __stdcall OpenProcess(uint32 access, bool inherit, uint32 pid)");
  const CloseHandle = kernel32.func("bool __stdcall CloseHandle(void *handle)");
  const OpenProcessToken = advapi32.func("bool __stdcall OpenProcessToken(void *process, uint32 access, _Out_ void **token)");
  const GetTokenInformation = advapi32.func("bool __stdcall GetTokenInformation(void *token, int32 infoClass, void *info, uint32 length, _Out_ uint32 *returned)");
  const LsaGetLogonSessionData = secur32.func("int32 __stdcall LsaGetLogonSessionData(const void *luid, _Out_ void **data)");
  const LsaFreeReturnBuffer = secur32.func("int32 __stdcall LsaFreeReturnBuffer(void *buffer)");
  boundApi = {
    lookupAccountSid: (sid, name, nameChars, domain, domainChars, use) => LookupAccountSidW(null, sid, name, nameChars, domain, domainChars, use) as boolean,
    getLastError: () => GetLastError() as number,
    openProcess: (pid) => OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, false, pid),
    openProcessToken: (process, token) => OpenProcessToken(process, TOKEN_QUERY, token) as boolean,
    getTokenInformation: (token, infoClass, info, length, returned) => GetTokenInformation(token, infoClass, info, length, returned) as boolean,
    closeHandle: (handle) => {
      if (handle) CloseHandle(handle);
    },
    lsaGetLogonSessionData: (luid, data) => LsaGetLogonSessionData(luid, data) as number,
    lsaFreeReturnBuffer: (data) => {
      if (data) LsaFreeReturnBuffer(data);
    },
  };
  return boundApi;
}

/** The token facts of one process, as event 1 needs them. */
export interface ProcessTokenFacts {
  readonly userSid: string;
  /** Sysmon's IntegrityLevel text (sid.ts integrityLevelName). */
  readonly integrityLevel: string;
  /** TOKEN_STATISTICS.AuthenticationId: the logon session LUID (LogonId). */
  readonly logonId: bigint;
  readonly sessionId: number;
}

/** Reads a SID that a token information block points at. */
function sidAt(pointer: NativePointer): Buffer {
  const head = new Uint8Array(koffi.view(pointer, 8));
  const count = head[1] ?? 0;
  return Buffer.from(new Uint8Array(koffi.view(pointer, 8 + 4 * count)));
}

export class WindowsAccounts {
  private readonly api = accountsApi();
  private readonly names = new Map<string, string | null>();
  private readonly logonTimes = new Map<bigint, number>();
  private lookups = 0;

  /**
   * `DOMAIN\name` for a SID in text form (S-1-5-18 → "NT AUTHORITY\SYSTEM"), or null when
   * Windows knows no account for it. A bad SID text is a SYSMONTS_E_DRIVER_RECORD error.
   */
  accountName(sid: string): string | null {
    const cached = this.names.get(sid);
    if (cached !== undefined || this.names.has(sid)) return cached ?? null;
    const name = this.lookUp(sidFromText(sid));
    if (this.names.size >= NAME_CACHE_MAX) {
      const oldest = this.names.keys().next();
      if (!oldest.done) this.names.delete(oldest.value);
    }
    this.names.set(sid, name);
    return name;
  }

  /** How many LookupAccountSidW calls were made (cache misses). */
  lookupCount(): number {
    return this.lookups;
  }

  private lookUp(sid: Buffer): string | null {
    this.lookups++;
    let nameChars = 256;
    let domainChars = 256;
    for (let attempt = 0; attempt < 2; attempt++) {
      const name = Buffer.alloc(nameChars * 2);
      const domain = Buffer.alloc(domainChars * 2);
      const nameLength: [number] = [nameChars];
      const domainLength: [number] = [domainChars];
      if (this.api.lookupAccountSid(sid, name, nameLength, domain, domainLength, [0])) {
        const account = name.toString("utf16le", 0, nameLength[0] * 2);
        const domainName = domain.toString("utf16le", 0, domainLength[0] * 2);
        return domainName === "" ? account : `${domainName}\\${account}`;
      }
      // On ERROR_INSUFFICIENT_BUFFER the lengths say what is needed; any other failure
      // (ERROR_NONE_MAPPED, a domain controller out of reach) means no name.
      if (this.api.getLastError() !== ERROR_INSUFFICIENT_BUFFER) return null;
      nameChars = Math.max(nameChars, nameLength[0]);
      domainChars = Math.max(domainChars, domainLength[0]);
    }
    return null;
  }

  /** The token facts of `pid`, or null when the process is gone or its token cannot be opened. */
  processToken(pid: number): ProcessTokenFacts | null {
    const process = this.api.openProcess(pid);
    if (!process) return null;
    const token: [NativePointer] = [null];
    try {
      if (!this.api.openProcessToken(process, token)) return null;
      const info = koffi.alloc("uint8", TOKEN_BUFFER_BYTES);
      try {
        const query = (infoClass: number): boolean => this.api.getTokenInformation(token[0], infoClass, info, TOKEN_BUFFER_BYTES, [0]);
        // TOKEN_USER and TOKEN_MANDATORY_LABEL both start with SID_AND_ATTRIBUTES { PSID, DWORD }.
        if (!query(TOKEN_USER)) return null;
        const userSid = sidText(sidAt(koffi.decode(info, "void *")));
        let integrityRid = -1;
        if (query(TOKEN_INTEGRITY_LEVEL)) integrityRid = sidRid(sidAt(koffi.decode(info, "void *")));
        const appContainer = query(TOKEN_IS_APP_CONTAINER) && (koffi.decode(info, "uint32") as number) !== 0;
        // TOKEN_STATISTICS: LUID TokenId, then LUID AuthenticationId.
        const logonId = query(TOKEN_STATISTICS) ? Buffer.from(new Uint8Array(koffi.view(info, 16))).readBigUInt64LE(8) : 0n;
        const sessionId = query(TOKEN_SESSION_ID) ? (koffi.decode(info, "uint32") as number) : 0;
        return {
          userSid,
          // No mandatory label: Sysmon writes "-" (spec/events.md §4).
          integrityLevel: integrityRid < 0 && !appContainer ? "-" : integrityLevelName(integrityRid, { appContainer }),
          logonId,
          sessionId,
        };
      } finally {
        koffi.free(info);
      }
    } finally {
      this.api.closeHandle(token[0]);
      this.api.closeHandle(process);
    }
  }

  /**
   * The logon session's start (SECURITY_LOGON_SESSION_DATA.LogonTime) in seconds since 1970, or
   * 0 when LSA does not say; cached per LUID, as sessions never change their start.
   */
  logonTimeSec(logonId: bigint): number {
    const cached = this.logonTimes.get(logonId);
    if (cached !== undefined) return cached;
    const luid = Buffer.alloc(8);
    luid.writeBigUInt64LE(BigInt.asUintN(64, logonId));
    const data: [NativePointer] = [null];
    let seconds = 0;
    if (this.api.lsaGetLogonSessionData(luid, data) === 0 && data[0]) {
      try {
        // x64 SECURITY_LOGON_SESSION_DATA: Size, LogonId, three LSA_UNICODE_STRINGs (16 bytes
        // each from offset 16), LogonType, Session, Sid, then LogonTime at offset 80.
        const fileTime = Buffer.from(new Uint8Array(koffi.view(data[0], 88))).readBigInt64LE(80);
        if (fileTime > FILETIME_UNIX_EPOCH) seconds = Number((fileTime - FILETIME_UNIX_EPOCH) / 10_000_000n);
      } finally {
        this.api.lsaFreeReturnBuffer(data[0]);
      }
    }
    if (this.logonTimes.size >= NAME_CACHE_MAX) this.logonTimes.clear();
    this.logonTimes.set(logonId, seconds);
    return seconds;
  }

  clear(): void {
    this.names.clear();
    this.logonTimes.clear();
  }
}
