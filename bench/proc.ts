/**
 * What the benchmark reads from /proc: CPU time and RSS of a process and its descendants, and
 * the machine's busy time. CPU is utime+stime of /proc/PID/stat, which covers every thread of
 * the process (the store writer is a worker thread of the engine), in clock ticks.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { SysmonTsError } from "../engine/src/base";

export interface ProcOptions {
  /** Where procfs is mounted; tests point it at a fixture tree. Default /proc. */
  readonly procRoot?: string;
}

export interface ProcessCpu {
  readonly pid: number;
  readonly parentPid: number;
  /** User time in ms. */
  readonly userMs: number;
  /** Kernel time in ms. */
  readonly systemMs: number;
}

let ticksPerSecond: number | undefined;

/** USER_HZ, the unit of /proc/PID/stat times (getconf CLK_TCK; 100 on every Linux we know). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

/** Parses one /proc/PID/stat line; null when it is not one. The comm may hold spaces and ')'. */
export function parseProcStat(text: string, ticks: number): ProcessCpu | null {
  const close = text.lastIndexOf(")");
  const open = text.indexOf("(");
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // Fields after the comm, numbered from 3 (state) as in proc(5): ppid is 4, utime 14, stime 15.
  const rest = text.slice(close + 2).trim().split(/\s+/);
  const parentPid = Number(rest[1]);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isInteger(pid) || !Number.isFinite(parentPid) || !Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return { pid, parentPid, userMs: (utime * 1000) / ticks, systemMs: (stime * 1000) / ticks };
}

/** CPU of one process, or null when it is gone. */
export function readProcessCpu(pid: number, options: ProcOptions = {}): ProcessCpu | null {
  const text = readText(path.join(options.procRoot ?? "/proc", String(pid), "stat"));
  return text === null ? null : parseProcStat(text, clockTicksPerSecond());
}

/** `rootPid` and every live process below it, with their CPU so far. */
export function readProcessTreeCpu(rootPid: number, options: ProcOptions = {}): ProcessCpu[] {
  const procRoot = options.procRoot ?? "/proc";
  const all: ProcessCpu[] = [];
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    const text = readText(path.join(procRoot, name, "stat"));
    const cpu = text === null ? null : parseProcStat(text, clockTicksPerSecond());
    if (cpu) all.push(cpu);
  }
  const inTree = new Set([rootPid]);
  // Parents can have larger pids than children after pid wrap-around, so iterate to a fixed point.
  for (let grew = true; grew; ) {
    grew = false;
    for (const cpu of all) {
      if (!inTree.has(cpu.pid) && inTree.has(cpu.parentPid)) {
        inTree.add(cpu.pid);
        grew = true;
      }
    }
  }
  return all.filter((cpu) => inTree.has(cpu.pid));
}

export interface CpuDelta {
  readonly userMs: number;
  readonly systemMs: number;
  readonly pids: readonly number[];
}

/**
 * CPU spent between two tree samples. A process only in `after` started during the window and
 * counts whole; one only in `before` ended and its last window share is lost (the subjects we
 * measure are long-lived, so this does not arise for them).
 */
export function cpuBetween(before: readonly ProcessCpu[], after: readonly ProcessCpu[]): CpuDelta {
  const earlier = new Map(before.map((cpu) => [cpu.pid, cpu]));
  let userMs = 0;
  let systemMs = 0;
  for (const cpu of after) {
    const start = earlier.get(cpu.pid);
    userMs += cpu.userMs - (start?.userMs ?? 0);
    systemMs += cpu.systemMs - (start?.systemMs ?? 0);
  }
  return { userMs, systemMs, pids: after.map((cpu) => cpu.pid) };
}

/** Resident set size in bytes (VmRSS of /proc/PID/status), or null when the process is gone. */
export function readRssBytes(pid: number, options: ProcOptions = {}): number | null {
  const text = readText(path.join(options.procRoot ?? "/proc", String(pid), "status"));
  const match = text === null ? null : /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return match ? Number(match[1]) * 1024 : null;
}

export interface MachineCpu {
  /** Time all CPUs were busy (everything but idle and iowait), ms. */
  readonly busyMs: number;
  /** Time of all CPUs together, ms. */
  readonly totalMs: number;
}

/** The aggregate `cpu` line of /proc/stat. */
export function parseMachineCpu(text: string, ticks: number): MachineCpu | null {
  const line = text.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) return null;
  // user nice system idle iowait irq softirq steal (guest times are already inside user/nice).
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (fields.length < 8 || fields.some((v) => !Number.isFinite(v))) return null;
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = fields[3]! + fields[4]!;
  return { busyMs: ((total - idle) * 1000) / ticks, totalMs: (total * 1000) / ticks };
}

export function readMachineCpu(options: ProcOptions = {}): MachineCpu {
  const text = readText(path.join(options.procRoot ?? "/proc", "stat"));
  const cpu = text === null ? null : parseMachineCpu(text, clockTicksPerSecond());
  if (!cpu) throw new SysmonTsError("SYSMONTS_E_BENCH", `cannot read the cpu line of ${options.procRoot ?? "/proc"}/stat`);
  return cpu;
}
