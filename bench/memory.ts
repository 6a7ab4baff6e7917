/**
 * Section 5, memory: the engine's RSS at idle, then sampled every few seconds while the load
 * generator runs at the machine's maximum exec rate. Growth is the least-squares slope of RSS
 * over the second half of the run (the first half holds the warm-up: caches filling, the JIT),
 * so a steady engine shows a slope near zero whatever its level.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { runLoadgen, type LoadgenRun } from "./loadgen";
import { readRssBytes } from "./proc";
import { slopeOf } from "./stats";
import { startEngine, type EngineStartOptions, type EventTally } from "./subjects";

export interface MemoryOptions {
  readonly engine: EngineStartOptions;
  readonly loadgen: string;
  readonly minutes: number;
  readonly sampleSeconds?: number;
}

export interface MemoryResult {
  readonly idleRssMb: number;
  readonly finalRssMb: number;
  readonly peakRssMb: number;
  /** MB per minute over the second half of the load. */
  readonly growthMbPerMinute: number | null;
  /** Growth over the second half, extrapolated to the whole run, in MB. */
  readonly growthOverRunMb: number | null;
  readonly samples: readonly { readonly seconds: number; readonly rssMb: number }[];
  readonly load: LoadgenRun;
  readonly events: EventTally;
}

const MB = 1024 * 1024;

export function growthOf(samples: readonly { seconds: number; rssMb: number }[]): number | null {
  const last = samples[samples.length - 1];
  if (!last) return null;
  const secondHalf = samples.filter((s) => s.seconds >= last.seconds / 2);
  const perSecond = slopeOf(secondHalf.map((s) => [s.seconds, s.rssMb] as const));
  return perSecond === null ? null : perSecond * 60;
}

export async function runMemory(options: MemoryOptions): Promise<MemoryResult> {
  await using engine = await startEngine(options.engine);
  await sleep(3000);
  const rss = () => (readRssBytes(engine.pid) ?? NaN) / MB;
  const idleRssMb = rss();
  const seconds = Math.max(1, Math.round(options.minutes * 60));
  const tag = `mem${Date.now().toString(36)}`;
  const samples: { seconds: number; rssMb: number }[] = [];
  const started = performance.now();
  const load = runLoadgen(options.loadgen, { rate: 0, seconds, tag });
  let finished = false;
  void load.finally(() => (finished = true)).catch(() => undefined);
  const every = (options.sampleSeconds ?? Math.min(5, Math.max(1, seconds / 20))) * 1000;
  while (!finished) {
    samples.push({ seconds: (performance.now() - started) / 1000, rssMb: rss() });
    await Promise.race([sleep(every), load.catch(() => undefined)]);
  }
  const ran = await load;
  const events = await engine.tally(tag, ran.ran);
  const finalRssMb = rss();
  samples.push({ seconds: (performance.now() - started) / 1000, rssMb: finalRssMb });
  const growthMbPerMinute = growthOf(samples);
  return {
    idleRssMb,
    finalRssMb,
    peakRssMb: Math.max(...samples.map((s) => s.rssMb)),
    growthMbPerMinute,
    growthOverRunMb: growthMbPerMinute === null ? null : growthMbPerMinute * (seconds / 60),
    samples,
    load: ran,
    events,
  };
}
