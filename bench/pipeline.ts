/**
 * Section 2, pipeline throughput: synthetic ring-buffer records, laid out by the sensor's own
 * record declaration, drained by the real Engine (decode → enrich → decide → stamp → store)
 * with a config such as sysmon-modular's default. The Engine gets a sensor that serves those
 * bytes through the real decoder instead of the kernel ring, so everything above the kernel is
 * the product's code. Baseline in the same run: decoding alone.
 *
 * Per core: events divided by the CPU time of the whole process (process.cpuUsage counts every
 * thread, so the store's writer thread is included).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { RawRecord, Sensor, SensorCounters } from "../engine/src/sensor";
import { decodeRecord } from "../engine/src/sensor/linux/decode";
import { encodeSyntheticRecord } from "../engine/src/sensor/linux/synthetic-records";
import { Engine } from "../engine/src/service";
import { openStore } from "../engine/src/store";

export interface PipelineOptions {
  readonly config: string;
  /** Records to push through (a multiple of the 6-record cycle). */
  readonly records: number;
  /** Records per drain, as a 10 ms drain at the target rate would see them. */
  readonly batch?: number;
}

export interface ThroughputFigure {
  readonly items: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Items per second of wall time. */
  readonly perSecond: number;
  /** Items per CPU-second of the process (all threads). */
  readonly perCoreSecond: number;
}

export interface PipelineResult {
  readonly config: string;
  readonly records: number;
  readonly decodeOnly: ThroughputFigure;
  /** Records through the whole pipeline, and the events they became. */
  readonly pipeline: ThroughputFigure;
  readonly events: { readonly seen: number; readonly kept: number; readonly stored: number; readonly dropped: number };
}

const IMAGES = ["/usr/bin/true", "/usr/bin/env", "/usr/bin/ls", "/usr/bin/cat", "/usr/bin/bash", "/usr/bin/sleep"].filter((file) => existsSync(file));

/** One process life: exec, two file creates, a connection, a delete, exit. */
function encodeCycle(cycle: number, bootNs: bigint): Buffer[] {
  const pid = 200_000 + (cycle % 50_000);
  const time = bootNs + BigInt(cycle) * 1000n;
  const header = { pid, tid: pid, uid: 1000, time_ns: time };
  const image = IMAGES[cycle % IMAGES.length] ?? "/bin/true";
  return [
    encodeSyntheticRecord({
      layout: "exec",
      fields: { ...header, parent_pid: 1, session_id: 3, login_uid: 1000, tty_index: -1, start_ns: time, process_key: BigInt(0x5600_0000 + cycle) },
      tails: { image, cwd: "/home/bench", argv: `${path.basename(image)}\0--run\0${cycle}\0` },
    }),
    encodeSyntheticRecord({ layout: "file_create", fields: header, tails: { path: `/tmp/bench/${cycle}.tmp` } }),
    encodeSyntheticRecord({ layout: "file_create", fields: header, tails: { path: `/home/bench/.cache/${cycle % 97}.dat` } }),
    encodeSyntheticRecord({
      layout: "network",
      fields: { ...header, protocol: 6, outbound: 1, family: 2, local_port: 40_000 + (cycle % 20_000), remote_port: 443, local_addr: Uint8Array.of(10, 0, 0, 5), remote_addr: Uint8Array.of(93, 184, 216, cycle % 250) },
    }),
    encodeSyntheticRecord({ layout: "file_delete", fields: header, tails: { path: `/tmp/bench/${cycle}.tmp` } }),
    encodeSyntheticRecord({ layout: "exit", fields: { ...header, exit_status: 0, start_ns: time, process_key: BigInt(0x5600_0000 + cycle) } }),
  ];
}

interface PackedRecords {
  readonly bytes: Buffer;
  readonly offsets: Uint32Array;
  readonly lengths: Uint32Array;
}

/** Records back to back at 8-byte alignment, as the kernel's ring lays them out. */
export function packSyntheticRecords(count: number): PackedRecords {
  const parts: Buffer[] = [];
  for (let cycle = 0; parts.length < count; cycle++) parts.push(...encodeCycle(cycle, 10_000_000_000n));
  parts.length = count;
  const offsets = new Uint32Array(count);
  const lengths = new Uint32Array(count);
  let size = 0;
  parts.forEach((part, i) => {
    offsets[i] = size;
    lengths[i] = part.length;
    size += (part.length + 7) & ~7;
  });
  const bytes = Buffer.alloc(size);
  parts.forEach((part, i) => part.copy(bytes, offsets[i]));
  return { bytes, offsets, lengths };
}

const CLOCK = { bootToWallMs: Date.now() - 10_000 };

/** A Sensor that serves packed records through the real decoder, `batch` per drain. */
class ReplaySensor implements Sensor {
  private next = 0;
  private malformed = 0;
  constructor(private readonly records: PackedRecords, private readonly batch: number) {}
  get done(): boolean {
    return this.next >= this.records.offsets.length;
  }
  drain(onRecord: (record: RawRecord) => void): number {
    const end = Math.min(this.next + this.batch, this.records.offsets.length);
    const start = this.next;
    for (let i = start; i < end; i++) {
      const record = decodeRecord(this.records.bytes, this.records.offsets[i]!, this.records.lengths[i]!, CLOCK);
      if (record === null) this.malformed++;
      // the synthetic mix has no DNS over TCP, whose segments the real sensor reassembles first
      else if (record.kind !== "tcp-dns-segment") onRecord(record);
    }
    this.next = end;
    return end - start;
  }
  counters(): SensorCounters {
    return { produced: this.next, lostRingBuffer: 0, malformed: this.malformed };
  }
  setEnabledEvents(): void {}
  close(): void {}
}

function figure(items: number, wallMs: number, cpu: NodeJS.CpuUsage): ThroughputFigure {
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { items, wallMs, cpuMs, perSecond: (items * 1000) / wallMs, perCoreSecond: (items * 1000) / cpuMs };
}

export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const packed = packSyntheticRecords(options.records);
  let decoded = 0;
  let cpu = process.cpuUsage();
  let start = performance.now();
  for (let i = 0; i < packed.offsets.length; i++) {
    if (decodeRecord(packed.bytes, packed.offsets[i]!, packed.lengths[i]!, CLOCK) !== null) decoded++;
  }
  const decodeOnly = figure(decoded, performance.now() - start, process.cpuUsage(cpu));

  const workDir = mkdtempSync(path.join(tmpdir(), "sysmonts-bench-pipeline-"));
  try {
    const sensor = new ReplaySensor(packed, options.batch ?? 2000);
    const engine = await Engine.start({
      // sysmon-modular is a Windows config: Linux refuses its Windows-only options
      // (CheckRevocation ...) at load. The decisions and everything else are the same code.
      platform: "windows",
      configPath: options.config,
      settings: { store: { path: path.join(workDir, "events.db"), maxBytes: 4 * 1024 * 1024 * 1024, maxAgeDays: 30 }, sinks: [], control: { endpoint: null } },
      openSensor: () => sensor,
      // The benchmark drives drain() itself; the timer must not run in between.
      drainIntervalMs: 2 ** 30,
    });
    cpu = process.cpuUsage();
    start = performance.now();
    while (!sensor.done) {
      engine.drain();
      // Give the store's batch hand-off its turn of the loop, as the drain timer would.
      await yieldToLoop();
    }
    const status = engine.status();
    await engine.stop({ quiet: true });
    const pipeline = figure(options.records, performance.now() - start, process.cpuUsage(cpu));
    const counts = Object.values(status.events);
    const seen = counts.reduce((sum, c) => sum + c.seen, 0);
    const kept = counts.reduce((sum, c) => sum + c.kept, 0);
    const dropped = counts.reduce((sum, c) => sum + c.dropped, 0);
    const reader = openStore(path.join(workDir, "events.db"), { readOnly: true });
    const stored = reader.status().eventCount;
    await reader.close();
    return { config: options.config, records: options.records, decodeOnly, pipeline, events: { seen, kept, stored, dropped } };
  } finally {
    for (const name of readdirSync(workDir)) rmSync(path.join(workDir, name), { force: true });
    rmSync(workDir, { recursive: true, force: true });
  }
}
