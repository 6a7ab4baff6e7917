import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import path from "node:path";

/** The repository root and the shared folder beside it (CI clones main with ../shared next to it). */
export const REPO_ROOT = path.resolve(__dirname, "../..");
export const SHARED = path.resolve(REPO_ROOT, "../shared");

/**
 * Runs the built CLI exactly as a user would (`node bin/sysmonts.cjs ...`, the bundle that
 * `npm run build` makes), with the pinned Node that runs the tests.
 */
export function sysmonts(args: readonly string[], options: { input?: string; timeoutMs?: number; cwd?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "sysmonts.cjs"), ...args], {
    encoding: "utf8",
    input: options.input,
    timeout: options.timeoutMs ?? 120_000,
    cwd: options.cwd ?? REPO_ROOT,
  });
}

/** Fails a system test with a message naming the missing capability instead of skipping it. */
export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) throw new Error(`${what} needs root (it loads eBPF programs and installs under /opt); run the suite as root`);
}

export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, options: { timeoutMs?: number; intervalMs?: number; what: string }): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
  }
}
