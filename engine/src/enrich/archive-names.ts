/**
 * How Sysmon names what it keeps in its ArchiveDirectory, and the Windows Hashes text those names
 * are made of.
 *
 * - Where: ArchiveDirectory is one path component stored as `\name\` (spec/config.md §3), a folder
 *   at the root of the system drive ("If no folder is specified Sysmon will create a folder under
 *   the root of the main drive with its name", SysmonCommunityGuide), so `\Sysmon\` is C:\Sysmon.
 * - Deleted files (event 23): the event's Hashes value "is also the filename of the saved file"
 *   (SysmonCommunityGuide, File Delete). Inference, not confirmed on a Windows machine here: the
 *   deleted file's extension is kept after it (`SHA256=AB…CD.exe`), as archived samples shared
 *   publicly show; names are capped to the 255-character NTFS component limit by shortening the
 *   extension, never the hashes.
 * - Clipboard text (event 24): the same scheme with a `CLIP-` prefix (Olaf Hartong, "Sysmon 12.0 —
 *   EventID 24"), content exactly as copied. Stored here as UTF-16LE, the CF_UNICODETEXT bytes.
 * - Hashes: `ALGO=HEX` in the order SHA1, MD5, SHA256, IMPHASH, uppercase hex on Windows
 *   (spec/events.md §4). Content that is not a PE image has IMPHASH of 32 zeros, as Sysmon's
 *   published clipboard events show.
 */
import { createHash } from "node:crypto";
import type { HashAlgorithm } from "../config";
import { imphash } from "../sensor";
import { chosenAlgorithms } from "./hashes";

const ORDER: readonly HashAlgorithm[] = ["SHA1", "MD5", "SHA256", "IMPHASH"];
const NODE_NAME: Readonly<Record<Exclude<HashAlgorithm, "IMPHASH">, string>> = { SHA1: "sha1", MD5: "md5", SHA256: "sha256" };
const NO_IMPHASH = "0".repeat(32);
const MAX_NAME_CHARS = 255;

function imphashOrZeros(content: Buffer): string {
  if (content.length < 2 || content[0] !== 0x4d || content[1] !== 0x5a) return NO_IMPHASH;
  try {
    return imphash(content);
  } catch {
    return NO_IMPHASH;
  }
}

/**
 * The Windows Hashes text of `content` for the configured algorithms.
 *
 * @example
 * windowsHashesText(Buffer.from("abc"), ["MD5"]); // "MD5=900150983CD24FB0D6963F7D28E17F72"
 */
export function windowsHashesText(content: Buffer, algorithms: readonly HashAlgorithm[]): string {
  const parts: string[] = [];
  for (const algorithm of ORDER) {
    if (!algorithms.includes(algorithm)) continue;
    const hex = algorithm === "IMPHASH" ? imphashOrZeros(content) : createHash(NODE_NAME[algorithm]).update(content).digest("hex").toUpperCase();
    parts.push(`${algorithm}=${hex}`);
  }
  return parts.join(",");
}

/** The configured HashAlgorithms names (any case, `*`) as Windows computes them, in output order. */
export function windowsAlgorithms(names: readonly string[]): HashAlgorithm[] {
  return chosenAlgorithms(names, ORDER);
}

/** The folder for a stored ArchiveDirectory (`\name\`) on the system drive (`C:`). */
export function archiveDirectoryPath(archiveDirectory: string, systemDrive: string): string {
  const name = archiveDirectory.replace(/^\\+|\\+$/g, "");
  return `${systemDrive.replace(/\\+$/, "")}\\${name}`;
}

/** `<Hashes><.ext>` for a deleted file (see the module comment for what is inferred). */
export function deletedFileArchiveName(hashes: string, targetFilename: string): string {
  const base = targetFilename.slice(Math.max(targetFilename.lastIndexOf("\\"), targetFilename.lastIndexOf("/")) + 1);
  const dot = base.lastIndexOf(".");
  const extension = dot > 0 ? base.slice(dot) : "";
  return `${hashes}${extension.slice(0, Math.max(0, MAX_NAME_CHARS - hashes.length))}`;
}

/** `CLIP-<Hashes>` for captured clipboard text. */
export function clipboardArchiveName(hashes: string): string {
  return `CLIP-${hashes}`;
}
