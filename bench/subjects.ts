/**
 * What runs during an exec-storm window: nothing, the bpftrace baseline, or the SysmonTs engine.
 * Each subject is a real process started here and stopped in close(); the runner measures it
 * by pid from outside.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { SysmonTsError } from "../engine/src/base";
import { callControl } from "../engine/src/control";
import { eventDef } from "../engine/src/schema";
import { openStore, type EventStore } from "../engine/src/store";
import { readHeldPrograms } from "./bpf-stats";

const COMMAND_LINE_INDEX = eventDef(1).fieldIndex.get("CommandLine") ?? -1;

export type SubjectKind = "none" | "bpftrace" | "engine";

/** What the subject reported for one window's tagged execs. */
export interface EventTally {
  /** Execs the load generator ran. */
  readonly expected: number;
  /** Distinct sequence numbers found (the engine: in its store). */
  readonly found: number;
  readonly missing: number;
  readonly duplicates: number;
}

/** Engine counters that move when something is lost. */
export interface EngineLossCounters {
  readonly ringBufferLost: number;
  readonly storeDropped: number;
  readonly processCreateDropped: number;
  readonly processCreateSeen: number;
}

export interface Subject extends AsyncDisposable {
  readonly kind: SubjectKind;
  /** The process to measure (with its descendants); null for "none". */
  readonly pid: number | null;
  close(): Promise<void>;
}

export interface EngineSubject extends Subject {
  readonly kind: "engine";
  readonly pid: number;
  readonly storePath: string;
  /** Waits until the engine has stored everything it has seen, then counts the tag's events. */
  tally(tag: string, expected: number): Promise<EventTally>;
  losses(): Promise<EngineLossCounters>;
}

export interface BpftraceSubject extends Subject {
  readonly kind: "bpftrace";
  readonly pid: number;
  /** Lines printed for /bin/true so far (complete once closed: bpftrace buffers its output). */
  printedExecs(): number;
}

function exitedEarly(child: ChildProcess, what: string, logFile: string): Promise<never> {
  return new Promise((_, reject) => {
    child.once("exit", (code, signal) => {
      const log = existsSync(logFile) ? readFileSync(logFile, "utf8").trim().split("\n").slice(-15).join("\n") : "";
      reject(new SysmonTsError("SYSMONTS_E_BENCH", `${what} exited (${signal ?? `code ${code}`}) before it was ready${log ? `:\n${log}` : ""}`));
    });
  });
}

async function waitUntil(ready: () => Promise<boolean> | boolean, options: { timeoutMs: number; what: string }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (await ready()) return;
    await sleep(50);
  }
  throw new SysmonTsError("SYSMONTS_E_BENCH", `${options.what} was not ready within ${options.timeoutMs / 1000} s`);
}

async function stopChild(child: ChildProcess, options: { graceMs: number }): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGKILL"), options.graceMs);
  await exited;
  clearTimeout(timer);
}

export function noSubject(): Subject {
  return { kind: "none", pid: null, close: async () => undefined, [Symbol.asyncDispose]: async () => undefined };
}

/**
 * The baseline of the issue: a bpftrace one-liner printing every exec from sched_process_exec
 * (not sys_enter_execve, whose argv reads fail after fork: notes/linux-ebpf.md §8.1), its
 * output going to a file as a log would.
 */
export async function startBpftrace(workDir: string): Promise<BpftraceSubject> {
  const outFile = path.join(workDir, "bpftrace.out");
  const logFile = path.join(workDir, "bpftrace.err");
  const out = openSync(outFile, "w");
  const err = openSync(logFile, "w");
  const program = 'tracepoint:sched:sched_process_exec { printf("%d %s\\n", pid, str(args->filename)); }';
  const child = spawn("bpftrace", ["-e", program], { stdio: ["ignore", out, err] });
  closeSync(out);
  closeSync(err);
  const pid = child.pid;
  if (pid === undefined) throw new SysmonTsError("SYSMONTS_E_BENCH", "cannot start bpftrace (is it installed? scripts/setup.sh installs it)");
  const failed = exitedEarly(child, "bpftrace", logFile);
  failed.catch(() => undefined);
  // Ready once it holds its attached program.
  await Promise.race([waitUntil(() => readHeldPrograms([pid]).size > 0, { timeoutMs: 60_000, what: "bpftrace" }), failed]);
  const close = () => stopChild(child, { graceMs: 5000 });
  return {
    kind: "bpftrace",
    pid,
    printedExecs: () => countLinesEndingWith(outFile, " /bin/true"),
    close,
    [Symbol.asyncDispose]: close,
  };
}

function countLinesEndingWith(file: string, suffix: string): number {
  let count = 0;
  for (const line of readFileSync(file, "utf8").split("\n")) if (line.endsWith(suffix)) count++;
  return count;
}

interface StatusView {
  readonly sensor: { readonly state: string; readonly lostRingBuffer: number };
  readonly events: Record<string, { seen: number; kept: number; excluded: number; dropped: number } | undefined>;
  readonly store: { readonly queued?: number; readonly dropped?: number } | null;
}

export interface EngineStartOptions {
  /** dist/sysmonts.cjs. */
  readonly bundle: string;
  readonly config: string;
  /** Directory for the store, control socket and log. */
  readonly workDir: string;
  /** Node to run it with; default the one running the benchmark (the pinned Node 26). */
  readonly node?: string;
}

/**
 * Starts the engine as `sysmonts run` does in the foreground: the same Engine, sensor, store
 * writer thread and control channel as the installed service, without the idle supervisor and
 * in a private directory, so it never disturbs an installed copy.
 */
export async function startEngine(options: EngineStartOptions): Promise<EngineSubject> {
  const storePath = path.join(options.workDir, "events.db");
  const endpoint = path.join(options.workDir, "control.sock");
  const logFile = path.join(options.workDir, "engine.log");
  mkdirSync(options.workDir, { recursive: true });
  const log = openSync(logFile, "a");
  const args = [options.bundle, "run", "--config", options.config, "--quiet", "--store", storePath, "--control", endpoint];
  const child = spawn(options.node ?? process.execPath, args, { stdio: ["ignore", "ignore", log] });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new SysmonTsError("SYSMONTS_E_BENCH", `cannot start ${options.bundle}`);
  const status = () => callControl<StatusView>("status", {}, { endpoint });
  const failed = exitedEarly(child, "the engine", logFile);
  failed.catch(() => undefined);
  try {
    await Promise.race([
      waitUntil(async () => (await status().catch(() => null))?.sensor.state === "running", { timeoutMs: 60_000, what: "the engine" }),
      failed,
    ]);
  } catch (error) {
    await stopChild(child, { graceMs: 5000 });
    throw error;
  }
  let reader: EventStore | undefined;
  const close = async () => {
    await reader?.close();
    reader = undefined;
    await stopChild(child, { graceMs: 15_000 });
  };

  async function caughtUp(): Promise<void> {
    // Settled when ProcessCreate's seen count stops moving and the store's queue is empty.
    let last = -1;
    let stableSince = Date.now();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const now = await status();
      const seen = now.events["1"]?.seen ?? 0;
      if (seen !== last) {
        last = seen;
        stableSince = Date.now();
      } else if ((now.store?.queued ?? 0) === 0 && Date.now() - stableSince >= 300) {
        return;
      }
      await sleep(100);
    }
  }

  async function countTagged(tag: string, expected: number): Promise<EventTally> {
    reader ??= openStore(storePath, { readOnly: true });
    const seen = new Uint8Array(expected);
    let found = 0;
    let total = 0;
    let cursor: string | undefined;
    do {
      const page = await reader.query({ ids: [1], where: [{ field: "CommandLine", op: "contains", value: `/bin/true ${tag} ` }], order: "oldest", max: 10_000, ...(cursor ? { cursor } : {}) });
      for (const stamped of page.events) {
        const commandLine = stamped.event.values[COMMAND_LINE_INDEX] ?? "";
        const seq = Number(commandLine.slice(commandLine.lastIndexOf(" ") + 1));
        total++;
        if (Number.isInteger(seq) && seq >= 0 && seq < expected && seen[seq] === 0) {
          seen[seq] = 1;
          found++;
        }
      }
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined);
    return { expected, found, missing: expected - found, duplicates: total - found };
  }

  return {
    kind: "engine",
    pid,
    storePath,
    async tally(tag, expected) {
      await caughtUp();
      let tally = await countTagged(tag, expected);
      // A last commit may land just after the queue reads empty: look once more before calling it lost.
      if (tally.missing > 0) {
        await sleep(2000);
        tally = await countTagged(tag, expected);
      }
      return tally;
    },
    async losses() {
      const now = await status();
      return {
        ringBufferLost: now.sensor.lostRingBuffer,
        storeDropped: now.store?.dropped ?? 0,
        processCreateDropped: now.events["1"]?.dropped ?? 0,
        processCreateSeen: now.events["1"]?.seen ?? 0,
      };
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
