/** The benchmark's command line: `npm run bench -- [--quick] [--memory-minutes N] ...`. */
import { SysmonTsError } from "../engine/src/base";

export const SECTIONS = ["storm", "pipeline", "components", "memory", "startup"] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  readonly quick: boolean;
  readonly sections: readonly Section[];
  /** Exec rates of the storm; 0 is the machine's maximum. */
  readonly rates: readonly number[];
  readonly windowSeconds: number;
  readonly rounds: number;
  readonly memoryMinutes: number;
  readonly startupRuns: number;
  /** Where the JSON result goes (a timestamped file inside). */
  readonly outDir: string;
  readonly config: string | null;
}

export const USAGE = `usage: npm run bench -- [options]
  --quick                 about a minute in total, for development
  --only a,b              sections: ${SECTIONS.join(", ")} (default all)
  --rates 100,400,1600,max  exec-storm rates; max = as fast as the machine allows
  --window SECONDS        length of each exec-storm window (default 10, quick 3)
  --rounds N              rounds per subject, alternating order (default 2, quick 1)
  --memory-minutes N      load time of the memory run at the maximum rate (default 10, quick 0.25)
  --startup-runs N        engine starts timed to first event (default 3, quick 1)
  --config FILE           the engine's config (default the Sysmon for Linux perftest config)
  --out DIR               result directory (default bench-results)`;

function usageError(message: string): SysmonTsError {
  return new SysmonTsError("SYSMONTS_E_USAGE", `${message}\n${USAGE}`);
}

function positiveNumber(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || text.trim() === "" || !Number.isFinite(value) || value <= 0) throw usageError(`${flag} needs a positive number, not '${text ?? ""}'`);
  return value;
}

/** Parses the flags; quick mode changes only the defaults, so `--quick --window 5` works. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const given = new Map<string, string>();
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--quick") {
      quick = true;
      continue;
    }
    const match = /^--(only|rates|window|rounds|memory-minutes|startup-runs|config|out)(?:=(.*))?$/.exec(arg);
    if (!match) throw usageError(`unknown argument '${arg}' (position ${i + 1})`);
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw usageError(`${arg} needs a value`);
    given.set(match[1]!, value);
  }
  const sections = given.has("only") ? given.get("only")!.split(",").map((s) => s.trim()) : [...SECTIONS];
  for (const section of sections) if (!(SECTIONS as readonly string[]).includes(section)) throw usageError(`unknown section '${section}'`);
  const rates = (given.get("rates") ?? "100,400,1600,max").split(",").map((text) => (text.trim() === "max" ? 0 : positiveNumber("--rates", text)));
  const rounds = given.has("rounds") ? positiveNumber("--rounds", given.get("rounds")) : quick ? 1 : 2;
  if (!Number.isInteger(rounds)) throw usageError(`--rounds needs a whole number, not '${given.get("rounds")}'`);
  const startupRuns = given.has("startup-runs") ? positiveNumber("--startup-runs", given.get("startup-runs")) : quick ? 1 : 3;
  return {
    quick,
    sections: sections as Section[],
    rates,
    windowSeconds: Math.round(given.has("window") ? positiveNumber("--window", given.get("window")) : quick ? 3 : 10),
    rounds,
    memoryMinutes: given.has("memory-minutes") ? positiveNumber("--memory-minutes", given.get("memory-minutes")) : quick ? 0.25 : 10,
    startupRuns: Math.round(startupRuns),
    outDir: given.get("out") ?? "bench-results",
    config: given.get("config") ?? null,
  };
}
