// `npm run bench`: bundles bench/main.ts (and the engine code it measures in-process) with
// esbuild, as scripts/build.mjs does for the engine, then runs it with the Node running this
// script (the pinned one under npm). The bundle goes inside node_modules so that koffi resolves.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outDir = path.join(repoRoot, "node_modules/.cache/sysmonts-bench");
mkdirSync(outDir, { recursive: true });
const outfile = path.join(outDir, "bench.cjs");
await build({
  entryPoints: [path.join(repoRoot, "bench/main.ts")],
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node26",
  outfile,
  external: ["koffi", "esbuild"],
  logLevel: "warning",
});
// The restore of kernel.bpf_stats_enabled runs inside the child; Ctrl+C reaches both.
const run = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { cwd: repoRoot, stdio: "inherit", env: { ...process.env, SYSMONTS_BENCH_REPO: repoRoot } });
process.exitCode = run.status ?? 1;
