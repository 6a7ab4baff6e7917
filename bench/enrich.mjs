// Enrichment throughput: records/s through createEnricher() for a mix of exec (hashing a
// cached image), file-create and UDP network records, against a same-run baseline that only
// allocates and fills an event array of the same size per record (the unavoidable floor).
// Method: bundle engine/src/enrich with esbuild, warm up 20k records, then time 200k, 5 runs,
// report the median. Run: node_modules/.bin/node bench/enrich.mjs
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const outDir = mkdtempSync(path.join(tmpdir(), "bench-enrich"));
// Inside node_modules so that koffi (pulled in by the sensor stage's index, never called here) resolves.
const outFile = path.resolve("node_modules/.cache/bench-enrich.mjs");
await build({ entryPoints: ["engine/src/enrich/index.ts"], bundle: true, platform: "node", format: "esm", outfile: outFile, external: ["koffi"], logLevel: "error" });
const { createEnricher } = await import(pathToFileURL(outFile).href);

const N = 200_000;
const now = Date.now();
function record(i) {
  const pid = 10_000 + (i % 500);
  const actor = { pid, tid: pid, uid: 0 };
  switch (i % 4) {
    case 0:
      return { kind: "exec", timeMs: now + i, actor, process: { pid, startTimeMs: now + i, processKey: BigInt(i) }, parentPid: 1,
        image: "/bin/sh", argv: ["/bin/sh", "-c", `echo ${i}`], argvTruncated: false, cwd: "/", sessionId: 1, ttyIndex: -1, loginUid: 0 };
    case 1:
      return { kind: "file-create", timeMs: now + i, actor, path: `/tmp/file${i}` };
    case 2:
      return { kind: "network", timeMs: now + i, actor, protocol: "tcp", initiated: true, ipv6: false, sourceIp: "10.0.0.1", sourcePort: 1000 + (i % 5000), destinationIp: "10.0.0.2", destinationPort: 443 };
    default:
      return { kind: "file-delete", timeMs: now + i, actor, path: `/tmp/file${i}` };
  }
}
const records = Array.from({ length: N }, (_, i) => record(i));

function time(fn) {
  const runs = [];
  for (let r = 0; r < 5; r++) {
    const start = process.hrtime.bigint();
    fn();
    runs.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  runs.sort((a, b) => a - b);
  return runs[2];
}

let sink = 0;
const baselineMs = time(() => {
  for (const r of records) {
    const v = new Array(17).fill("-");
    v[1] = String(r.timeMs);
    sink += v.length;
  }
});
const enricher = createEnricher({ hashAlgorithms: ["SHA256"], machineId: 1, selfPid: process.pid, procRoot: path.join(outDir, "noproc") });
for (let i = 0; i < 20_000; i++) enricher.enrich(records[i], () => sink++);
const enrichMs = time(() => {
  for (const r of records) enricher.enrich(r, () => sink++);
});
const stats = enricher.stats();
enricher.close();
rmSync(outDir, { recursive: true, force: true });
rmSync(outFile, { force: true });
console.log(`method: ${N} records (exec/file-create/tcp/file-delete mix, 500 pids), median of 5 runs`);
console.log(`baseline (allocate+fill one event array per record): ${baselineMs.toFixed(1)} ms = ${Math.round(N / baselineMs * 1000)} rec/s`);
console.log(`enricher: ${enrichMs.toFixed(1)} ms = ${Math.round(N / enrichMs * 1000)} rec/s (${(enrichMs * 1000 / N).toFixed(2)} µs/record)`);
console.log(`hashes: ${stats.hashes.hashed} files hashed, ${stats.hashes.cacheHits} cache hits; sink ${sink > 0}`);
