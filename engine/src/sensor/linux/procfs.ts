/**
 * Reading processes from /proc: the process cache's source for processes that started before
 * the sensor, and its fallback on a miss (spec/cli-and-output.md §8, "Miss").
 *
 * Every reader tolerates the process vanishing between two reads (ENOENT/ESRCH), kernel threads
 * (no exe, empty cmdline) and hostile names (a comm containing ") " or newlines): a missing
 * piece gives an empty value, never an exception. Nothing here is on the hot path; it runs at
 * start-up and on cache misses only.
 */
import { readFileSync, readdirSync, readlinkSync } from "node:fs";

/** One process as /proc shows it. Empty strings mean "could not be read". */
export interface ProcSnapshot {
  readonly pid: number;
  readonly ppid: number;
  /** Real uid (first field of `Uid:` in status); -1 when unreadable. */
  readonly uid: number;
  /** Target of the `exe` link; "" for kernel threads or when access is denied. */
  readonly exe: string;
  /** `cmdline` with the NULs between arguments turned into spaces (spec/events.md §5.4). */
  readonly commandLine: string;
  /** The first argument as recorded in `cmdline`, for the base-name fallback of spec/events.md §4. */
  readonly argv0: string;
  readonly cwd: string;
  /** `task->start_time` in clock ticks since boot (stat field 22). */
  readonly startTicks: number;
  /** `mm->end_code` (stat field 27): the process key of the ProcessGuid (spec/events.md §5.3). */
  readonly endCode: bigint;
  /** Index of the controlling tty (pts number), -1 when there is none. */
  readonly ttyIndex: number;
  /** Audit session id; 4294967295 when there is none. */
  readonly sessionId: number;
  /** Audit login uid; 4294967295 when unset. */
  readonly loginUid: number;
}

export interface ProcfsOptions {
  /** Root of the proc file system; tests and containers may point elsewhere. Default "/proc". */
  readonly procRoot?: string;
}

const UNSET_ID = 4294967295;

function readText(path: string): string | null {
  try {
    return readFileSync(path, "latin1");
  } catch {
    return null;
  }
}

function readLink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return "";
  }
}

/** Parses a decimal id file (sessionid, loginuid); unset or unreadable gives 4294967295. */
function readId(path: string): number {
  const text = readText(path);
  if (text === null) return UNSET_ID;
  const value = Number.parseInt(text.trim(), 10);
  return Number.isFinite(value) && value >= 0 ? value : UNSET_ID;
}

/**
 * The tty index the kernel would report as `signal->tty->index` for a `tty_nr` device number.
 * Unix98 pty slaves use majors 136–143, 256 minors each, so pts/300 is major 137 minor 44.
 */
export function ttyIndexOfDevice(ttyNr: number): number {
  if (ttyNr === 0) return -1;
  const major = (ttyNr >>> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >>> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return (major - 136) * 256 + minor;
  return minor;
}

interface StatFields {
  readonly ppid: number;
  readonly ttyNr: number;
  readonly startTicks: number;
  readonly endCode: bigint;
}

/**
 * Parses /proc/<pid>/stat. The comm field is in parentheses and may itself contain ") " and
 * spaces, so the fields are counted from the last ")" (proc(5)).
 */
export function parseStatLine(text: string): StatFields | null {
  const close = text.lastIndexOf(")");
  if (close < 0) return null;
  // fields[0] is field 3 (state).
  const fields = text.slice(close + 2).trim().split(" ");
  const num = (fieldNumber: number): number => Number(fields[fieldNumber - 3] ?? Number.NaN);
  const ppid = num(4);
  const ttyNr = num(7);
  const startTicks = num(22);
  if (!Number.isFinite(ppid) || !Number.isFinite(ttyNr) || !Number.isFinite(startTicks)) return null;
  let endCode = 0n;
  const endText = fields[27 - 3];
  if (endText !== undefined && /^\d+$/.test(endText)) endCode = BigInt(endText);
  return { ppid, ttyNr, startTicks, endCode };
}

function realUidFromStatus(status: string | null): number {
  if (status === null) return -1;
  const match = /^Uid:\s+(\d+)/m.exec(status);
  return match?.[1] === undefined ? -1 : Number(match[1]);
}

/**
 * Reads one process. Returns null when the process does not exist (or vanished before its stat
 * could be read); any other piece that cannot be read is left empty.
 *
 * The uid is the real uid from `status` rather than the owner of /proc/<pid> (which is the
 * effective uid): events of running processes carry the real uid (spec/events.md §5.2), and the
 * two must agree for a seeded process and its later events.
 *
 * @example
 * const me = readProcess(process.pid);
 * me?.cwd === process.cwd(); // true
 */
export function readProcess(pid: number, options: ProcfsOptions = {}): ProcSnapshot | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const dir = `${options.procRoot ?? "/proc"}/${pid}`;
  const statText = readText(`${dir}/stat`);
  if (statText === null) return null;
  const stat = parseStatLine(statText);
  if (stat === null) return null;
  const rawCmdline = readText(`${dir}/cmdline`) ?? "";
  const commandLine = commandLineFromRaw(rawCmdline);
  const nul = rawCmdline.indexOf("\0");
  const argv0 = nul < 0 ? rawCmdline : rawCmdline.slice(0, nul);
  return {
    pid,
    ppid: stat.ppid,
    uid: realUidFromStatus(readText(`${dir}/status`)),
    exe: readLink(`${dir}/exe`),
    commandLine: decodeLatin1AsUtf8(commandLine),
    argv0: decodeLatin1AsUtf8(argv0),
    cwd: readLink(`${dir}/cwd`),
    startTicks: stat.startTicks,
    endCode: stat.endCode,
    ttyIndex: ttyIndexOfDevice(stat.ttyNr),
    sessionId: readId(`${dir}/sessionid`),
    loginUid: readId(`${dir}/loginuid`),
  };
}

/** Turns the NULs between arguments into spaces; the terminating NUL is dropped (spec/events.md §5.4). */
export function commandLineFromRaw(raw: string): string {
  const trimmed = raw.endsWith("\0") ? raw.slice(0, -1) : raw;
  return trimmed.replaceAll("\0", " ");
}

// Files are read as latin1 so that slicing at NUL bytes cannot split a UTF-8 sequence; the
// text is then decoded as UTF-8 the way the kernel sensor's strings are.
function decodeLatin1AsUtf8(text: string): string {
  if (!/[^\x00-\x7f]/.test(text)) return text;
  return Buffer.from(text, "latin1").toString("utf8");
}

/** Every process id currently listed in /proc, ascending. Thread ids are not listed. */
export function listPids(options: ProcfsOptions = {}): number[] {
  let names: string[];
  try {
    names = readdirSync(options.procRoot ?? "/proc");
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const name of names) {
    if (/^\d+$/.test(name)) pids.push(Number(name));
  }
  return pids.sort((a, b) => a - b);
}

/**
 * The thread group (process id) of a thread id, from `Tgid:` in /proc/<tid>/status: the
 * kernel answers for thread ids even though it does not list them. Null when the id is gone.
 */
export function threadGroupOf(tid: number, options: ProcfsOptions = {}): number | null {
  if (!Number.isInteger(tid) || tid <= 0) return null;
  const status = readText(`${options.procRoot ?? "/proc"}/${tid}/status`);
  if (status === null) return null;
  const match = /^Tgid:\s+(\d+)/m.exec(status);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** Owner uid of /proc/<pid>, the TargetUser of event 10 (spec/events.md §5.2); -1 when gone. */
export function ownerUidOf(pid: number, options: ProcfsOptions = {}): number {
  return realUidFromStatus(readText(`${options.procRoot ?? "/proc"}/${pid}/status`));
}

/** Boot time in ms since the epoch: `btime` of /proc/stat. */
export function readBootTimeMs(options: ProcfsOptions = {}): number {
  const text = readText(`${options.procRoot ?? "/proc"}/stat`);
  const match = text === null ? null : /^btime\s+(\d+)/m.exec(text);
  if (match?.[1] === undefined) return 0;
  return Number(match[1]) * 1000;
}

const AT_CLKTCK = 17n;

/**
 * Clock ticks per second (USER_HZ) for stat's starttime, read from the AT_CLKTCK entry of the
 * auxiliary vector (what sysconf(_SC_CLK_TCK) returns) without calling into libc. 100 when
 * unreadable, the value on every mainstream architecture.
 */
export function readClockTicksPerSecond(options: ProcfsOptions = {}): number {
  try {
    const auxv = readFileSync(`${options.procRoot ?? "/proc"}/self/auxv`);
    for (let offset = 0; offset + 16 <= auxv.length; offset += 16) {
      const type = auxv.readBigUInt64LE(offset);
      if (type === 0n) break;
      if (type === AT_CLKTCK) {
        const value = Number(auxv.readBigUInt64LE(offset + 8));
        return value > 0 ? value : 100;
      }
    }
  } catch {
    // fall through to the default
  }
  return 100;
}

/** Reads the first 8 hex characters of /etc/machine-id as a 32-bit number; 0 when missing (spec/events.md §5.3). */
export function readMachineId(path = "/etc/machine-id"): number {
  const text = readText(path);
  if (text === null) return 0;
  const head = text.trim().slice(0, 8);
  if (!/^[0-9a-fA-F]{8}$/.test(head)) return 0;
  return Number.parseInt(head, 16) >>> 0;
}
