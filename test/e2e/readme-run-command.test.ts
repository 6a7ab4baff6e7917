import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT, requireRoot, waitFor } from "../support/cli";

// The README's run command, exactly as typed: set-up, then the monitor in the foreground with
// the default config, events on stdout as they happen and kept in the default store.

describe("bash scripts/monitor.sh", () => {
  it("runs the monitor with the default config until Ctrl+C", async () => {
    requireRoot("the README run command");
    const monitor = spawn("bash", [path.join(REPO_ROOT, "scripts", "monitor.sh")], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    monitor.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    monitor.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    await waitFor(() => (stdout.includes("<Data Name=\"State\">Started</Data>") ? true : undefined), { what: `the monitor to start (stderr: ${stderr})`, timeoutMs: 120_000 });
    const tag = `readme-run-${Date.now()}`;
    spawnSync("/bin/echo", [tag], { stdio: "ignore" });
    await waitFor(() => (stdout.includes(tag) ? true : undefined), { what: "the ProcessCreate event on stdout" });
    monitor.kill("SIGINT");
    const code = await new Promise((r) => monitor.once("exit", r));
    expect(code).toBe(0);
    expect(stderr).toMatch(/monitoring with .*default-linux\.xml \(store \/var\/lib\/sysmonts\/events\.db/);
    expect(stdout.trim().split("\n").at(-1)).toContain('<Data Name="State">Stopped</Data>');
    expect(existsSync("/var/lib/sysmonts/events.db")).toBe(true);
  });
});
