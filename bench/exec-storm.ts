/**
 * Section 1, the exec storm: the public method of Sysmon for Linux's performance test. The load
 * generator runs /bin/true at fixed rates and at the machine's maximum while nothing, the
 * bpftrace baseline or the engine is attached, in alternating order (ABC, CBA, ...) because
 * this VM is noisy. For each window: the subject's user+kernel time (/proc/PID/stat of its
 * process tree), the run time of the eBPF programs it holds (kernel BPF statistics), the
 * machine's busy time, and for the engine the per-event proof that every exec was stored.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { bpfRunBetween, enableBpfStats, readHeldPrograms } from "./bpf-stats";
import { type LoadgenRun, runLoadgen } from "./loadgen";
import { cpuBetween, readMachineCpu, readProcessTreeCpu } from "./proc";
import { type Spread, spreadOf } from "./stats";
import {
  type BpftraceSubject,
  type EngineLossCounters,
  type EngineSubject,
  type EventTally,
  type Subject,
  type SubjectKind,
  noSubject,
  startBpftrace,
  startEngine,
} from "./subjects";

export interface StormOptions {
  /** Exec rates per second; 0 is the machine's maximum. */
  readonly rates: readonly number[];
  readonly windowSeconds: number;
  /** Rounds per subject (each round runs every rate once). */
  readonly rounds: number;
  readonly subjects: readonly SubjectKind[];
  readonly loadgen: string;
  readonly engine: { readonly bundle: string; readonly config: string };
  readonly workDir: string;
  /** After the load stops, the window stays open this long so the subject's tail work is counted. */
  readonly settleMs?: number;
  readonly progress?: (line: string) => void;
}

export interface StormWindow {
  readonly subject: SubjectKind;
  readonly round: number;
  readonly requestedRate: number;
  readonly load: LoadgenRun;
  readonly achievedRate: number;
  readonly wallSeconds: number;
  readonly userMs: number;
  readonly systemMs: number;
  readonly bpfRunTimeNs: number;
  readonly bpfRunCount: number;
  readonly bpfPrograms: number;
  /** Process CPU plus BPF run time, in % of one core over the window. */
  readonly cpuPercent: number;
  /** Process CPU plus BPF run time per exec, µs. */
  readonly cpuPerExecUs: number;
  readonly processPerExecUs: number;
  readonly bpfPerExecUs: number;
  /** The whole machine's busy time over the window, % of one core (2 vCPUs: up to 200 %). */
  readonly machineBusyPercent: number;
  /** Engine only: the tag's events found in the store. */
  readonly events: EventTally | null;
  /** Engine only: loss counters that moved during the window. */
  readonly losses: EngineLossCounters | null;
}

export interface StormSummaryRow {
  readonly requestedRate: number;
  readonly subject: SubjectKind;
  readonly achievedRate: Spread | null;
  readonly cpuPercent: Spread | null;
  readonly cpuPerExecUs: Spread | null;
  readonly processPerExecUs: Spread | null;
  readonly bpfPerExecUs: Spread | null;
  readonly machineBusyPercent: Spread | null;
  readonly expected: number;
  readonly missing: number | null;
  readonly lost: number | null;
}

export interface StormResult {
  readonly windows: readonly StormWindow[];
  readonly summary: readonly StormSummaryRow[];
  /** bpftrace's printed /bin/true lines against the execs it was attached for, per session. */
  readonly bpftracePrinted: readonly { readonly round: number; readonly printed: number; readonly ran: number }[];
}

interface WindowReading {
  readonly tree: ReturnType<typeof readProcessTreeCpu>;
  readonly programs: ReturnType<typeof readHeldPrograms>;
  readonly machine: ReturnType<typeof readMachineCpu>;
  readonly atMs: number;
}

function readWindow(pid: number | null): WindowReading {
  const tree = pid === null ? [] : readProcessTreeCpu(pid);
  return { tree, programs: readHeldPrograms(tree.map((p) => p.pid)), machine: readMachineCpu(), atMs: performance.now() };
}

function lossDelta(before: EngineLossCounters, after: EngineLossCounters): EngineLossCounters {
  return {
    ringBufferLost: after.ringBufferLost - before.ringBufferLost,
    storeDropped: after.storeDropped - before.storeDropped,
    processCreateDropped: after.processCreateDropped - before.processCreateDropped,
    processCreateSeen: after.processCreateSeen - before.processCreateSeen,
  };
}

async function measureWindow(subject: Subject, rate: number, options: StormOptions & { round: number; tag: string }): Promise<StormWindow> {
  const lossesBefore = subject.kind === "engine" ? await (subject as EngineSubject).losses() : null;
  let load: LoadgenRun;
  let before: WindowReading;
  let after: WindowReading;
  {
    using _stats = enableBpfStats();
    before = readWindow(subject.pid);
    load = await runLoadgen(options.loadgen, { rate, seconds: options.windowSeconds, tag: options.tag });
    await sleep(options.settleMs ?? 500);
    after = readWindow(subject.pid);
  }
  const cpu = cpuBetween(before.tree, after.tree);
  const bpf = bpfRunBetween(before.programs, after.programs);
  const wallSeconds = (after.atMs - before.atMs) / 1000;
  const processMs = cpu.userMs + cpu.systemMs;
  const totalMs = processMs + bpf.runTimeNs / 1e6;
  const perExec = (ms: number) => (load.ran > 0 ? (ms * 1000) / load.ran : NaN);
  const machineBusyMs = after.machine.busyMs - before.machine.busyMs;
  let events: EventTally | null = null;
  let losses: EngineLossCounters | null = null;
  if (subject.kind === "engine") {
    const engine = subject as EngineSubject;
    events = await engine.tally(options.tag, load.ran);
    losses = lossDelta(lossesBefore!, await engine.losses());
  }
  return {
    subject: subject.kind,
    round: options.round,
    requestedRate: rate,
    load,
    achievedRate: load.ran / load.seconds,
    wallSeconds,
    userMs: cpu.userMs,
    systemMs: cpu.systemMs,
    bpfRunTimeNs: bpf.runTimeNs,
    bpfRunCount: bpf.runCount,
    bpfPrograms: bpf.programs,
    cpuPercent: (totalMs / 10 / wallSeconds),
    cpuPerExecUs: perExec(totalMs),
    processPerExecUs: perExec(processMs),
    bpfPerExecUs: perExec(bpf.runTimeNs / 1e6),
    machineBusyPercent: machineBusyMs / 10 / wallSeconds,
    events,
    losses,
  };
}

async function startSubject(kind: SubjectKind, options: StormOptions, round: number): Promise<Subject> {
  const workDir = path.join(options.workDir, `${kind}-${round}`);
  mkdirSync(workDir, { recursive: true });
  switch (kind) {
    case "none":
      return noSubject();
    case "bpftrace":
      return startBpftrace(workDir);
    case "engine":
      return startEngine({ ...options.engine, workDir });
  }
}

function describe(window: StormWindow): string {
  const rate = window.requestedRate === 0 ? "max" : String(window.requestedRate);
  const events = window.events ? `, stored ${window.events.found}/${window.events.expected}` : "";
  return `  ${window.subject.padEnd(8)} round ${window.round} ${rate.padStart(4)}/s: ran ${window.load.ran} (${window.achievedRate.toFixed(0)}/s), ` +
    `${window.cpuPercent.toFixed(2)} % of a core, ${window.cpuPerExecUs.toFixed(1)} µs/exec (bpf ${window.bpfPerExecUs.toFixed(1)})${events}`;
}

export function summarizeStorm(windows: readonly StormWindow[], rates: readonly number[], subjects: readonly SubjectKind[]): StormSummaryRow[] {
  const rows: StormSummaryRow[] = [];
  for (const rate of rates) {
    for (const subject of subjects) {
      const mine = windows.filter((w) => w.requestedRate === rate && w.subject === subject);
      if (mine.length === 0) continue;
      const pick = (f: (w: StormWindow) => number) => spreadOf(mine.map(f));
      const tallied = mine.filter((w) => w.events !== null);
      rows.push({
        requestedRate: rate,
        subject,
        achievedRate: pick((w) => w.achievedRate),
        cpuPercent: subject === "none" ? null : pick((w) => w.cpuPercent),
        cpuPerExecUs: subject === "none" ? null : pick((w) => w.cpuPerExecUs),
        processPerExecUs: subject === "none" ? null : pick((w) => w.processPerExecUs),
        bpfPerExecUs: subject === "none" ? null : pick((w) => w.bpfPerExecUs),
        machineBusyPercent: pick((w) => w.machineBusyPercent),
        expected: mine.reduce((sum, w) => sum + w.load.ran, 0),
        missing: tallied.length === 0 ? null : tallied.reduce((sum, w) => sum + w.events!.missing, 0),
        lost: tallied.length === 0 ? null : tallied.reduce((sum, w) => sum + w.losses!.ringBufferLost + w.losses!.storeDropped + w.losses!.processCreateDropped, 0),
      });
    }
  }
  return rows;
}

/** Runs every round: subjects in alternating order, each subject once per round across all rates. */
export async function runExecStorm(options: StormOptions): Promise<StormResult> {
  const windows: StormWindow[] = [];
  const bpftracePrinted: { round: number; printed: number; ran: number }[] = [];
  const runId = Date.now().toString(36);
  for (let round = 1; round <= options.rounds; round++) {
    const order = round % 2 === 1 ? options.subjects : [...options.subjects].reverse();
    for (const kind of order) {
      const subject = await startSubject(kind, options, round);
      let ran = 0;
      try {
        // Start-up work (seeding the process cache from /proc, JIT compilation, the first hash of
        // /bin/true) is not what a running monitor costs per exec: warm every subject up alike.
        await runLoadgen(options.loadgen, { rate: 400, seconds: 2, tag: `warm${runId}r${round}` });
        await sleep(1000);
        for (const rate of options.rates) {
          const tag = `stb${runId}r${round}${kind[0]}${rate}`;
          const window = await measureWindow(subject, rate, { ...options, round, tag });
          ran += window.load.ran;
          windows.push(window);
          options.progress?.(describe(window));
        }
      } finally {
        await subject.close();
      }
      if (kind === "bpftrace") bpftracePrinted.push({ round, printed: (subject as BpftraceSubject).printedExecs(), ran });
    }
  }
  return { windows, summary: summarizeStorm(windows, options.rates, options.subjects), bpftracePrinted };
}
