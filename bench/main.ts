/**
 * `npm run bench`: the exec storm against bpftrace and an idle machine, pipeline throughput, the
 * component benchmarks (rules, store, sensor, enrich), memory under load and start-up time.
 * Prints a table with the method and a verdict per target; writes everything measured to
 * bench-results/<timestamp>.json. Not part of the test suite: numbers are never asserted.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { isMainThread } from "node:worker_threads";
import { asSysmonTsError, SysmonTsError } from "../engine/src/base";
import { COMPONENT_BENCHES, gitRevision, lastJsonLine, runBenchScript, runComponent, type ComponentRun } from "./components";
import { runExecStorm, type StormResult } from "./exec-storm";
import { compileLoadgen } from "./loadgen";
import { runMemory, type MemoryResult } from "./memory";
import { parseBenchOptions, USAGE, type BenchOptions } from "./options";
import type { PipelineResult } from "./pipeline";
import {
  componentVerdicts,
  memoryLines,
  memoryVerdicts,
  pipelineLines,
  pipelineVerdict,
  startupLines,
  stormTable,
  stormVerdicts,
  verdictTable,
  type Verdict,
} from "./report";
import { runStartup, type StartupRun } from "./startup";

const METHOD = {
  storm:
    "Load: bench/loadgen.c posix_spawns `/bin/true TAG SEQ` at each rate (absolute deadlines) or as fast as possible (max, 4 children in flight). " +
    "Subjects alternate per round (none, bpftrace, engine; then reversed), each warmed up with 2 s at 400/s after it starts. CPU = utime+stime of the subject's process tree (/proc/PID/stat, all threads) " +
    "plus run_time_ns of the eBPF programs it holds (/proc/PID/fdinfo, kernel.bpf_stats_enabled=1 only during each window), over the window (load + 0.5 s). " +
    "machine % = busy time of all CPUs (/proc/stat), 100 % = one core. stored = distinct SEQs of the window's TAG found in the engine's store (per event, not counters); " +
    "drops = ring-buffer losses + store queue drops + ProcessCreate drops from the engine's status. Engine = `sysmonts run` (same Engine, sensor, store thread as the service, without its idle supervisor). " +
    "bpftrace = tracepoint:sched:sched_process_exec printf(pid, filename) to a file.",
  pipeline:
    "Synthetic ring-buffer records (the sensor's record layout: exec, 2 file creates, TCP connect, delete, exit per process) served by a replay Sensor to the real Engine " +
    "(decodeRecord → enrich → decide → stamp → store writer thread), 2000 records per drain; per core = records / CPU time of the process (all threads). Baseline: decodeRecord alone.",
  memory: "RSS (VmRSS) of the engine after 3 s idle, then every few seconds while loadgen runs at max; growth = least-squares slope over the second half of the load.",
  startup: "Spawn of `sysmonts run` to the control channel answering (ready) and to the first ProcessCreate counted, with loadgen at 200/s running throughout.",
};

interface BenchResult {
  readonly startedAt: string;
  readonly revision: string;
  readonly machine: { readonly cpus: number; readonly kernel: string; readonly node: string; readonly loadAverage: readonly number[] };
  readonly options: BenchOptions;
  readonly method: typeof METHOD;
  storm?: StormResult;
  pipeline?: PipelineResult;
  components?: ComponentRun[];
  memory?: MemoryResult;
  startup?: StartupRun[];
  errors: { section: string; code: string; message: string }[];
  verdicts: Verdict[];
}

function say(line = ""): void {
  process.stdout.write(`${line}\n`);
}

function ensureEngineBuilt(repoRoot: string): { bundle: string } {
  const steps: [string, string, string[]][] = [["scripts/build.mjs", process.execPath, [path.join(repoRoot, "scripts/build.mjs")]]];
  if (!existsSync(path.join(repoRoot, "driver/linux/build/sysmonts.bpf.o"))) steps.push(["make -C driver/linux", "make", ["-C", path.join(repoRoot, "driver/linux")]]);
  for (const [what, command, args] of steps) {
    try {
      execFileSync(command, args, { cwd: repoRoot, stdio: ["ignore", "inherit", "inherit"] });
    } catch (error) {
      throw new SysmonTsError("SYSMONTS_E_BENCH", `the engine does not build (${what} failed; its errors are above), so the engine is not measured`, { cause: error });
    }
  }
  return { bundle: path.join(repoRoot, "dist/sysmonts.cjs") };
}

async function section<T>(name: string, result: BenchResult, run: () => Promise<T>): Promise<T | null> {
  say(`\n== ${name} ==`);
  try {
    return await run();
  } catch (error) {
    const wrapped = asSysmonTsError(error);
    result.errors.push({ section: name, code: wrapped.code, message: wrapped.message });
    say(`  not measured: ${wrapped.code}: ${wrapped.message}`);
    return null;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help")) {
    say(USAGE);
    return 0;
  }
  const options = parseBenchOptions(argv);
  const repoRoot = process.env["SYSMONTS_BENCH_REPO"] ?? process.cwd();
  const shared = path.resolve(repoRoot, "../shared");
  const config = options.config ?? path.join(shared, "corpora/configs-linux-sysmonforlinux-rulestest/other/perftest_onlyProcCreate.xml");
  const workDir = mkdtempSync(path.join(os.tmpdir(), "sysmonts-bench-"));
  // Bundled scripts live under node_modules so that koffi, kept external, resolves from them.
  const bundleDir = path.join(repoRoot, "node_modules/.cache/sysmonts-bench");
  mkdirSync(bundleDir, { recursive: true });
  const started = new Date();
  const result: BenchResult = {
    startedAt: started.toISOString(),
    revision: gitRevision(repoRoot),
    machine: { cpus: os.availableParallelism(), kernel: os.release(), node: process.version, loadAverage: os.loadavg() },
    options,
    method: METHOD,
    errors: [],
    verdicts: [],
  };
  say(`SysmonTs benchmarks, revision ${result.revision}, ${result.machine.cpus} CPUs, kernel ${result.machine.kernel}, Node ${result.machine.node}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  try {
    const wants = (name: BenchOptions["sections"][number]) => options.sections.includes(name);
    const needsEngine = wants("storm") || wants("memory") || wants("startup");
    const loadgen = needsEngine ? compileLoadgen(path.join(repoRoot, "bench/loadgen.c"), workDir) : "";
    const engineBuild = needsEngine ? await section("build", result, async () => ensureEngineBuilt(repoRoot)) : null;
    const engine = engineBuild ? { bundle: engineBuild.bundle, config } : null;
    if (needsEngine && process.getuid?.() !== 0) throw new SysmonTsError("SYSMONTS_E_PRIVILEGE", "the exec storm, memory and start-up sections load eBPF programs: run as root");

    if (wants("storm")) {
      const storm = await section("1. exec storm", result, async () => {
        say(`  ${options.rounds} round(s) of ${options.windowSeconds} s windows at ${options.rates.map((r) => (r === 0 ? "max" : r)).join(", ")} exec/s; config ${path.basename(config)}`);
        return runExecStorm({
          rates: options.rates,
          windowSeconds: options.windowSeconds,
          rounds: options.rounds,
          subjects: engine ? ["none", "bpftrace", "engine"] : ["none", "bpftrace"],
          loadgen,
          engine: engine ?? { bundle: "", config },
          workDir,
          progress: say,
        });
      });
      if (storm) {
        result.storm = storm;
        say(`\n${stormTable(storm)}`);
        for (const printed of storm.bpftracePrinted) say(`  bpftrace round ${printed.round} printed ${printed.printed} /bin/true lines for ${printed.ran} execs`);
        if (!engine) say("  engine not measured: it did not build (see above)");
      }
      result.verdicts.push(...(storm ? stormVerdicts(storm) : stormVerdicts({ windows: [], summary: [], bpftracePrinted: [] })));
    }
    if (wants("pipeline")) {
      const pipeline = await section("2. pipeline throughput", result, async () => {
        const modular = path.join(shared, "corpora/configs-sysmon-modular/merged/sysmonconfig.xml");
        const run = await runBenchScript(path.join(repoRoot, "bench/pipeline-main.ts"), { repoRoot, bundleDir, args: [modular, String(options.quick ? 60_000 : 300_000)] });
        const json = lastJsonLine(run.stdout);
        if (run.exitCode !== 0 || json === null) throw new SysmonTsError("SYSMONTS_E_BENCH", `the pipeline run failed (exit ${run.exitCode}): ${run.output.slice(-2000)}`);
        return json as unknown as PipelineResult;
      });
      if (pipeline) {
        result.pipeline = pipeline;
        say(pipelineLines(pipeline));
      }
      result.verdicts.push(pipelineVerdict(pipeline));
    }
    if (wants("components")) {
      const runs: ComponentRun[] = [];
      for (const name of COMPONENT_BENCHES) {
        const run = await section(`3/4. ${name}`, result, () => runComponent(name, { repoRoot, quick: options.quick, bundleDir }));
        if (!run) continue;
        runs.push(run);
        say(run.outcome === "missing" ? `  bench/${name}.* does not exist yet` : run.output.replace(/^/gm, "  "));
      }
      result.components = runs;
      result.verdicts.push(...componentVerdicts(runs));
    }
    if (wants("memory") && engine) {
      const memory = await section(`5. memory (${options.memoryMinutes} min at max rate)`, result, () =>
        runMemory({ engine: { ...engine, workDir: path.join(workDir, "memory") }, loadgen, minutes: options.memoryMinutes }),
      );
      if (memory) {
        result.memory = memory;
        say(`  ${memoryLines(memory)}`);
      }
      result.verdicts.push(...memoryVerdicts(memory));
    }
    if (wants("startup") && engine) {
      const startup = await section("6. start-up to first event", result, () => runStartup({ engine: { ...engine, workDir }, loadgen, runs: options.startupRuns }));
      if (startup) {
        result.startup = startup;
        say(`  ${startupLines(startup)}`);
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }

  say("\n== method ==");
  for (const [name, text] of Object.entries(METHOD)) say(`  ${name}: ${text}`);
  say("\n== targets ==");
  say(verdictTable(result.verdicts));
  mkdirSync(path.resolve(repoRoot, options.outDir), { recursive: true });
  const outFile = path.resolve(repoRoot, options.outDir, `${started.toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(outFile, JSON.stringify(result, null, 2) + "\n");
  say(`\nresults: ${outFile}`);
  return result.errors.length === 0 ? 0 : 1;
}

/** Ctrl+C in the middle of a window must not leave kernel BPF statistics switched on. */
function restoreBpfStatsOnSignal(): void {
  const sysctl = "/proc/sys/kernel/bpf_stats_enabled";
  let initial: string;
  try {
    initial = readFileSync(sysctl, "utf8").trim();
  } catch {
    return;
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      try {
        writeFileSync(sysctl, `${initial}\n`);
      } finally {
        process.exit(130);
      }
    });
  }
}

// The store's writer thread loads this same bundle; only the main thread runs the benchmark.
if (isMainThread) {
  restoreBpfStatsOnSignal();
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      const wrapped = asSysmonTsError(error);
      process.stderr.write(`bench: ${wrapped.code}: ${wrapped.message}\n`);
      process.exitCode = 1;
    },
  );
}
