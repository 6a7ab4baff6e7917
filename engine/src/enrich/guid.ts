/**
 * ProcessGuid and LogonGuid text (spec/cli-and-output.md §7.1, §7.2; spec/events.md §5.3).
 * Sixteen bytes printed as `{Data1-Data2-Data3-Data4[0..1]-Data4[2..7]}` in lowercase, the
 * Linux form: Data1 = machine id, Data2/Data3 = low/high halves of the seconds, Data4 = the
 * eight key bytes in little-endian order. Built from a hex table: these run once per exec.
 */

const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** The value every unresolved GUID field shows (spec/events.md §4). */
export const ZERO_GUID = "{00000000-0000-0000-0000-000000000000}";

function hex8(value: number): string {
  return (value >>> 0).toString(16).padStart(8, "0");
}

function hex4(value: number): string {
  return (value & 0xffff).toString(16).padStart(4, "0");
}

function guidText(machineId: number, seconds: number, low: number, high: number): string {
  const sec = seconds >>> 0;
  return (
    `{${hex8(machineId)}-${hex4(sec)}-${hex4(sec >>> 16)}-` +
    `${HEX_BYTE[low & 0xff]}${HEX_BYTE[(low >>> 8) & 0xff]}-` +
    `${HEX_BYTE[(low >>> 16) & 0xff]}${HEX_BYTE[(low >>> 24) & 0xff]}` +
    `${HEX_BYTE[high & 0xff]}${HEX_BYTE[(high >>> 8) & 0xff]}${HEX_BYTE[(high >>> 16) & 0xff]}${HEX_BYTE[(high >>> 24) & 0xff]}}`
  );
}

export interface ProcessGuidParts {
  /** Process start time, ms since the epoch; the GUID keeps whole seconds. */
  readonly startTimeMs: number;
  /** The 64-bit process key (mm->end_code on Linux). */
  readonly processKey: bigint;
}

/**
 * @example
 * processGuidText(0x924935dc, { startTimeMs: 0x647e3e6a * 1000, processKey: 0x000056378badc4f6n });
 * // "{924935dc-3e6a-647e-f6c4-ad8b37560000}"
 */
export function processGuidText(machineId: number, parts: ProcessGuidParts): string {
  const key = BigInt.asUintN(64, parts.processKey);
  return guidText(machineId, Math.floor(parts.startTimeMs / 1000), Number(key & 0xffffffffn), Number(key >> 32n));
}

export interface LogonGuidParts {
  /** utmp login time of `pts/<ttyIndex>` for the user, seconds since the epoch; 0 when none. */
  readonly loginTimeSec: number;
  /** LUID.LowPart. */
  readonly uid: number;
  /** LUID.HighPart: the tty index, 0 when the process has no tty (spec/events.md §5.3). */
  readonly ttyIndex: number;
}

/**
 * @example
 * logonGuidText(0x924935dc, { loginTimeSec: 0x647dfbf9, uid: 0, ttyIndex: 1 });
 * // "{924935dc-fbf9-647d-0000-000001000000}"
 */
export function logonGuidText(machineId: number, parts: LogonGuidParts): string {
  return guidText(machineId, parts.loginTimeSec, parts.uid >>> 0, parts.ttyIndex >>> 0);
}
