import { SysmonTsError } from "../../base";

/**
 * Security identifiers in their two forms, binary (winnt.h SID: revision, sub-authority count,
 * 48-bit big-endian identifier authority, 32-bit little-endian sub-authorities) and text
 * ("S-1-5-18"), and the integrity level names Sysmon prints. Pure, so the token query and the
 * driver client can share them and they are tested off Windows.
 */

const SID_MAX_SUB_AUTHORITIES = 15;

function badSid(text: string, why: string): SysmonTsError {
  return new SysmonTsError("SYSMONTS_E_DRIVER_RECORD", `not a SID: '${text}' (${why})`);
}

/**
 * @example
 * sidFromText("S-1-5-18"); // <Buffer 01 01 00 00 00 00 00 05 12 00 00 00>
 */
export function sidFromText(text: string): Buffer {
  const parts = text.split("-");
  if (parts.length < 3 || parts[0]?.toUpperCase() !== "S") throw badSid(text, "expected S-<revision>-<authority>[-<sub-authority>...]");
  if (parts[1] !== "1") throw badSid(text, "revision must be 1");
  const numbers = parts.slice(2).map((part) => {
    // Decimal, or 0x-prefixed hex for authorities of 2^32 and above (the SDDL form).
    if (!/^(\d+|0x[0-9a-f]+)$/i.test(part)) throw badSid(text, `'${part}' is not a number`);
    return Number(part);
  });
  const [authority, ...subAuthorities] = numbers as [number, ...number[]];
  if (subAuthorities.length > SID_MAX_SUB_AUTHORITIES) throw badSid(text, `more than ${SID_MAX_SUB_AUTHORITIES} sub-authorities`);
  if (!Number.isSafeInteger(authority) || authority >= 2 ** 48) throw badSid(text, "identifier authority above 48 bits");
  const sid = Buffer.alloc(8 + 4 * subAuthorities.length);
  sid[0] = 1;
  sid[1] = subAuthorities.length;
  sid.writeUIntBE(authority, 2, 6);
  subAuthorities.forEach((value, i) => {
    if (value > 0xffffffff) throw badSid(text, `sub-authority ${value} above 32 bits`);
    sid.writeUInt32LE(value, 8 + 4 * i);
  });
  return sid;
}

/** The text form of a binary SID, as ConvertSidToStringSidW writes it. */
export function sidText(sid: Uint8Array): string {
  const bytes = Buffer.from(sid.buffer, sid.byteOffset, sid.byteLength);
  if (bytes.length < 8 || bytes[0] !== 1) throw badSid(bytes.toString("hex"), "not a revision 1 SID");
  const count = bytes[1]!;
  if (count > SID_MAX_SUB_AUTHORITIES || bytes.length < 8 + 4 * count) throw badSid(bytes.toString("hex"), "truncated");
  const authority = bytes.readUIntBE(2, 6);
  const head = authority >= 2 ** 32 ? `0x${authority.toString(16).toUpperCase().padStart(12, "0")}` : String(authority);
  const subs: number[] = [];
  for (let i = 0; i < count; i++) subs.push(bytes.readUInt32LE(8 + 4 * i));
  return ["S-1", head, ...subs].join("-");
}

/** The last sub-authority: a mandatory label's RID, a user's relative ID. */
export function sidRid(sid: Uint8Array): number {
  const count = sid[1] ?? 0;
  if (count === 0 || sid.length < 8 + 4 * count) throw badSid(Buffer.from(sid).toString("hex"), "no sub-authority");
  return Buffer.from(sid.buffer, sid.byteOffset, sid.byteLength).readUInt32LE(8 + 4 * (count - 1));
}

/** Mandatory label RIDs (winnt.h SECURITY_MANDATORY_*_RID). */
export const MANDATORY_RID = { untrusted: 0x0000, low: 0x1000, medium: 0x2000, mediumPlus: 0x2100, high: 0x3000, system: 0x4000, protectedProcess: 0x5000 } as const;

/**
 * IntegrityLevel as Sysmon writes it (spec/events.md §4: "AppContainer, or the token integrity
 * name (Low/Medium/High/System)"). A RID between two named levels takes the lower name, as the
 * kernel's own comparisons do (MediumPlus is Medium; protected processes are System); below Low
 * is Untrusted.
 *
 * @example
 * integrityLevelName(0x3000, { appContainer: false }); // "High"
 */
export function integrityLevelName(rid: number, options: { appContainer: boolean }): string {
  if (options.appContainer) return "AppContainer";
  if (rid >= MANDATORY_RID.system) return "System";
  if (rid >= MANDATORY_RID.high) return "High";
  if (rid >= MANDATORY_RID.medium) return "Medium";
  if (rid >= MANDATORY_RID.low) return "Low";
  return "Untrusted";
}
