/** The printed table and the verdict against each target of the issue. */
import type { ComponentRun } from "./components";
import type { StormResult, StormSummaryRow } from "./exec-storm";
import type { MemoryResult } from "./memory";
import type { PipelineResult } from "./pipeline";
import type { StartupRun } from "./startup";
import type { Spread } from "./stats";
import { spreadOf } from "./stats";

export interface Verdict {
  readonly target: string;
  readonly measured: string;
  /** null: not measured in this run. */
  readonly met: boolean | null;
}

function num(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "-" : value.toFixed(digits);
}

function spread(value: Spread | null, digits = 1): string {
  if (!value) return "-";
  return value.samples > 1 ? `${num(value.median, digits)} [${num(value.min, digits)}–${num(value.max, digits)}]` : num(value.median, digits);
}

function rateName(rate: number): string {
  return rate === 0 ? "max" : `${rate}/s`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export function stormTable(storm: StormResult): string {
  const rows = storm.summary.map((row) => [
    rateName(row.requestedRate),
    row.subject,
    spread(row.achievedRate, 0),
    spread(row.cpuPercent, 2),
    spread(row.cpuPerExecUs),
    spread(row.processPerExecUs),
    spread(row.bpfPerExecUs, 2),
    spread(row.machineBusyPercent),
    row.missing === null ? "-" : `${row.expected - row.missing}/${row.expected}`,
    row.lost === null ? "-" : String(row.lost),
  ]);
  return table(["rate", "subject", "exec/s", "CPU % core", "µs/exec", "process µs", "BPF µs", "machine %", "stored", "drops"], rows);
}

function row(storm: StormResult, rate: number, subject: string): StormSummaryRow | undefined {
  return storm.summary.find((r) => r.requestedRate === rate && r.subject === subject);
}

export function stormVerdicts(storm: StormResult): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const rate of [400, 0]) {
    const engine = row(storm, rate, "engine");
    const bpftrace = row(storm, rate, "bpftrace");
    const ratio = engine?.cpuPerExecUs && bpftrace?.cpuPerExecUs ? engine.cpuPerExecUs.median / bpftrace.cpuPerExecUs.median : null;
    const ratios = storm.windows.length > 0 && engine && bpftrace ? ratioSpread(storm, rate) : null;
    verdicts.push({
      target: `CPU per exec at ${rateName(rate)} ≤ 2× bpftrace`,
      measured: ratio === null ? "not measured" : `${num(engine!.cpuPerExecUs!.median)} vs ${num(bpftrace!.cpuPerExecUs!.median)} µs = ${num(ratio, 2)}×${ratios ? ` (per-round ${ratios})` : ""}`,
      met: ratio === null ? null : ratio <= 2,
    });
  }
  const at400 = row(storm, 400, "engine");
  verdicts.push({
    target: "engine CPU at 400 exec/s ≤ 5 % of a core",
    measured: at400?.cpuPercent ? `${num(at400.cpuPercent.median, 2)} %` : "not measured",
    met: at400?.cpuPercent ? at400.cpuPercent.median <= 5 : null,
  });
  const engineRows = storm.summary.filter((r) => r.subject === "engine");
  const missing = engineRows.reduce((sum, r) => sum + (r.missing ?? 0), 0);
  const lost = engineRows.reduce((sum, r) => sum + (r.lost ?? 0), 0);
  const expected = engineRows.reduce((sum, r) => sum + r.expected, 0);
  verdicts.push({
    target: "zero events lost at any rate",
    measured: engineRows.length === 0 ? "not measured" : `${missing} of ${expected} execs missing from the store, ${lost} counted drops`,
    met: engineRows.length === 0 ? null : missing === 0 && lost === 0,
  });
  return verdicts;
}

/** Engine/bpftrace ratio per round (same round = closest in time), as "min–max". */
function ratioSpread(storm: StormResult, rate: number): string | null {
  const rounds = [...new Set(storm.windows.map((w) => w.round))];
  const ratios = rounds.flatMap((round) => {
    const engine = storm.windows.find((w) => w.round === round && w.requestedRate === rate && w.subject === "engine");
    const bpftrace = storm.windows.find((w) => w.round === round && w.requestedRate === rate && w.subject === "bpftrace");
    return engine && bpftrace ? [engine.cpuPerExecUs / bpftrace.cpuPerExecUs] : [];
  });
  const s = spreadOf(ratios);
  return s && s.samples > 1 ? `${num(s.min, 2)}–${num(s.max, 2)}×` : null;
}

export function pipelineLines(result: PipelineResult): string {
  const rows = [
    ["decode only (baseline)", String(result.decodeOnly.items), num(result.decodeOnly.perSecond, 0), num(result.decodeOnly.perCoreSecond, 0)],
    ["decode → enrich → decide → store", String(result.pipeline.items), num(result.pipeline.perSecond, 0), num(result.pipeline.perCoreSecond, 0)],
  ];
  return `${table(["stage", "records", "records/s", "records/s/core"], rows)}\n` +
    `events: ${result.events.seen} enriched, ${result.events.kept} kept by the config, ${result.events.stored} stored, ${result.events.dropped} dropped`;
}

export function pipelineVerdict(result: PipelineResult | null): Verdict {
  return {
    target: "pipeline ≥ 50,000 events/s/core",
    measured: result ? `${num(result.pipeline.perCoreSecond, 0)} records/s/core (${num((result.events.seen / result.pipeline.cpuMs) * 1000, 0)} events/s/core)` : "not measured",
    met: result ? result.pipeline.perCoreSecond >= 50_000 : null,
  };
}

export function memoryLines(result: MemoryResult): string {
  return `idle ${num(result.idleRssMb)} MB, after ${num(result.load.seconds / 60, 2)} min at max rate (${num(result.load.ran / result.load.seconds, 0)} exec/s) ${num(result.finalRssMb)} MB, ` +
    `peak ${num(result.peakRssMb)} MB; growth over the second half ${num(result.growthMbPerMinute, 2)} MB/min; stored ${result.events.found}/${result.events.expected}`;
}

export function memoryVerdicts(result: MemoryResult | null): Verdict[] {
  if (!result) return [{ target: "RSS < 150 MB, no growth trend", measured: "not measured", met: null }];
  // "No trend": the second half's slope, extrapolated over the whole run, stays within 5 % of the final RSS.
  const trendMb = result.growthOverRunMb ?? 0;
  return [
    { target: "RSS < 150 MB", measured: `peak ${num(result.peakRssMb)} MB`, met: result.peakRssMb < 150 },
    { target: "no RSS growth trend", measured: `${num(result.growthMbPerMinute, 2)} MB/min (${num(trendMb)} MB over the run)`, met: trendMb <= 0.05 * result.finalRssMb },
  ];
}

export function startupLines(runs: readonly StartupRun[]): string {
  return `ready ${spread(spreadOf(runs.map((r) => r.readyMs)), 0)} ms, first event ${spread(spreadOf(runs.map((r) => r.firstEventMs)), 0)} ms (${runs.length} start${runs.length === 1 ? "" : "s"})`;
}

export function componentVerdicts(runs: readonly ComponentRun[]): Verdict[] {
  const verdicts: Verdict[] = runs.flatMap((run) => run.targets.map((t) => ({ target: `${t.name} ${t.target}`, measured: `${num(t.value, 1)} ${t.unit}`, met: t.met })));
  const has = (name: string) => runs.some((r) => r.name === name && r.targets.length > 0);
  if (!has("rules.bench")) verdicts.push({ target: "≥ 1,000,000 decisions/s on one core", measured: reason(runs, "rules.bench"), met: null });
  if (!has("store.bench")) verdicts.push({ target: "query latencies < 100 ms on 1,000,000 events", measured: reason(runs, "store.bench"), met: null });
  return verdicts;
}

function reason(runs: readonly ComponentRun[], name: string): string {
  const run = runs.find((r) => r.name === name);
  if (!run) return "not run";
  if (run.outcome === "missing") return `not measured: bench/${name}.* does not exist yet`;
  if (run.outcome === "failed") return `not measured: bench/${name} failed (exit ${run.exitCode})`;
  return "see its output above (no machine-readable targets line)";
}

export function verdictTable(verdicts: readonly Verdict[]): string {
  return table(
    ["target", "measured", "verdict"],
    verdicts.map((v) => [v.target, v.measured, v.met === null ? "NOT MEASURED" : v.met ? "met" : "MISSED"]),
  );
}
