import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { requireRoot, sysmonts, waitFor } from "../support/cli";

// End to end as an administrator would do it: install with a config, see events, change the
// config live, have a broken config refused, kill -9 the engine and see it come back with
// the same config and store, uninstall and find the machine clean. Real sensor, real store,
// real control socket; this machine has no systemd as PID 1, so the SysmonTs supervisor
// stands in for Restart=on-failure and the unit file is checked with systemd-analyze.

const INSTALL_DIR = "/opt/sysmonts";
const SOCKET = "/run/sysmonts/control.sock";

interface Status {
  pid: number;
  config: { file: string; hash: string };
  store: { eventCount: number; newestRecordId: number | null } | null;
}
interface JsonEvent {
  EventID: number;
  EventRecordID: number;
  [field: string]: unknown;
}

function status(): Status | undefined {
  const result = sysmonts(["status", "--json"]);
  return result.status === 0 ? (JSON.parse(result.stdout) as Status) : undefined;
}

function query(args: string[]): JsonEvent[] {
  const result = sysmonts(["query", "--format", "json", ...args]);
  if (result.status !== 0) throw new Error(`sysmonts query failed (${result.status}): ${result.stderr}`);
  return result.stdout.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as JsonEvent);
}

/** One process whose command line carries the marker (no shell, so exactly one ProcessCreate). */
function runMarker(marker: string): void {
  spawnSync("/bin/echo", [marker], { stdio: "ignore" });
}

function configWith(processCreateRules: string): string {
  return `<Sysmon schemaversion="4.90">
  <HashAlgorithms>sha256</HashAlgorithms>
  <EventFiltering>
    <RuleGroup name="" groupRelation="or">
      <ProcessCreate onmatch="include">
${processCreateRules}
      </ProcessCreate>
    </RuleGroup>
  </EventFiltering>
</Sysmon>
`;
}

describe("install → query → reconfigure → kill -9 → uninstall", () => {
  let dir: string;
  const tag = `lifecycle${process.pid}x${Date.now()}`;

  beforeAll(() => {
    requireRoot("the service lifecycle test");
    sysmonts(["-u", "force"]);
    dir = mkdtempSync(path.join(os.tmpdir(), "sysmonts-e2e-"));
    writeFileSync(path.join(dir, "first.xml"), configWith(`        <CommandLine name="first-rule" condition="contains">${tag}-a</CommandLine>`));
    writeFileSync(path.join(dir, "second.xml"), configWith(`        <CommandLine name="second-rule" condition="contains">${tag}-b</CommandLine>`));
    writeFileSync(path.join(dir, "broken.xml"), configWith(`        <CommandLinee condition="contains">x</CommandLinee>`));
  });
  afterAll(() => {
    sysmonts(["-u", "force"]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("installs with a config and starts the engine", () => {
    const installed = sysmonts(["-accepteula", "-i", path.join(dir, "first.xml")]);
    expect(installed.stderr + installed.stdout).toMatch(/Configuration file validated/);
    expect(installed.status).toBe(0);
    expect(existsSync(`${INSTALL_DIR}/config.xml`)).toBe(true);
    const again = sysmonts(["-i", path.join(dir, "first.xml")]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already installed/);
  });

  it("writes a systemd unit that systemd-analyze accepts", () => {
    const verify = spawnSync("systemd-analyze", ["verify", "/etc/systemd/system/sysmonts.service"], { encoding: "utf8" });
    expect(verify.stderr).not.toMatch(/sysmonts\.service:/);
    expect(verify.status).toBe(0);
  });

  it("records the events the config includes, with its RuleName", async () => {
    runMarker(`${tag}-a`);
    runMarker(`${tag}-not-included`);
    const events = await waitFor(() => {
      const found = query(["--id", "1", "--where", `CommandLine=*${tag}*`]);
      return found.length > 0 ? found : undefined;
    }, { what: "the included ProcessCreate event in the store", timeoutMs: 30_000 });
    expect(events).toHaveLength(1);
    expect(events[0]?.["RuleName"]).toBe("first-rule");
    expect(String(events[0]?.["CommandLine"])).toContain(`${tag}-a`);
    expect(events[0]?.["ProcessGuid"]).toMatch(/^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/);
  });

  it("applies a new config live: event 16 with the new hash, then the new rules", async () => {
    const before = status()!;
    const updated = sysmonts(["-c", path.join(dir, "second.xml")]);
    expect(updated.status).toBe(0);
    const after = status()!;
    expect(after.config.hash).not.toBe(before.config.hash);
    expect(after.pid).toBe(before.pid);
    const changes = query(["--id", "16", "--max", "1"]);
    expect(changes[0]?.["ConfigurationFileHash"]).toBe(after.config.hash);
    runMarker(`${tag}-a`);
    runMarker(`${tag}-b`);
    const second = await waitFor(() => {
      const found = query(["--id", "1", "--where", `CommandLine=*${tag}-b*`]);
      return found.length > 0 ? found : undefined;
    }, { what: "the event the second config includes" });
    expect(second[0]?.["RuleName"]).toBe("second-rule");
    expect(query(["--id", "1", "--where", `CommandLine=*${tag}-a*`])).toHaveLength(1);
  });

  it("refuses a broken config with its position and keeps the running rules", () => {
    const before = status()!;
    const refused = sysmonts(["-c", path.join(dir, "broken.xml")]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/broken\.xml:\d+:\d+: .*CommandLinee/);
    expect(status()!.config.hash).toBe(before.config.hash);
  });

  it("comes back after kill -9 with the same config and an intact store", async () => {
    const before = status()!;
    const storedBefore = query(["--id", "1", "--where", `CommandLine=*${tag}*`]);
    process.kill(before.pid, "SIGKILL");
    const after = await waitFor(() => {
      const s = status();
      return s && s.pid !== before.pid ? s : undefined;
    }, { what: "the supervisor to restart the engine", timeoutMs: 30_000 });
    expect(after.config.hash).toBe(before.config.hash);
    // Event 16 of the restarted engine names the config that was applied live, not the first one.
    expect(query(["--id", "16", "--max", "1"])[0]?.["Configuration"]).toBe(path.join(dir, "second.xml"));
    expect(query(["--id", "1", "--where", `CommandLine=*${tag}*`]).map((e) => e.EventRecordID)).toEqual(storedBefore.map((e) => e.EventRecordID));
    runMarker(`${tag}-b-after-restart`);
    const resumed = await waitFor(() => {
      const found = query(["--id", "1", "--where", `CommandLine=*${tag}-b-after-restart*`]);
      return found.length > 0 ? found : undefined;
    }, { what: "events after the restart" });
    expect(resumed[0]!.EventRecordID).toBeGreaterThan(Math.max(...storedBefore.map((e) => e.EventRecordID)));
  });

  it("uninstalls and leaves the machine clean", async () => {
    const removed = sysmonts(["-u"]);
    expect(removed.status).toBe(0);
    expect(existsSync(INSTALL_DIR)).toBe(false);
    expect(existsSync(SOCKET)).toBe(false);
    expect(existsSync("/etc/systemd/system/sysmonts.service")).toBe(false);
    const leftovers = readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(INSTALL_DIR);
      } catch {
        return false;
      }
    });
    expect(leftovers).toEqual([]);
    const notInstalled = sysmonts(["-u"]);
    expect(notInstalled.stderr).toMatch(/not installed/);
  });
});
