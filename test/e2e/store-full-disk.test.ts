import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT, requireRoot, sysmonts, waitFor } from "../support/cli";

// A full disk under the store: the engine reports it as event 255 and in its status, and
// keeps monitoring and writing to its other sinks (here a JSON-lines file on another disk).

describe("the engine with its store on a full disk", () => {
  let dir: string;
  let mount: string;
  let engine: ChildProcess;
  const endpoint = (): string => path.join(dir, "control.sock");

  beforeAll(async () => {
    requireRoot("the full-disk test (it mounts a tmpfs)");
    dir = mkdtempSync(path.join(os.tmpdir(), "sysmonts-full-"));
    mount = path.join(dir, "small");
    mkdirSync(mount);
    const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=600k", "tmpfs", mount], { encoding: "utf8" });
    if (mounted.status !== 0) throw new Error(`cannot mount a tmpfs for the test: ${mounted.stderr}`);
    writeFileSync(path.join(dir, "config.xml"), '<Sysmon schemaversion="4.90"><EventFiltering/></Sysmon>');
    writeFileSync(
      path.join(dir, "settings.json"),
      JSON.stringify({ store: { path: path.join(mount, "events.db") }, sinks: [{ kind: "jsonl", path: path.join(dir, "events.jsonl") }], control: { endpoint: endpoint() } }),
    );
    engine = spawn(process.execPath, [path.join(REPO_ROOT, "bin", "sysmonts.cjs"), "run", "--quiet", "--config", path.join(dir, "config.xml"), "--settings", path.join(dir, "settings.json")], { stdio: "ignore" });
    await waitFor(() => (sysmonts(["status", "--control", endpoint()]).status === 0 ? true : undefined), { what: "the engine to start", timeoutMs: 30_000 });
  });
  afterAll(async () => {
    engine?.kill("SIGTERM");
    if (engine) await new Promise((r) => engine.once("exit", r));
    spawnSync("umount", [mount]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("turns the failure into event 255 and a failed store status, and goes on with the other sinks", async () => {
    // Long command lines fill 600 KiB quickly.
    const filler = "x".repeat(3000);
    const status = await waitFor(() => {
      for (let i = 0; i < 40; i++) spawnSync("/bin/echo", [`${filler}-${i}`], { stdio: "ignore" });
      const s = JSON.parse(sysmonts(["status", "--json", "--control", endpoint()]).stdout) as { store: { state: string } };
      return s.store.state.startsWith("failed") ? s : undefined;
    }, { what: "the store to report the full disk", timeoutMs: 60_000, intervalMs: 100 });
    expect(status.store.state).toMatch(/^failed: .*(full|space)/i);

    const lines = (): string[] => (existsSync(path.join(dir, "events.jsonl")) ? readFileSync(path.join(dir, "events.jsonl"), "utf8").trim().split("\n") : []);
    const errors = await waitFor(() => {
      const found = lines().filter((l) => l.includes('"EventID":255,') && l.includes("StoreFailed"));
      return found.length > 0 ? found : undefined;
    }, { what: "event 255 in the JSON-lines sink" });
    expect(JSON.parse(errors[0]!)).toMatchObject({ EventID: 255, ID: "StoreFailed" });

    const tag = `after-full-${Date.now()}`;
    spawnSync("/bin/echo", [tag], { stdio: "ignore" });
    await waitFor(() => (lines().some((l) => l.includes(tag)) ? true : undefined), { what: "events still reaching the other sink" });
    const after = JSON.parse(sysmonts(["status", "--json", "--control", endpoint()]).stdout) as { pid: number };
    expect(after.pid).toBe(engine.pid);
  });
});
