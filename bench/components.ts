/**
 * Sections 3 and 4 (and the sensor's drain): the component benchmarks their owners keep beside
 * this runner — bench/rules.bench.*, bench/store.bench.*, bench/sensor.bench.*, bench/enrich.mjs.
 * Each runs in its own process with the pinned Node (TypeScript ones bundled with esbuild
 * first); its output is shown as printed. A last stdout line that is a JSON object is kept in
 * the result file as well, and its `targets` ([{name, value, unit, target, met}]) join the
 * verdict table.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { SysmonTsError } from "../engine/src/base";

export const COMPONENT_BENCHES = ["rules.bench", "store.bench", "sensor.bench", "enrich"] as const;

export interface ComponentTarget {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target: string;
  readonly met: boolean;
}

export interface ComponentRun {
  readonly name: string;
  readonly file: string | null;
  /** "missing" when nobody has written it yet; "failed" with the exit status otherwise. */
  readonly outcome: "ok" | "missing" | "failed";
  readonly exitCode: number | null;
  readonly output: string;
  readonly json: Record<string, unknown> | null;
  readonly targets: readonly ComponentTarget[];
}

function findBench(benchDir: string, name: string): string | null {
  for (const ext of [".ts", ".mjs", ".cjs", ".js"]) {
    const file = path.join(benchDir, name + ext);
    if (existsSync(file)) return file;
  }
  return null;
}

export function lastJsonLine(stdout: string): Record<string, unknown> | null {
  const line = stdout.trim().split("\n").pop()?.trim() ?? "";
  if (!line.startsWith("{")) return null;
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function targetsOf(json: Record<string, unknown> | null): ComponentTarget[] {
  const list = json?.["targets"];
  if (!Array.isArray(list)) return [];
  return list.filter(
    (t): t is ComponentTarget =>
      typeof t === "object" && t !== null && typeof t.name === "string" && typeof t.value === "number" && typeof t.met === "boolean",
  );
}

export interface ScriptRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly output: string;
}

/**
 * Runs one benchmark script in its own process with this Node; a TypeScript one is bundled
 * first. Separate processes keep a part that does not build yet from stopping the others.
 */
export async function runBenchScript(file: string, options: { repoRoot: string; bundleDir: string; args: readonly string[] }): Promise<ScriptRun> {
  let entry = file;
  if (file.endsWith(".ts")) {
    entry = path.join(options.bundleDir, `${path.basename(file, ".ts")}.cjs`);
    try {
      await build({ entryPoints: [file], bundle: true, platform: "node", format: "cjs", target: "node26", outfile: entry, external: ["koffi", "esbuild"], logLevel: "silent" });
    } catch (error) {
      const message = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors
        ?.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text))
        .join("; ");
      throw new SysmonTsError("SYSMONTS_E_BENCH", `${path.relative(options.repoRoot, file)} does not build: ${message ?? (error as Error).message}`, { cause: error });
    }
  }
  const result = spawnSync(process.execPath, [entry, ...options.args], {
    cwd: options.repoRoot,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: 30 * 60 * 1000,
  });
  const output = `${result.stdout ?? ""}${result.stderr ? `\n${result.stderr}` : ""}`.trim();
  return { exitCode: result.status, stdout: result.stdout ?? "", output };
}

export async function runComponent(name: string, options: { repoRoot: string; quick: boolean; bundleDir: string }): Promise<ComponentRun> {
  const file = findBench(path.join(options.repoRoot, "bench"), name);
  if (file === null) return { name, file: null, outcome: "missing", exitCode: null, output: "", json: null, targets: [] };
  const run = await runBenchScript(file, { ...options, args: options.quick ? ["--quick"] : [] });
  const json = lastJsonLine(run.stdout);
  return { name, file: path.relative(options.repoRoot, file), outcome: run.exitCode === 0 ? "ok" : "failed", exitCode: run.exitCode, output: run.output, json, targets: targetsOf(json) };
}

/** Used by the runner to tell component output from its own: the git revision measured. */
export function gitRevision(repoRoot: string): string {
  try {
    return execFileSync("git", ["-C", repoRoot, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}
