/**
 * The per-image and per-account details Windows events carry and Linux ones do not
 * (spec/events.md §3, §4): the version strings of events 1 and 7, the signature fields of events
 * 6 and 7, account names for SIDs, and the token and logon-session facts of event 1. The Windows
 * service creates one and hands it to the enricher (EnricherOptions.windowsDetails); on Linux
 * there is none and nothing changes.
 *
 * Images are cached by file identity (path, size, modification time, file index): a stat per
 * lookup, as the hash cache does, and the resource read or signature check once per version of
 * a file. Verification hashes the whole file, so it runs only for the events that show it.
 */
import { statSync } from "node:fs";
import { WindowsAccounts, type ProcessTokenFacts } from "./accounts";
import { verifyAuthenticode, type SignatureFacts } from "./authenticode";
import { NO_VERSION_STRINGS, readPeVersionStringsFromFile, type PeVersionStrings } from "./pe-version";

export type { PeVersionStrings } from "./pe-version";
export type { SignatureFacts } from "./authenticode";
export type { ProcessTokenFacts } from "./accounts";

export interface WindowsDetailsStats {
  readonly images: number;
  readonly versionReads: number;
  /** Images whose version resource could not be read (not a PE, corrupted, gone). */
  readonly versionErrors: number;
  readonly signatureChecks: number;
  readonly signatureErrors: number;
  readonly cacheHits: number;
}

/** What the enricher asks of the Windows half; every answer is cached or cheap. */
export interface WindowsDetails {
  /** FileVersion … OriginalFileName of the image at a DOS path; NO_VERSION_STRINGS when unknown. */
  versionStrings(path: string): PeVersionStrings;
  /** Signed, Signature and SignatureStatus of the image. */
  signature(path: string): SignatureFacts;
  /** `DOMAIN\name` for a SID, or null when Windows knows no account for it. */
  accountName(sid: string): string | null;
  /** User SID, integrity level, LogonId and session of a live process; null when it is gone. */
  processToken(pid: number): ProcessTokenFacts | null;
  /** The logon session's start, seconds since 1970; 0 when unknown. */
  logonTimeSec(logonId: bigint): number;
  stats(): WindowsDetailsStats;
  close(): void;
  [Symbol.dispose](): void;
}

/** Signature fields when the file cannot be checked at all (gone, locked). */
const SIGNATURE_UNAVAILABLE: SignatureFacts = { signed: false, signature: "-", signatureStatus: "Unavailable" };
const IMAGE_CACHE_MAX = 8192;

function logonIdHex(logonId: bigint): string {
  return `0x${BigInt.asUintN(64, logonId).toString(16)}`;
}

interface ImageEntry {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  version?: PeVersionStrings;
  signature?: SignatureFacts;
}

export interface WindowsDetailsOptions {
  /** Where unexpected failures are reported; they are also counted. */
  readonly log?: (message: string) => void;
}

class CachedWindowsDetails implements WindowsDetails {
  private readonly images = new Map<string, ImageEntry>();
  private accounts: WindowsAccounts | undefined;
  private readonly log: (message: string) => void;
  private counters = { versionReads: 0, versionErrors: 0, signatureChecks: 0, signatureErrors: 0, cacheHits: 0 };

  constructor(options: WindowsDetailsOptions) {
    this.log = options.log ?? (() => undefined);
  }

  versionStrings(path: string): PeVersionStrings {
    const entry = this.entryFor(path);
    if (entry === null) return NO_VERSION_STRINGS;
    if (entry.version !== undefined) {
      this.counters.cacheHits++;
      return entry.version;
    }
    this.counters.versionReads++;
    try {
      entry.version = readPeVersionStringsFromFile(path);
    } catch (error) {
      // Not a PE (a script run through its interpreter) or a corrupted one: "-" fields, as Sysmon.
      this.counters.versionErrors++;
      entry.version = NO_VERSION_STRINGS;
      this.log(`version resource of ${path}: ${(error as Error).message}`);
    }
    return entry.version;
  }

  signature(path: string): SignatureFacts {
    const entry = this.entryFor(path);
    if (entry === null) return SIGNATURE_UNAVAILABLE;
    if (entry.signature !== undefined) {
      this.counters.cacheHits++;
      return entry.signature;
    }
    this.counters.signatureChecks++;
    try {
      entry.signature = verifyAuthenticode(path);
    } catch (error) {
      this.counters.signatureErrors++;
      entry.signature = SIGNATURE_UNAVAILABLE;
      this.log(`signature of ${path}: ${(error as Error).message}`);
    }
    return entry.signature;
  }

  accountName(sid: string): string | null {
    try {
      return this.accountsApi().accountName(sid);
    } catch (error) {
      this.log(`account of ${sid}: ${(error as Error).message}`);
      return null;
    }
  }

  processToken(pid: number): ProcessTokenFacts | null {
    try {
      return this.accountsApi().processToken(pid);
    } catch (error) {
      // Only off Windows (no advapi32); the enricher then keeps the record's own facts.
      this.log(`token of ${pid}: ${(error as Error).message}`);
      return null;
    }
  }

  logonTimeSec(logonId: bigint): number {
    try {
      return this.accountsApi().logonTimeSec(logonId);
    } catch (error) {
      this.log(`logon session ${logonIdHex(logonId)}: ${(error as Error).message}`);
      return 0;
    }
  }

  stats(): WindowsDetailsStats {
    return { images: this.images.size, ...this.counters };
  }

  close(): void {
    this.images.clear();
    this.accounts?.clear();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private accountsApi(): WindowsAccounts {
    // Bound on first use, so a resolver that only reads version strings works anywhere.
    return (this.accounts ??= new WindowsAccounts());
  }

  /** The cache entry for the file as it is now; a changed file starts a new entry. */
  private entryFor(path: string): ImageEntry | null {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return null;
    }
    // Windows paths are case-insensitive: one entry per file, however a record spells it.
    const key = path.toLowerCase();
    const known = this.images.get(key);
    if (known !== undefined && known.size === stat.size && known.mtimeMs === stat.mtimeMs && known.ino === stat.ino) return known;
    const entry: ImageEntry = { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino };
    if (known !== undefined) this.images.delete(key);
    else if (this.images.size >= IMAGE_CACHE_MAX) {
      const oldest = this.images.keys().next();
      if (!oldest.done) this.images.delete(oldest.value);
    }
    this.images.set(key, entry);
    return entry;
  }
}

/**
 * @example
 * using details = createWindowsDetails({ log: console.error });
 * details.versionStrings("C:\\Windows\\System32\\notepad.exe").description; // "Notepad"
 * details.accountName("S-1-5-18"); // "NT AUTHORITY\\SYSTEM"
 */
export function createWindowsDetails(options: WindowsDetailsOptions = {}): WindowsDetails {
  return new CachedWindowsDetails(options);
}
