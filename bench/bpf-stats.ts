/**
 * Kernel run time of the eBPF programs a process holds. With kernel.bpf_stats_enabled=1 the
 * kernel adds every program run's duration to run_time_ns and counts runs in run_cnt; both
 * show in /proc/PID/fdinfo of each bpf-prog fd. The sysctl costs a clock read per program run,
 * so it is on only while a measurement window is open and is put back as it was.
 */
import { readFileSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SysmonTsError } from "../engine/src/base";
import type { ProcOptions } from "./proc";

export interface BpfProgramRun {
  readonly id: number;
  readonly type: number;
  readonly runTimeNs: number;
  readonly runCount: number;
}

/** Parses the fdinfo of a bpf-prog fd; null for another kind of fd. */
export function parseProgramFdinfo(text: string): BpfProgramRun | null {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const id = Number(fields.get("prog_id"));
  if (!fields.has("prog_id") || !Number.isInteger(id)) return null;
  return {
    id,
    type: Number(fields.get("prog_type") ?? -1),
    runTimeNs: Number(fields.get("run_time_ns") ?? 0),
    runCount: Number(fields.get("run_cnt") ?? 0),
  };
}

/** Every program held open by one of `pids`, once each (a program shared by two fds counts once). */
export function readHeldPrograms(pids: readonly number[], options: ProcOptions = {}): Map<number, BpfProgramRun> {
  const procRoot = options.procRoot ?? "/proc";
  const programs = new Map<number, BpfProgramRun>();
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(path.join(procRoot, String(pid), "fd"));
    } catch {
      continue; // the process ended
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(path.join(procRoot, String(pid), "fd", fd)) !== "anon_inode:bpf-prog") continue;
        const program = parseProgramFdinfo(readFileSync(path.join(procRoot, String(pid), "fdinfo", fd), "utf8"));
        if (program) programs.set(program.id, program);
      } catch {
        // The fd was closed between the listing and the read.
      }
    }
  }
  return programs;
}

export interface BpfRunDelta {
  readonly runTimeNs: number;
  readonly runCount: number;
  readonly programs: number;
}

/** Run time and runs between two readings, over the programs present in both. */
export function bpfRunBetween(before: ReadonlyMap<number, BpfProgramRun>, after: ReadonlyMap<number, BpfProgramRun>): BpfRunDelta {
  let runTimeNs = 0;
  let runCount = 0;
  let programs = 0;
  for (const [id, end] of after) {
    const start = before.get(id);
    if (!start) continue;
    runTimeNs += end.runTimeNs - start.runTimeNs;
    runCount += end.runCount - start.runCount;
    programs++;
  }
  return { runTimeNs, runCount, programs };
}

const STATS_SYSCTL = "/proc/sys/kernel/bpf_stats_enabled";

/**
 * Turns kernel BPF run-time statistics on and gives back what restores the previous setting.
 * The runner also restores it on SIGINT/SIGTERM, so an interrupted benchmark leaves nothing on.
 *
 * @example
 * using stats = enableBpfStats();
 * // ... measure ...
 */
export function enableBpfStats(options: { sysctlPath?: string } = {}): Disposable & { readonly previous: string } {
  const file = options.sysctlPath ?? STATS_SYSCTL;
  let previous: string;
  try {
    previous = readFileSync(file, "utf8").trim();
    writeFileSync(file, "1\n");
  } catch (error) {
    throw new SysmonTsError("SYSMONTS_E_BENCH", `cannot enable BPF run-time statistics through ${file} (needs root): ${(error as Error).message}`, { cause: error });
  }
  let restored = false;
  return {
    previous,
    [Symbol.dispose]() {
      if (restored) return;
      restored = true;
      writeFileSync(file, `${previous}\n`);
    },
  };
}
