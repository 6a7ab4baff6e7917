// Linux sensor drain cost: ns per record to walk the mmap'd ring buffer and decode each record
// into a RawRecord, for a mix of exec (image, cwd, 3-argument argv), exit, file-create and TCP
// network records laid out by layout.ts exactly as the eBPF programs write them.
// Same-run baseline: the same ring walk with a visitor that reads only each record's kind (the
// floor: Atomics on the positions and headers, no decoding).
// Method: bundle engine/src/sensor/linux with esbuild; fill an 8 MiB ring in ordinary memory
// (same layout as the kernel's, so no kernel noise); per run, rewind the consumer position and
// drain it all; 3 warm-up runs, then 15 timed runs each; report median [min–max].
// The kernel-side cost per record is in shared/notes/linux-ebpf.md §5c.
// Run: node_modules/.bin/node bench/sensor.mjs
import { build } from "esbuild";
import path from "node:path";
import { pathToFileURL } from "node:url";

const outFile = path.resolve("node_modules/.cache/bench-sensor.mjs");
await build({
  stdin: {
    contents: `export { RingBufferReader } from "./engine/src/sensor/linux/ringbuf";
export { decodeRecord } from "./engine/src/sensor/linux/decode";
export { encodeSyntheticRecord } from "./engine/src/sensor/linux/synthetic-records";`,
    resolveDir: path.resolve("."),
    loader: "ts",
  },
  bundle: true,
  platform: "node",
  format: "esm",
  outfile: outFile,
  external: ["koffi"],
  logLevel: "error",
});
const { RingBufferReader, decodeRecord, encodeSyntheticRecord } = await import(pathToFileURL(outFile).href);

const RING_BYTES = 8 * 1024 * 1024;
const v4 = (a) => new Uint8Array([...a, ...new Array(12).fill(0)]);
const samples = [
  encodeSyntheticRecord({
    layout: "exec",
    fields: { pid: 4242, tid: 4242, time_ns: 5_000_000_000n, start_ns: 4_999_000_000n, process_key: 0x56378badc4f6n, tty_index: -1 },
    tails: { image: "/usr/bin/python3.11", cwd: "/home/user/project", argv: "python3\0-m\0http.server\0" },
  }),
  encodeSyntheticRecord({ layout: "exit", fields: { pid: 4242, tid: 4242, time_ns: 5_100_000_000n, exit_status: 256 } }),
  encodeSyntheticRecord({ layout: "file_create", fields: { pid: 4242, tid: 4242, time_ns: 5_000_100_000n }, tails: { path: "/tmp/build/output/artifact.o" } }),
  encodeSyntheticRecord({
    layout: "network",
    fields: { pid: 4242, tid: 4242, time_ns: 5_000_200_000n, protocol: 6, outbound: 1, family: 2, local_port: 40000, remote_port: 443, local_addr: v4([10, 0, 0, 2]), remote_addr: v4([93, 184, 216, 34]) },
  }),
];

// Fill the ring as the kernel would: 8-byte header (length), payload, 8-aligned stride.
const views = { consumerPosition: new BigUint64Array(1), producerPosition: new BigUint64Array(1), data: Buffer.alloc(2 * RING_BYTES), dataBytes: RING_BYTES };
let producer = 0;
let records = 0;
for (;;) {
  const payload = samples[records % samples.length];
  const stride = (payload.length + 8 + 7) & ~7;
  if (producer + stride > RING_BYTES) break;
  views.data.writeUInt32LE(payload.length, producer);
  payload.copy(views.data, producer + 8);
  producer += stride;
  records += 1;
}
views.producerPosition[0] = BigInt(producer);
const reader = new RingBufferReader(views);
const clock = { bootToWallMs: Date.now() - 5_000 };

function timeRuns(visit, runs) {
  const nsPerRecord = [];
  for (let run = 0; run < runs; run++) {
    views.consumerPosition[0] = 0n;
    const start = process.hrtime.bigint();
    const drained = reader.drain(visit);
    const elapsed = Number(process.hrtime.bigint() - start);
    if (drained !== records) throw new Error(`drained ${drained} of ${records}`);
    nsPerRecord.push(elapsed / drained);
  }
  return nsPerRecord;
}

let sink = 0;
const walkOnly = (data, offset) => {
  sink += data.readUInt16LE(offset);
};
let decoded = null;
const decodeAll = (data, offset, length) => {
  decoded = decodeRecord(data, offset, length, clock);
  if (decoded === null) throw new Error("malformed synthetic record");
};

const spread = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1] };
};
timeRuns(walkOnly, 3);
timeRuns(decodeAll, 3);
const baseline = spread(timeRuns(walkOnly, 15));
const full = spread(timeRuns(decodeAll, 15));
const fmt = (s) => `${s.median.toFixed(1)} ns/record [${s.min.toFixed(1)}–${s.max.toFixed(1)}]`;
console.log(`sensor drain bench: ${records} records (${(producer / 1024 / 1024).toFixed(1)} MiB) per run, 15 runs, median [min–max]`);
console.log(`  baseline  ring walk only             ${fmt(baseline)}`);
console.log(`  measured  ring walk + decodeRecord   ${fmt(full)}  (${(1e9 / full.median / 1e6).toFixed(2)} M records/s on one core)`);
console.log(`  decode cost over baseline            ${(full.median - baseline.median).toFixed(1)} ns/record`);
if (sink < 0 || decoded === null) console.log("unreachable");
