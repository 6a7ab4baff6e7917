// Runs inside Wine under the Windows node.exe (bundled by eventlog-resources-wine.test.ts). It
// opens SysmonTs.Events.dll the way the event log service opens a provider's resource and message
// files (as an image resource, no code run), reads back its WEVT_TEMPLATE and message table through
// kernel32's resource API, and formats messages by ID with FormatMessageW. The request (the DLL's
// path and the messages to format with their inserts) is the JSON file named by
// SYSMONTS_EVENTLOG_PROBE_INPUT; the report goes to the file named in argv[2].
import { readFileSync } from "node:fs";
import koffi from "koffi";
import { createProbeReport } from "./probe-report";

export interface EventLogProbeInput {
  readonly dll: string;
  /** Messages to format: with `inserts` as FORMAT_MESSAGE_ARGUMENT_ARRAY strings, or none (inserts ignored). */
  readonly messages: readonly { readonly id: number; readonly inserts: readonly string[] | null }[];
}

/** winbase.h / winuser.h values. */
const LOAD_LIBRARY_AS_DATAFILE = 0x02;
const LOAD_LIBRARY_AS_IMAGE_RESOURCE = 0x20;
const FORMAT_MESSAGE_IGNORE_INSERTS = 0x200;
const FORMAT_MESSAGE_FROM_HMODULE = 0x800;
const FORMAT_MESSAGE_ARGUMENT_ARRAY = 0x2000;
const RT_MESSAGETABLE = 11;
/** FormatMessageW's output limit is 64 KiB of characters; no message of ours comes near it. */
const FORMAT_BUFFER_CHARS = 65536;

const { step, finish } = createProbeReport();
const input = JSON.parse(readFileSync(process.env["SYSMONTS_EVENTLOG_PROBE_INPUT"]!, "utf8")) as EventLogProbeInput;

const kernel32 = koffi.load("kernel32.dll");
const LoadLibraryExW = kernel32.func("void * __stdcall LoadLibraryExW(str16 path, void *file, uint32 flags)");
const FreeLibrary = kernel32.func("bool __stdcall FreeLibrary(void *module)");
// Resource names and types are MAKEINTRESOURCE integers or strings: one prototype for each use.
const FindNamedTypeResource = kernel32.func("void * __stdcall FindResourceW(void *module, uintptr_t name, str16 type)");
const FindNumberedTypeResource = kernel32.func("void * __stdcall FindResourceW(void *module, uintptr_t name, uintptr_t type)");
const LoadResource = kernel32.func("void * __stdcall LoadResource(void *module, void *resource)");
const LockResource = kernel32.func("void * __stdcall LockResource(void *loaded)");
const SizeofResource = kernel32.func("uint32 __stdcall SizeofResource(void *module, void *resource)");
const FormatMessageW = kernel32.func(
  "uint32 __stdcall FormatMessageW(uint32 flags, void *source, uint32 id, uint32 language, _Out_ uint8_t *buffer, uint32 size, const void *args)",
);
const GetLastError = kernel32.func("uint32 __stdcall GetLastError()");

function resourceBytes(module: unknown, resource: unknown): string {
  if (!resource) throw new Error(`FindResourceW failed: ${GetLastError()}`);
  const size = SizeofResource(module, resource) as number;
  const data = LockResource(LoadResource(module, resource));
  if (!data) throw new Error(`LoadResource/LockResource failed: ${GetLastError()}`);
  return Buffer.from(new Uint8Array(koffi.view(data, size))).toString("base64");
}

/** The argument array FormatMessageW reads with FORMAT_MESSAGE_ARGUMENT_ARRAY: pointers to NUL-terminated UTF-16 strings. */
function insertArray(inserts: readonly string[]): { array: Buffer; keepAlive: Buffer[] } {
  const keepAlive = inserts.map((text) => Buffer.from(`${text}\0`, "utf16le"));
  const array = Buffer.alloc(8 * Math.max(inserts.length, 1));
  keepAlive.forEach((text, i) => array.writeBigUInt64LE(BigInt(koffi.address(text) as bigint), i * 8));
  return { array, keepAlive };
}

function formatMessage(module: unknown, id: number, inserts: readonly string[] | null): string {
  const output = Buffer.alloc(FORMAT_BUFFER_CHARS * 2);
  const args = inserts === null ? null : insertArray(inserts);
  const flags = FORMAT_MESSAGE_FROM_HMODULE | (args ? FORMAT_MESSAGE_ARGUMENT_ARRAY : FORMAT_MESSAGE_IGNORE_INSERTS);
  const chars = FormatMessageW(flags, module, id, 0, output, FORMAT_BUFFER_CHARS, args ? args.array : null) as number;
  if (chars === 0) throw new Error(`FormatMessageW(0x${id.toString(16)}) failed: ${GetLastError()}`);
  return output.toString("utf16le", 0, chars * 2);
}

let module: unknown = null;
step("load as image resource", () => {
  module = LoadLibraryExW(input.dll, null, LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE);
  if (!module) throw new Error(`LoadLibraryExW failed: ${GetLastError()}`);
  return true;
});
if (module) {
  step("WEVT_TEMPLATE #1", () => resourceBytes(module, FindNamedTypeResource(module, 1, "WEVT_TEMPLATE")));
  step("MESSAGETABLE #1", () => resourceBytes(module, FindNumberedTypeResource(module, 1, RT_MESSAGETABLE)));
  for (const message of input.messages) step(`message 0x${message.id.toString(16)}`, () => formatMessage(module, message.id, message.inserts));
  step("unload", () => FreeLibrary(module));
}
finish();
