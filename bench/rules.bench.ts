/**
 * Rule-engine throughput: decide() over the 3,812 real Windows Sysmon events of
 * corpora/events-windows-otrf-open with real community configurations.
 *
 * Method: events are parsed once into SysmonEvent arrays (as the pipeline hands them over),
 * in 4 copies whose strings are distinct objects, so a cache hit compares text rather than
 * finding the very same string; passes cycle through the copies. Each configuration is loaded
 * once. A pass decides every event once; after two warm-up passes, enough passes to reach N
 * decisions are timed, 5 runs, median reported. Time is this thread's CPU time
 * (process.threadCpuUsage), so other processes on a shared machine do not inflate it; wall
 * time is printed beside it. Single thread, one process. Same-run baseline: a loop that only
 * reads each event's fields (what any consumer pays to touch an event), so ns/decision −
 * baseline is the rule engine's own cost.
 *
 * Two more lines per configuration, in wall time (one pass is a few milliseconds, below the
 * granularity of thread CPU time):
 * - "first pass": one pass over a freshly loaded configuration (empty value caches, JIT warm).
 * - "fresh strings": passes over new copies of the events, one per pass, made untimed, median
 *   of FRESH_PASSES. V8 keeps a string's hash once computed, so the timed passes above pay for
 *   hashing values (the per-field caches key on them) only in their first pass, while every
 *   real event brings new strings. New strings are also not in the CPU caches yet, which costs
 *   any consumer: the fresh-strings baseline reads every field's length of such copies, the
 *   "content" baseline every 8th character of every field (each cache line of the text).
 * - "engine-shaped": what the engine passes: events made new in chunks of ENGINE_CHUNK right
 *   before they are decided (the decoder has just written them, so they are in the CPU caches),
 *   except the image paths (Image, ParentImage, SourceImage, TargetImage), which the process
 *   cache hands over as the same string object event after event. Only the decide loop of each
 *   chunk is timed (wall); median of FRESH_PASSES passes; its baseline reads every field's
 *   length in the same chunks.
 *
 * Run: bench/components.ts runs it with the other component benchmarks; alone:
 *   npx esbuild bench/rules.bench.ts --bundle --platform=node --outfile=/tmp/rules.bench.cjs
 *   node_modules/.bin/node /tmp/rules.bench.cjs [--quick]
 * from the repository root. `--quick` times fewer decisions. The last stdout line is JSON
 * with the targets.
 */
import path from "node:path";
import { loadConfigFile } from "../engine/src/config";
import type { RuleSet } from "../engine/src/config";
import { decide } from "../engine/src/rules";
import { eventDef } from "../engine/src/schema";
import type { SysmonEvent } from "../engine/src/schema";
import { otrfEvents } from "../test/support/corpora";

const repoRoot = path.resolve(process.cwd());
const corpora = path.resolve(repoRoot, "../shared/corpora");
const quick = process.argv.includes("--quick");
const DECISIONS = quick ? 500_000 : 5_000_000;
const RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function threadCpuNs(): number {
  const usage = process.threadCpuUsage();
  return (usage.user + usage.system) * 1000;
}

const COPIES = 4;

/** The same events with every string a new object (as each real event brings its own). */
function freshCopy(events: readonly SysmonEvent[]): SysmonEvent[] {
  return events.map((e) => ({ id: e.id, values: e.values.map((v) => Buffer.from(v, "utf8").toString("utf8")) }));
}

/** Times `pass` (which handles every event once): ns per event of thread CPU and of wall time, medians of RUNS. */
function nsPerEvent(events: readonly SysmonEvent[], pass: () => number): { cpu: number; wall: number } {
  const passes = Math.max(1, Math.round(DECISIONS / events.length));
  pass();
  pass();
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const cpuStart = threadCpuNs();
    const start = process.hrtime.bigint();
    let guard = 0;
    for (let p = 0; p < passes; p++) guard += pass();
    const elapsed = Number(process.hrtime.bigint() - start);
    const cpuElapsed = threadCpuNs() - cpuStart;
    if (guard < 0) throw new Error("unreachable: keeps the loop observable");
    wall.push(elapsed / (passes * events.length));
    cpu.push(cpuElapsed / (passes * events.length));
  }
  return { cpu: median(cpu), wall: median(wall) };
}

const FRESH_PASSES = quick ? 5 : 15;

/** Median wall ns per decision over passes whose events are all new strings. */
function freshStringsNsPerEvent(decideAll: (batch: readonly SysmonEvent[]) => number): number {
  const perEvent: number[] = [];
  for (let p = 0; p < FRESH_PASSES; p++) {
    const batch = freshCopy(events);
    const start = process.hrtime.bigint();
    if (decideAll(batch) < 0) throw new Error("unreachable: keeps the loop observable");
    perEvent.push(Number(process.hrtime.bigint() - start) / batch.length);
  }
  return median(perEvent);
}

const ENGINE_CHUNK = 16;
/** Fields the engine takes from its process cache: the same string for every event of a process. */
const PROCESS_CACHE_FIELDS: ReadonlySet<string> = new Set(["Image", "ParentImage", "SourceImage", "TargetImage"]);

/** Median wall ns per decision over passes shaped like the engine's input (see the header). */
function engineShapedNsPerEvent(decideChunk: (chunk: readonly SysmonEvent[]) => number): number {
  const cachedFields = events.map((e) => {
    const fields = eventDef(e.id).fields;
    return e.values.map((_, i) => PROCESS_CACHE_FIELDS.has(fields[i]?.name ?? ""));
  });
  const processCache = freshCopy(events);
  const perEvent: number[] = [];
  for (let p = 0; p < FRESH_PASSES; p++) {
    let elapsed = 0;
    for (let start = 0; start < events.length; start += ENGINE_CHUNK) {
      const chunk: SysmonEvent[] = [];
      for (let e = start; e < Math.min(events.length, start + ENGINE_CHUNK); e++) {
        const event = events[e] as SysmonEvent;
        const keep = cachedFields[e] as boolean[];
        const kept = (processCache[e] as SysmonEvent).values;
        chunk.push({ id: event.id, values: event.values.map((v, i) => (keep[i] ? (kept[i] as string) : Buffer.from(v, "utf8").toString("utf8"))) });
      }
      const begin = process.hrtime.bigint();
      if (decideChunk(chunk) < 0) throw new Error("unreachable: keeps the loop observable");
      elapsed += Number(process.hrtime.bigint() - begin);
    }
    perEvent.push(elapsed / events.length);
  }
  return median(perEvent);
}

const events = otrfEvents({ corpora });
const copies = Array.from({ length: COPIES }, () => freshCopy(events));
let copyIndex = 0;
function nextCopy(): readonly SysmonEvent[] {
  copyIndex = (copyIndex + 1) % COPIES;
  return copies[copyIndex] as SysmonEvent[];
}
const configs: readonly [name: string, file: string][] = [
  ["sysmon-modular default", path.join(corpora, "configs-sysmon-modular/merged/sysmonconfig.xml")],
  ["SwiftOnSecurity", path.join(corpora, "configs-swiftonsecurity/sysmonconfig-export.xml")],
  ["sysmon-modular research (logs almost everything)", path.join(corpora, "configs-sysmon-modular/merged/sysmonconfig-research.xml")],
];

const baseline = nsPerEvent(events, () => {
  let total = 0;
  for (const event of nextCopy()) {
    const values = event.values;
    for (let i = 0; i < values.length; i++) total += (values[i] as string).length;
  }
  return total;
});

/** Sum of every field's length: what any consumer pays to touch each value. */
function readLengths(batch: readonly SysmonEvent[]): number {
  let total = 0;
  for (const event of batch) {
    const values = event.values;
    for (let i = 0; i < values.length; i++) total += (values[i] as string).length;
  }
  return total;
}

// What touching new strings costs any consumer (they are not in the CPU caches yet).
const freshBaselineNs = freshStringsNsPerEvent(readLengths);
// What reading their text costs: every 64-byte cache line of every value.
const freshContentBaselineNs = freshStringsNsPerEvent((batch) => {
  let total = 0;
  for (const event of batch) {
    const values = event.values;
    for (let i = 0; i < values.length; i++) {
      const value = values[i] as string;
      for (let c = 0; c < value.length; c += 8) total += value.charCodeAt(c);
    }
  }
  return total;
});
const engineBaselineNs = engineShapedNsPerEvent(readLengths);

console.log(`rules.bench: ${events.length} OTRF events, ${DECISIONS.toLocaleString("en")} decisions per run, median of ${RUNS}, node ${process.version}, single thread`);
const baselineNs = baseline.cpu;
console.log(
  `baseline (read every field of every event): ${baselineNs.toFixed(1)} ns/event CPU (${baseline.wall.toFixed(1)} wall); fresh strings ${freshBaselineNs.toFixed(1)} ns/event, ` +
    `reading their text ${freshContentBaselineNs.toFixed(1)} (wall); engine-shaped ${engineBaselineNs.toFixed(1)} (wall)`,
);
const targets: { name: string; value: number; unit: string; target: string; met: boolean }[] = [];
const results: Record<string, unknown>[] = [];
for (const [name, file] of configs) {
  const loadStart = process.hrtime.bigint();
  const config = loadConfigFile(file, { platform: "windows" });
  const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
  const rules: RuleSet = config.rules;
  let included = 0;
  for (const event of events) if (decide(rules, event).include) included++;
  const timing = nsPerEvent(events, () => {
    let kept = 0;
    for (const event of nextCopy()) if (decide(rules, event).include) kept++;
    return kept;
  });
  const fresh = loadConfigFile(file, { platform: "windows" }).rules;
  // One pass is a few milliseconds, below the granularity of thread CPU time: wall time here.
  const coldStart = process.hrtime.bigint();
  let coldKept = 0;
  for (const event of nextCopy()) if (decide(fresh, event).include) coldKept++;
  const coldNs = Number(process.hrtime.bigint() - coldStart) / events.length;
  if (coldKept !== included) throw new Error("a fresh load decided differently");
  const freshNs = freshStringsNsPerEvent((batch) => {
    let kept = 0;
    for (const event of batch) if (decide(rules, event).include) kept++;
    return kept;
  });
  const engineNs = engineShapedNsPerEvent((chunk) => {
    let kept = 0;
    for (const event of chunk) if (decide(rules, event).include) kept++;
    return kept;
  });
  const ns = timing.cpu;
  const perSecond = 1e9 / ns;
  console.log(
    `${name}: ${ns.toFixed(1)} ns/decision CPU (${timing.wall.toFixed(1)} wall; ${(ns - baselineNs).toFixed(1)} above baseline), ${Math.round(perSecond).toLocaleString("en")} decisions/s; ` +
      `fresh strings ${freshNs.toFixed(0)} ns/decision (wall; ${(freshNs - freshBaselineNs).toFixed(0)} above its baseline); engine-shaped ${engineNs.toFixed(0)} (${(engineNs - engineBaselineNs).toFixed(0)} above); first pass ${coldNs.toFixed(0)} ns/decision; ${config.rules.entries.length} rule elements, loaded in ${loadMs.toFixed(1)} ms; ${included}/${events.length} events included`,
  );
  results.push({ config: name, nsPerDecision: ns, wallNsPerDecision: timing.wall, firstPassNsPerDecision: coldNs, freshStringsNsPerDecision: freshNs, engineShapedNsPerDecision: engineNs, decisionsPerSecond: perSecond, loadMs, included });
  targets.push({ name: `${name} ns/decision`, value: Number(ns.toFixed(1)), unit: "ns", target: "< 1000", met: ns < 1000 });
  targets.push({ name: `${name} decisions/s`, value: Math.round(perSecond), unit: "1/s", target: ">= 1000000", met: perSecond >= 1_000_000 });
}
console.log(JSON.stringify({ bench: "rules", events: events.length, baselineNsPerEvent: baselineNs, freshStringsBaselineNsPerEvent: freshBaselineNs, freshStringsContentBaselineNsPerEvent: freshContentBaselineNs, engineShapedBaselineNsPerEvent: engineBaselineNs, results, targets }));
