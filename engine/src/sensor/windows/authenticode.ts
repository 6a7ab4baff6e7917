/**
 * Authenticode status of an image for Sysmon's Signed, Signature and SignatureStatus (events 6
 * and 7, spec/events.md §3): WinVerifyTrust with WINTRUST_ACTION_GENERIC_VERIFY_V2 decides the
 * status, and the signer's certificate (found through CryptQueryObject and the PKCS #7 signer
 * info) gives the name. Bound through koffi to wintrust, crypt32 and kernel32 once per process;
 * only usable on Windows and exercised under Wine by test/windows/enrichment-wine.test.ts.
 *
 * Status words: "Valid", "Expired", "Revoked" and "Unavailable" are the values Sysmon writes and
 * community configurations match on (corpora/: `<SignatureStatus condition="is not">Unavailable`);
 * an unsigned or unreadable file is Signed=false, Signature "-", SignatureStatus "Unavailable". Any other
 * failure is reported with the system's message text for the code, as Sysmon does, or the
 * HRESULT in hex when Windows has no text for it.
 */
import koffi from "koffi";
import { SysmonTsError } from "../../base";

export interface SignatureFacts {
  /** Sysmon's Signed: true when the file carries a signature, whatever its status. */
  readonly signed: boolean;
  /** The signer's simple display name (its CN), or "-". */
  readonly signature: string;
  readonly signatureStatus: string;
}

export const TRUST_E_NOSIGNATURE = 0x800b0100;
export const TRUST_E_SUBJECT_FORM_UNKNOWN = 0x800b0003;
export const TRUST_E_PROVIDER_UNKNOWN = 0x800b0001;
export const CERT_E_EXPIRED = 0x800b0101;
export const CERT_E_REVOKED = 0x800b010c;
export const CERT_E_UNTRUSTEDROOT = 0x800b0109;
/** The file could not be read (locked, gone, no access): nothing is known about a signature. */
export const CRYPT_E_FILE_ERROR = 0x80092003;

const UNSIGNED_CODES: ReadonlySet<number> = new Set([TRUST_E_NOSIGNATURE, TRUST_E_SUBJECT_FORM_UNKNOWN, TRUST_E_PROVIDER_UNKNOWN, CRYPT_E_FILE_ERROR]);

/**
 * A Win32 error, bare or as HRESULT_FROM_WIN32 (0x8007xxxx): the file could not be opened or
 * read (gone, locked, denied), so nothing is known about a signature. WinVerifyTrust returns
 * these for a missing file (ERROR_PATH_NOT_FOUND under Wine).
 */
function isFileError(code: number): boolean {
  return code < 0x10000 || code >>> 16 === 0x8007;
}

function isUnsigned(code: number): boolean {
  return UNSIGNED_CODES.has(code) || (code !== 0 && isFileError(code));
}

/**
 * Maps a WinVerifyTrust result to Sysmon's three fields. `describe` gives the system message for
 * codes without a Sysmon word.
 *
 * @example
 * signatureFactsFor(0, { signer: "Microsoft Windows", describe: () => "" });
 * // { signed: true, signature: "Microsoft Windows", signatureStatus: "Valid" }
 */
export function signatureFactsFor(trustResult: number, options: { signer: string | null; describe: (code: number) => string }): SignatureFacts {
  const code = trustResult >>> 0;
  if (isUnsigned(code)) return { signed: false, signature: "-", signatureStatus: "Unavailable" };
  const signature = options.signer === null || options.signer === "" ? "-" : options.signer;
  const status = code === 0 ? "Valid" : code === CERT_E_EXPIRED ? "Expired" : code === CERT_E_REVOKED ? "Revoked" : options.describe(code).trim() || hresultText(code);
  return { signed: true, signature, signatureStatus: status };
}

export function hresultText(code: number): string {
  return `0x${(code >>> 0).toString(16).toUpperCase().padStart(8, "0")}`;
}

// ---- native ---------------------------------------------------------------------------------

type NativePointer = unknown;

interface AuthenticodeApi {
  verify(path: string): number;
  signerName(path: string): string | null;
  describe(code: number): string;
}

const WTD_UI_NONE = 2;
const WTD_REVOKE_NONE = 0;
const WTD_CHOICE_FILE = 1;
const WTD_STATEACTION_IGNORE = 0;
/** Revocation is not checked: it may go to the network, and the hot path must not (DESIGN.md). */
const WTD_CACHE_ONLY_URL_RETRIEVAL = 0x1000;
const CERT_QUERY_OBJECT_FILE = 1;
const CERT_QUERY_CONTENT_FLAG_PKCS7_SIGNED_EMBED = 1 << 10;
const CERT_QUERY_FORMAT_FLAG_BINARY = 1 << 1;
const CMSG_SIGNER_INFO_PARAM = 6;
const ENCODING = 0x00010001; // X509_ASN_ENCODING | PKCS_7_ASN_ENCODING
const CERT_FIND_SUBJECT_CERT = 0x000b0000;
const CERT_NAME_SIMPLE_DISPLAY_TYPE = 4;
const FORMAT_MESSAGE_FROM_SYSTEM = 0x1000;
const FORMAT_MESSAGE_IGNORE_INSERTS = 0x200;
/** WINTRUST_ACTION_GENERIC_VERIFY_V2 {00AAC56B-CD44-11D0-8CC2-00C04FC295EE}, GUID memory layout. */
const GENERIC_VERIFY_V2 = Buffer.from("6bc5aa0044cdd0118cc200c04fc295ee", "hex");
/** x64 CERT_INFO: 208 bytes; CERT_FIND_SUBJECT_CERT reads SerialNumber (+8) and Issuer (+48). */
const CERT_INFO_BYTES = 208;

let boundApi: AuthenticodeApi | undefined;

function authenticodeApi(): AuthenticodeApi {
  if (boundApi) return boundApi;
  if (process.platform !== "win32") throw new SysmonTsError("SYSMONTS_E_SENSOR", "Authenticode checks need Windows (wintrust)");
  const wintrust = koffi.load("wintrust.dll");
  const crypt32 = koffi.load("crypt32.dll");
  const kernel32 = koffi.load("kernel32.dll");
  const fileInfo = koffi.struct("SYSMONTS_WINTRUST_FILE_INFO", { cbStruct: "uint32", pcwszFilePath: "str16", hFile: "void *", pgKnownSubject: "void *" });
  const trustData = koffi.struct("SYSMONTS_WINTRUST_DATA", {
    cbStruct: "uint32", pPolicyCallbackData: "void *", pSIPClientData: "void *", dwUIChoice: "uint32", fdwRevocationChecks: "uint32",
    dwUnionChoice: "uint32", pFile: koffi.pointer(fileInfo), dwStateAction: "uint32", hWVTStateData: "void *", pwszURLReference: "str16",
    dwProvFlags: "uint32", dwUIContext: "uint32", pSignatureSettings: "void *",
  });
  const WinVerifyTrust = wintrust.func("int32 __stdcall WinVerifyTrust(void *hwnd, const void *action, SYSMONTS_WINTRUST_DATA *data)");
  const CryptQueryObject = crypt32.func(
    "bool __stdcall CryptQueryObject(uint32 type, str16 object, uint32 contentFlags, uint32 formatFlags, uint32 flags, _Out_ uint32 *encoding, _Out_ uint32 *contentType, _Out_ uint32 *formatType, _Out_ void **store, _Out_ void **msg, void *context)",
  );
  const CryptMsgGetParam = crypt32.func("bool __stdcall CryptMsgGetParam(void *msg, uint32 type, uint32 index, void *data, _Inout_ uint32 *size)");
  const CryptMsgClose = crypt32.func("bool __stdcall CryptMsgClose(void *msg)");
  const CertCloseStore = crypt32.func("bool __stdcall CertCloseStore(void *store, uint32 flags)");
  const CertFindCertificateInStore = crypt32.func("void * __stdcall CertFindCertificateInStore(void *store, uint32 encoding, uint32 flags, uint32 type, const void *para, void *previous)");
  const CertGetNameStringW = crypt32.func("uint32 __stdcall CertGetNameStringW(void *cert, uint32 type, uint32 flags, void *typePara, void *name, uint32 chars)");
  const CertFreeCertificateContext = crypt32.func("bool __stdcall CertFreeCertificateContext(void *cert)");
  const FormatMessageW = kernel32.func("uint32 __stdcall FormatMessageW(uint32 flags, void *source, uint32 id, uint32 language, void *buffer, uint32 chars, void *args)");

  const signerName = (path: string): string | null => {
    const store: [NativePointer] = [null];
    const msg: [NativePointer] = [null];
    const ok = CryptQueryObject(CERT_QUERY_OBJECT_FILE, path, CERT_QUERY_CONTENT_FLAG_PKCS7_SIGNED_EMBED, CERT_QUERY_FORMAT_FLAG_BINARY, 0, [0], [0], [0], store, msg, null) as boolean;
    if (!ok) return null;
    try {
      const size: [number] = [0];
      if (!(CryptMsgGetParam(msg[0], CMSG_SIGNER_INFO_PARAM, 0, null, size) as boolean) || size[0] === 0) return null;
      const signerInfo = koffi.alloc("uint8", size[0]);
      try {
        if (!(CryptMsgGetParam(msg[0], CMSG_SIGNER_INFO_PARAM, 0, signerInfo, size) as boolean)) return null;
        // x64 CMSG_SIGNER_INFO: dwVersion, Issuer {cbData, pbData} at 8, SerialNumber at 24. The
        // blobs point into signerInfo, which lives until it is freed below.
        const info = Buffer.from(koffi.view(signerInfo, 40));
        const certInfo = Buffer.alloc(CERT_INFO_BYTES);
        certInfo.writeUInt32LE(info.readUInt32LE(24), 8);
        certInfo.writeBigUInt64LE(info.readBigUInt64LE(32), 16);
        certInfo.writeUInt32LE(info.readUInt32LE(8), 48);
        certInfo.writeBigUInt64LE(info.readBigUInt64LE(16), 56);
        const cert = CertFindCertificateInStore(store[0], ENCODING, 0, CERT_FIND_SUBJECT_CERT, certInfo, null);
        if (!cert) return null;
        try {
          const name = Buffer.alloc(512 * 2);
          const chars = CertGetNameStringW(cert, CERT_NAME_SIMPLE_DISPLAY_TYPE, 0, null, name, 512) as number;
          // The count includes the terminating NUL; 1 means an empty name.
          return chars > 1 ? name.toString("utf16le", 0, (chars - 1) * 2) : null;
        } finally {
          CertFreeCertificateContext(cert);
        }
      } finally {
        koffi.free(signerInfo);
      }
    } finally {
      if (msg[0]) CryptMsgClose(msg[0]);
      if (store[0]) CertCloseStore(store[0], 0);
    }
  };

  boundApi = {
    verify: (path) => {
      const data = {
        cbStruct: koffi.sizeof(trustData), pPolicyCallbackData: null, pSIPClientData: null, dwUIChoice: WTD_UI_NONE, fdwRevocationChecks: WTD_REVOKE_NONE,
        dwUnionChoice: WTD_CHOICE_FILE, pFile: { cbStruct: koffi.sizeof(fileInfo), pcwszFilePath: path, hFile: null, pgKnownSubject: null },
        dwStateAction: WTD_STATEACTION_IGNORE, hWVTStateData: null, pwszURLReference: null, dwProvFlags: WTD_CACHE_ONLY_URL_RETRIEVAL, dwUIContext: 0,
        pSignatureSettings: null,
      };
      // No window: with WTD_UI_NONE nothing is ever shown.
      return WinVerifyTrust(null, GENERIC_VERIFY_V2, data) as number;
    },
    signerName,
    describe: (code) => {
      const text = Buffer.alloc(1024 * 2);
      const chars = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, null, code >>> 0, 0, text, 1024, null) as number;
      return chars > 0 ? text.toString("utf16le", 0, chars * 2).trim() : "";
    },
  };
  return boundApi;
}

/**
 * Sysmon's signature fields for the image at `path` (a DOS path), uncached: callers cache per
 * file identity (windows-details.ts), as verifying hashes the whole file.
 */
export function verifyAuthenticode(path: string): SignatureFacts {
  const api = authenticodeApi();
  const result = api.verify(path);
  const code = result >>> 0;
  return signatureFactsFor(code, { signer: isUnsigned(code) ? null : api.signerName(path), describe: api.describe });
}

/** The raw WinVerifyTrust result and signer name, for diagnostics and tests. */
export function authenticodeDiagnostics(path: string): { trustResult: string; signer: string | null; message: string } {
  const api = authenticodeApi();
  const code = api.verify(path) >>> 0;
  return { trustResult: hresultText(code), signer: api.signerName(path), message: api.describe(code) };
}
