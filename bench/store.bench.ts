/**
 * Event store benchmark: sustained insert rate through openStore() (bounded queue → writer
 * thread → batched transactions, with all indexes), the main thread's worst event-loop stall
 * meanwhile, and the latency of the common questions on the resulting store.
 *
 * Method: N events (default 1,000,000; --count N) are generated up front as the pipeline would
 * hand them over (a mix of IDs 1, 3, 5, 11; 2,000 distinct processes; 500 distinct images).
 * They are appended as fast as append() accepts, waiting on flush() whenever the queue is full;
 * the rate is events / wall time until the last commit. Same-run baseline: a bare loop of
 * INSERTs of the same rows into an unindexed table on the main thread, 5,000 per transaction.
 * Queries run through store.query() (including the thread hop), 20 times each, median and max.
 *
 * Run: npx esbuild bench/store.bench.ts --bundle --platform=node --format=cjs --outfile=node_modules/.cache/store.bench.cjs \
 *        && node_modules/.bin/node node_modules/.cache/store.bench.cjs [--count N]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { DatabaseSync } from "node:sqlite";
import { isMainThread } from "node:worker_threads";
import { eventFromFields } from "../engine/src/schema";
import type { StampedEvent } from "../engine/src/schema";
import { openStore } from "../engine/src/store";
import type { EventQuery, EventStore } from "../engine/src/store";

const guid = (n: number): string => `{5770385f-0000-4000-8000-${n.toString(16).padStart(12, "0")}}`;

function generate(count: number): StampedEvent[] {
  const events: StampedEvent[] = new Array(count);
  const t0 = Date.now() - count;
  for (let i = 0; i < count; i++) {
    const proc = i % 2000;
    const image = `/usr/bin/tool${i % 500}`;
    const kind = i % 10;
    const event =
      kind < 4
        ? eventFromFields(1, { Image: image, CommandLine: `${image} --arg ${i}`, ProcessGuid: guid(proc), ParentProcessGuid: guid((proc + 1) % 2000), ProcessId: proc, User: "root", Hashes: "SHA256=" + "ab".repeat(32) })
        : kind < 7
          ? eventFromFields(3, { Image: image, ProcessGuid: guid(proc), Protocol: "tcp", SourceIp: "10.0.0.1", SourcePort: 40000 + (i % 20000), DestinationIp: `10.1.${i % 250}.${i % 200}`, DestinationPort: 443 })
          : kind < 9
            ? eventFromFields(11, { Image: image, ProcessGuid: guid(proc), TargetFilename: `/tmp/file-${i}` })
            : eventFromFields(5, { Image: image, ProcessGuid: guid(proc), ProcessId: proc });
    events[i] = { recordId: i + 1, timeCreated: t0 + i, computer: "bench-host", event };
  }
  return events;
}

async function insertThroughStore(store: EventStore, events: StampedEvent[]): Promise<{ seconds: number; maxStallMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const start = performance.now();
  let i = 0;
  while (i < events.length) {
    while (i < events.length && store.append(events[i]!)) i++;
    await (i < events.length ? store.flush() : new Promise((r) => setImmediate(r)));
  }
  await store.flush();
  const seconds = (performance.now() - start) / 1000;
  histogram.disable();
  return { seconds, maxStallMs: histogram.max / 1e6 };
}

function bareInsertBaseline(events: StampedEvent[], path: string): number {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE bare (record_id INTEGER PRIMARY KEY, event_id INTEGER, time_created REAL, computer TEXT, vals TEXT)");
  const insert = db.prepare("INSERT INTO bare VALUES (?, ?, ?, ?, ?)");
  const start = performance.now();
  for (let i = 0; i < events.length; i += 5000) {
    db.exec("BEGIN");
    for (const e of events.slice(i, i + 5000)) insert.run(e.recordId, e.event.id, e.timeCreated, e.computer, JSON.stringify(e.event.values));
    db.exec("COMMIT");
  }
  const seconds = (performance.now() - start) / 1000;
  db.close();
  return seconds;
}

async function timeQuery(store: EventStore, query: EventQuery): Promise<{ medianMs: number; maxMs: number; events: number }> {
  const times: number[] = [];
  let events = 0;
  for (let run = 0; run < 20; run++) {
    const start = performance.now();
    const page = await store.query(query);
    times.push(performance.now() - start);
    events = page.events.length;
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[10]!, maxMs: times[19]!, events };
}

async function main(): Promise<void> {
  const countArg = process.argv.indexOf("--count");
  const count = countArg > 0 ? Number(process.argv[countArg + 1]) : 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), "sysmonts-store-bench-"));
  try {
    const events = generate(count);
    const baselineSeconds = bareInsertBaseline(events, join(dir, "bare.db"));
    const store = openStore(join(dir, "events.db"), { queueCapacity: 100_000 });
    const { seconds, maxStallMs } = await insertThroughStore(store, events);
    console.log(`insert: ${count} events in ${seconds.toFixed(2)} s = ${Math.round(count / seconds)} events/s through openStore (6 indexes, writer thread); main-thread max event-loop stall ${maxStallMs.toFixed(1)} ms`);
    console.log(`baseline: bare INSERT loop, no indexes, main thread: ${Math.round(count / baselineSeconds)} events/s`);
    const status = store.status();
    console.log(`store: ${status.eventCount} events, ${(status.sizeBytes / 1024 / 1024).toFixed(0)} MiB`);
    const questions: [string, EventQuery][] = [
      ["newest 100 of ID 3", { ids: [3], max: 100 }],
      ["newest 100 of ID 5 (10% of events)", { ids: [5], max: 100 }],
      ["all events of one ProcessGuid (max 1000)", { processGuid: guid(1234), max: 1000 }],
      ["Image equals a value (newest 100)", { where: [{ field: "Image", op: "eq", value: "/USR/BIN/TOOL77" }], max: 100 }],
      ["TargetFilename equals a value", { where: [{ field: "TargetFilename", op: "eq", value: `/tmp/file-${count - 3}` }], max: 100 }],
      ["baseline: newest 100, no condition", { max: 100 }],
    ];
    for (const [label, query] of questions) {
      const result = await timeQuery(store, query);
      console.log(`query ${label}: median ${result.medianMs.toFixed(2)} ms, max ${result.maxMs.toFixed(2)} ms, ${result.events} events`);
    }
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The store's writer thread loads this same bundle; only the main thread runs the benchmark.
if (isMainThread) void main();
