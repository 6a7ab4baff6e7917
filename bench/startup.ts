/**
 * Section 6, start-up: from spawning `sysmonts run` to the first exec event it has seen, with
 * the load generator already running at a low rate so an event is always about to happen. The
 * time is read on the benchmark's clock when the control channel first reports a ProcessCreate.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { callControl } from "../engine/src/control";
import { runLoadgen } from "./loadgen";
import { startEngine, type EngineStartOptions } from "./subjects";

export interface StartupRun {
  /** Spawn to a control channel that answers with the sensor running. */
  readonly readyMs: number;
  /** Spawn to the first ProcessCreate seen. */
  readonly firstEventMs: number;
}

export async function runStartup(options: { engine: EngineStartOptions; loadgen: string; runs: number }): Promise<StartupRun[]> {
  const runs: StartupRun[] = [];
  for (let run = 1; run <= options.runs; run++) {
    const workDir = path.join(options.engine.workDir, `startup-${run}`);
    mkdirSync(workDir, { recursive: true });
    const stopLoad = new AbortController();
    const load = runLoadgen(options.loadgen, { rate: 200, seconds: 90, tag: `start${run}`, signal: stopLoad.signal });
    load.catch(() => undefined);
    const spawned = performance.now();
    const engine = await startEngine({ ...options.engine, workDir });
    const readyMs = performance.now() - spawned;
    let firstEventMs = NaN;
    try {
      const endpoint = path.join(workDir, "control.sock");
      const deadline = spawned + 60_000;
      while (performance.now() < deadline) {
        const status = await callControl<{ events: Record<string, { seen: number } | undefined> }>("status", {}, { endpoint });
        if ((status.events["1"]?.seen ?? 0) > 0) {
          firstEventMs = performance.now() - spawned;
          break;
        }
        await sleep(5);
      }
    } finally {
      stopLoad.abort();
      await engine.close();
    }
    runs.push({ readyMs, firstEventMs });
  }
  return runs;
}
