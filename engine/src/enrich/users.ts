/**
 * User names for uids (/etc/passwd) and login times for LogonGuid (utmp), both cached and
 * re-read only when the file changes. The file is stat'ed at most once per `recheckMs`, so
 * a burst of events costs map lookups, not system calls (DESIGN.md, hot path).
 */
import { readFileSync, statSync } from "node:fs";

interface FileStamp {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Re-reads a file when its identity or modification changes, checking at most once per interval. */
class WatchedFile<T> {
  private value: T;
  private stamp: FileStamp | null = null;
  private nextCheckMs = -Infinity;

  constructor(
    private readonly path: string,
    private readonly parse: (content: Buffer) => T,
    private readonly empty: T,
    private readonly recheckMs: number,
    private readonly now: () => number,
  ) {
    this.value = empty;
  }

  get current(): T {
    const now = this.now();
    if (now < this.nextCheckMs) return this.value;
    this.nextCheckMs = now + this.recheckMs;
    const stat = statSync(this.path, { throwIfNoEntry: false });
    if (stat === undefined) {
      this.stamp = null;
      this.value = this.empty;
      return this.value;
    }
    const s = this.stamp;
    if (s !== null && s.ino === stat.ino && s.size === stat.size && s.mtimeMs === stat.mtimeMs) return this.value;
    try {
      this.value = this.parse(readFileSync(this.path));
      this.stamp = { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs };
      this.reads++;
    } catch {
      this.value = this.empty;
      this.stamp = null;
    }
    return this.value;
  }

  /** How many times the file was read and parsed. */
  reads = 0;
}

export interface UserDirectoryOptions {
  readonly passwdPath?: string;
  readonly utmpPath?: string;
  /** Minimum interval between two stat() calls on each file. Default 1000 ms. */
  readonly recheckMs?: number;
  /** Clock, ms; tests drive it. Default Date.now. */
  readonly now?: () => number;
}

/** Parses passwd lines `name:x:uid:...`; the first entry of a uid wins, as getpwuid returns it. */
export function parsePasswd(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const parts = line.split(":");
    const name = parts[0];
    const uidText = parts[2];
    if (name === undefined || name === "" || uidText === undefined || !/^\d+$/.test(uidText)) continue;
    const uid = Number(uidText);
    if (!names.has(uid)) names.set(uid, name);
  }
  return names;
}

// glibc's struct utmp on 64-bit Linux (also with __WORDSIZE_TIME64_COMPAT32): 384 bytes.
const UTMP_RECORD = 384;
const UT_TYPE = 0;
const UT_LINE = 8;
const UT_LINE_SIZE = 32;
const UT_USER = 44;
const UT_USER_SIZE = 32;
const UT_TV_SEC = 340;
const USER_PROCESS = 7;

function cString(bytes: Buffer, start: number, size: number): string {
  const end = bytes.indexOf(0, start);
  return bytes.toString("utf8", start, end < 0 || end > start + size ? start + size : end);
}

/** Login seconds keyed by `${line}\0${user}` for USER_PROCESS entries; the newest entry wins. */
export function parseUtmp(bytes: Buffer): Map<string, number> {
  const logins = new Map<string, number>();
  for (let offset = 0; offset + UTMP_RECORD <= bytes.length; offset += UTMP_RECORD) {
    if (bytes.readInt16LE(offset + UT_TYPE) !== USER_PROCESS) continue;
    const line = cString(bytes, offset + UT_LINE, UT_LINE_SIZE);
    const user = cString(bytes, offset + UT_USER, UT_USER_SIZE);
    logins.set(`${line}\0${user}`, bytes.readUInt32LE(offset + UT_TV_SEC));
  }
  return logins;
}

/** uid → user name, and the utmp login time used in the LogonGuid. */
export class UserDirectory {
  private readonly passwd: WatchedFile<Map<number, string>>;
  private readonly utmp: WatchedFile<Map<string, number>>;

  constructor(options: UserDirectoryOptions = {}) {
    const recheck = options.recheckMs ?? 1000;
    const now = options.now ?? Date.now;
    this.passwd = new WatchedFile(options.passwdPath ?? "/etc/passwd", (b) => parsePasswd(b.toString("utf8")), new Map(), recheck, now);
    this.utmp = new WatchedFile(options.utmpPath ?? "/var/run/utmp", parseUtmp, new Map(), recheck, now);
  }

  /** The account name of a uid, or null when passwd has none. */
  nameOf(uid: number): string | null {
    return this.passwd.current.get(uid) ?? null;
  }

  /**
   * Seconds of the utmp entry for line `pts/<ttyIndex>` whose user is the uid's name, 0 when
   * none (spec/events.md §5.3).
   */
  loginTimeSec(uid: number, ttyIndex: number): number {
    if (ttyIndex < 0) return 0;
    const name = this.nameOf(uid);
    if (name === null) return 0;
    return this.utmp.current.get(`pts/${ttyIndex}\0${name}`) ?? 0;
  }

  /** How many times each file was (re)read: tests and stats use it. */
  get reads(): { readonly passwd: number; readonly utmp: number } {
    return { passwd: this.passwd.reads, utmp: this.utmp.reads };
  }
}
