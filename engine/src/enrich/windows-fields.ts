/**
 * Text of the Windows-only logon fields of event 1 (spec/events.md §4, spec/cli-and-output.md §7):
 * LogonId is the token's AuthenticationId LUID as `0x%I64x`, LogonGuid the GUID layout of §7.1
 * with the LSA logon time in bytes 4–7 and the 8-byte LUID in bytes 8–15.
 */
import { logonGuidText } from "./guid";

/**
 * @example
 * logonIdText(0x3e7n); // "0x3e7" (the SYSTEM logon session)
 */
export function logonIdText(logonId: bigint): string {
  return `0x${BigInt.asUintN(64, logonId).toString(16)}`;
}

export interface WindowsLogonGuidParts {
  /** LSA logon session start, seconds since 1970; 0 when unknown. */
  readonly logonTimeSec: number;
  /** The token's AuthenticationId LUID (LowPart in the low 32 bits). */
  readonly logonId: bigint;
}

/**
 * The LUID's LowPart and HighPart take the places of the Linux uid and tty index: the same
 * sixteen bytes (spec/cli-and-output.md §7.2).
 *
 * @example
 * windowsLogonGuidText(0x924935dc, { logonTimeSec: 0x647dfbf9, logonId: 0x3e7n });
 * // "{924935dc-fbf9-647d-e703-000000000000}"
 */
export function windowsLogonGuidText(machineId: number, parts: WindowsLogonGuidParts): string {
  const luid = BigInt.asUintN(64, parts.logonId);
  return logonGuidText(machineId, { loginTimeSec: parts.logonTimeSec, uid: Number(luid & 0xffffffffn), ttyIndex: Number(luid >> 32n) });
}
