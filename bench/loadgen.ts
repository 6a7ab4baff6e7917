/** Builds and runs bench/loadgen.c, the fork+exec load generator of the exec storm. */
import { execFile, execFileSync } from "node:child_process";
import path from "node:path";
import { SysmonTsError } from "../engine/src/base";

export interface LoadgenRun {
  /** /bin/true processes started. */
  readonly ran: number;
  /** Children that did not exit 0. */
  readonly failed: number;
  readonly spawnErrors: number;
  /** Wake-ups more than one period behind their deadline: the rate was not held. */
  readonly late: number;
  readonly maxLatenessUs: number;
  readonly seconds: number;
  /** 0 means as fast as possible. */
  readonly requestedRate: number;
}

/** Compiles `source` (bench/loadgen.c) into `outDir` with gcc -O2; returns the binary's path. */
export function compileLoadgen(source: string, outDir: string): string {
  const binary = path.join(outDir, "loadgen");
  try {
    execFileSync("gcc", ["-O2", "-Wall", "-Wextra", "-Werror", "-o", binary, source], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new SysmonTsError("SYSMONTS_E_BENCH", `cannot compile ${source} with gcc: ${stderr.trim() || (error as Error).message}`, { cause: error });
  }
  return binary;
}

/** Parses the load generator's one-line JSON report. */
export function parseLoadgenOutput(stdout: string): LoadgenRun {
  const line = stdout.trim().split("\n").pop() ?? "";
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new SysmonTsError("SYSMONTS_E_BENCH", `load generator printed '${line}', not its JSON report`);
  }
  const run = parsed as Partial<LoadgenRun>;
  for (const key of ["ran", "failed", "spawnErrors", "late", "maxLatenessUs", "seconds", "requestedRate"] as const) {
    if (typeof run[key] !== "number") throw new SysmonTsError("SYSMONTS_E_BENCH", `load generator report lacks '${key}': ${line}`);
  }
  return run as LoadgenRun;
}

/**
 * Runs `/bin/true TAG SEQ` at `rate` per second (0 = as fast as possible) for `seconds`.
 * This is the only per-window promise in the runner; nothing here is on the engine's path.
 */
export function runLoadgen(binary: string, options: { rate: number; seconds: number; tag: string; maxChildren?: number; signal?: AbortSignal }): Promise<LoadgenRun> {
  const args = [String(options.rate), String(options.seconds), options.tag, String(options.maxChildren ?? 4)];
  return new Promise((resolve, reject) => {
    execFile(binary, args, { timeout: (options.seconds + 30) * 1000, ...(options.signal ? { signal: options.signal } : {}) }, (error, stdout, stderr) => {
      if (error) {
        reject(new SysmonTsError("SYSMONTS_E_BENCH", `load generator failed: ${stderr.trim() || error.message}`, { cause: error }));
        return;
      }
      try {
        resolve(parseLoadgenOutput(stdout));
      } catch (parseError) {
        reject(parseError);
      }
    });
  });
}
