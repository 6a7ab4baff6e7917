import { createRequire } from "node:module";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { STORE_WORKER_MARK } from "./worker";
import type { StoreWorkerData } from "./worker";

let sourceBundle: string | undefined;

/**
 * The code the store's worker thread runs. The shipped engine is one bundle
 * (dist/sysmonts.cjs): the worker requires that same file (whose entry acts only as the main
 * module, as main.ts does), and worker.ts starts itself when
 * it sees its mark in workerData. When the engine runs from TypeScript source (jest), the
 * worker module is bundled on the fly with esbuild, a dev dependency, the way
 * scripts/build.mjs bundles the engine.
 */
function workerSource(): string {
  if (!__filename.endsWith(".ts")) return `require(${JSON.stringify(__filename)});`;
  if (sourceBundle === undefined) {
    const esbuild = createRequire(__filename)("esbuild") as typeof import("esbuild");
    const result = esbuild.buildSync({
      entryPoints: [join(__dirname, "worker.ts")],
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node26",
      write: false,
      logLevel: "silent",
    });
    sourceBundle = result.outputFiles[0]!.text;
  }
  return sourceBundle;
}

export function startStoreThread(data: Omit<StoreWorkerData, "mark">): Worker {
  const workerData: StoreWorkerData = { ...data, mark: STORE_WORKER_MARK };
  return new Worker(workerSource(), { eval: true, workerData });
}
