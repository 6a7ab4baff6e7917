// Event 10 CallTrace and event 8 StartModule on the driver client's hot path: lookups/s through
// ProcessModules (cached module map, binary search) against two same-run baselines: formatting
// the same frames with no module map (every frame UNKNOWN(...), the floor), and a linear scan of
// the same module list per frame (what a map without sorting would cost).
// Method: bundle engine/src/sensor/windows/process-modules.ts with esbuild; a process with 150
// modules (a busy svchost has 100-200) listed by a scripted source once; 24-frame traces (Sysmon's
// x64 maximum) with frames spread over the modules and some outside; warm up, then time 20 000
// traces, 5 runs, report the median.
// Run: node_modules/.bin/node bench/module-map.mjs
import { build } from "esbuild";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const outFile = path.resolve("node_modules/.cache/bench-module-map.mjs");
const entry = path.resolve("node_modules/.cache/bench-module-map-entry.ts");
writeFileSync(entry, `export { ProcessModules, callTraceText } from "${path.resolve("engine/src/sensor/windows/process-modules")}";\n`);
await build({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", outfile: outFile, external: ["koffi"], logLevel: "error" });
const { ProcessModules, callTraceText } = await import(pathToFileURL(outFile).href);

const MODULES = 150;
const modules = Array.from({ length: MODULES }, (_, i) => ({ base: 0x7ffb_0000_0000 + i * 0x20_0000, size: 0x18_0000, path: `C:\\Windows\\System32\\module${i}.dll` }));
const cache = new ProcessModules({ api: { listModules: () => modules } });
const traces = Array.from({ length: 256 }, (_, t) =>
  Array.from({ length: 24 }, (_, f) => (t * 24 + f) % 7 === 0 ? (0x4a_0000 + f).toString(16) : (modules[(t * 31 + f * 7) % MODULES].base + 0x1234 + f).toString(16)).join("|"));

function linear(addresses) {
  return addresses.split("|").map((hex) => {
    const a = parseInt(hex, 16);
    const m = modules.find((x) => a >= x.base && a < x.base + x.size);
    return m ? `${m.path}+${(a - m.base).toString(16)}` : `UNKNOWN(${hex.toUpperCase().padStart(16, "0")})`;
  }).join("|");
}

const N = 20_000;
function time(fn) {
  const runs = [];
  for (let r = 0; r < 5; r++) {
    let sink = 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < N; i++) sink += fn(traces[i & 255]).length;
    runs.push(Number(process.hrtime.bigint() - start) / 1e9);
    if (sink === 0) throw new Error("nothing formatted");
  }
  runs.sort((a, b) => a - b);
  return N / runs[2];
}
for (let i = 0; i < 2000; i++) cache.callTrace(600, traces[i & 255]);
const floor = time((t) => callTraceText(t));
const mapped = time((t) => cache.callTrace(600, t));
const scanned = time(linear);
console.log(`module map, ${MODULES} modules, 24-frame CallTrace (median of 5 x ${N} traces)`);
console.log(`  no module map (UNKNOWN only, floor): ${Math.round(floor).toLocaleString()} traces/s`);
console.log(`  ProcessModules (cached, binary search): ${Math.round(mapped).toLocaleString()} traces/s`);
console.log(`  linear scan per frame (baseline):      ${Math.round(scanned).toLocaleString()} traces/s`);
console.log(`  module-list reads: ${cache.stats().enumerations}`);
