// The module against the real engine, as an administrator uses it: Install-Monitor with a
// config, real activity, Get-MonitorEvent with typed values and FilterHashtable selection,
// Set-MonitorConfig refusing a broken file with its line number and changing nothing, -WhatIf
// changing nothing, Uninstall-Monitor. Needs root (the install creates the service) and pwsh.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PWSH, describeWithPwsh, moduleManifest, pwshJson, repoRoot, runPwsh } from "./pwsh";

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const describeRooted = isRoot ? describeWithPwsh : (name: string, body: () => void) => describe.skip(`${name} [skipped: needs root]`, body);

describeRooted("SysmonTs PowerShell module against the installed monitor", () => {
  let workDir = "";
  let env: NodeJS.ProcessEnv = {};
  const marker = `sysmonts-ps-${process.pid}-${Date.now()}`;

  const config = (extra = ""): string =>
    [
      '<Sysmon schemaversion="4.90">',
      "  <EventFiltering>",
      '    <RuleGroup name="" groupRelation="or">',
      '      <ProcessCreate onmatch="include">',
      `        <CommandLine condition="contains">${marker}</CommandLine>`,
      "      </ProcessCreate>",
      "    </RuleGroup>",
      extra,
      "  </EventFiltering>",
      "</Sysmon>",
    ].join("\n");

  beforeAll(() => {
    workDir = mkdtempSync(path.join(tmpdir(), "sysmonts-ps-"));
    const built = spawnSync(path.join(repoRoot, "node_modules/.bin/node"), [path.join(repoRoot, "scripts/build.mjs")], { cwd: repoRoot, encoding: "utf8" });
    if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
    // Install-Monitor finds the executable through SYSMONTS_PATH; this one runs the bundle with
    // the project's pinned Node.
    const launcher = path.join(workDir, "sysmonts");
    writeFileSync(launcher, `#!/bin/sh\nexec '${path.join(repoRoot, "node_modules/.bin/node")}' '${path.join(repoRoot, "dist/sysmonts.cjs")}' "$@"\n`);
    chmodSync(launcher, 0o755);
    env = { SYSMONTS_PATH: launcher };
    writeFileSync(path.join(workDir, "config.xml"), config());
    // Line 5 names a field ProcessCreate does not have.
    writeFileSync(path.join(workDir, "broken.xml"), config().replace("<CommandLine condition", "<CommandLinee condition").replace("</CommandLine>", "</CommandLinee>"));
    writeFileSync(path.join(workDir, "other.xml"), config().replace(marker, `${marker}-other`));
    if (existsSync("/opt/sysmonts")) runPwsh("Uninstall-Monitor -Force -ErrorAction SilentlyContinue", { env });
  }, 120_000);

  afterAll(() => {
    if (env["SYSMONTS_PATH"]) runPwsh("Uninstall-Monitor -Force -ErrorAction SilentlyContinue", { env });
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }, 120_000);

  it("installs with Install-Monitor -Config -AcceptEula and reports its status", () => {
    const status = pwshJson<{ ConfigFile: string; ConfigHash: string; Type: string }>(
      `$s = Install-Monitor -Config '${path.join(workDir, "config.xml")}' -AcceptEula -PassThru
       [pscustomobject]@{ ConfigFile = $s.ConfigFile; ConfigHash = $s.ConfigHash; Type = $s.PSObject.TypeNames[0] } | ConvertTo-Json`,
      { env, timeoutMs: 120_000 },
    );
    expect(status.Type).toBe("SysmonTs.Status");
    expect(status.ConfigHash).toMatch(/\S/);
  }, 130_000);

  it("returns real activity from Get-MonitorEvent as typed ProcessCreate objects", () => {
    // Each an exec of its own, so the sensor sees a process whose CommandLine carries the marker.
    for (const suffix of ["a", "b", "c"]) spawnSync("/bin/true", [`${marker}-${suffix}`]);
    const found = pwshJson<{ Count: number; Type: string; UtcTimeType: string; UtcKind: string; TimeCreatedType: string; ProcessIdType: string; CommandLines: string[] }>(
      `$deadline = (Get-Date).AddSeconds(20)
       do { $events = @(Get-MonitorEvent -Id 1 -FilterHashtable @{ CommandLine = '/bin/true ${marker}-a', '/bin/true ${marker}-b', '/bin/true ${marker}-c' }); if ($events.Count -ge 3) { break }; Start-Sleep -Milliseconds 250 } while ((Get-Date) -lt $deadline)
       $e = $events[0]
       [pscustomobject]@{
         Count = $events.Count; Type = $e.PSObject.TypeNames[0]
         UtcTimeType = $e.UtcTime.GetType().FullName; UtcKind = [string]$e.UtcTime.Kind
         TimeCreatedType = $e.TimeCreated.GetType().FullName; ProcessIdType = $e.ProcessId.GetType().FullName
         CommandLines = @($events.CommandLine)
       } | ConvertTo-Json`,
      { env },
    );
    expect(found.Count).toBe(3);
    expect(found.Type).toBe("SysmonTs.Event.ProcessCreate");
    expect(found.UtcTimeType).toBe("System.DateTime");
    expect(found.UtcKind).toBe("Utc");
    expect(found.TimeCreatedType).toBe("System.DateTime");
    expect(found.ProcessIdType).toBe("System.UInt32");
    // Newest first, as Get-WinEvent.
    expect(found.CommandLines).toEqual([`/bin/true ${marker}-c`, `/bin/true ${marker}-b`, `/bin/true ${marker}-a`]);
  }, 60_000);

  it("selects exactly what -FilterHashtable asks for, -MaxEvents and -Oldest included", () => {
    const selected = pwshJson<{ Two: string[]; OldestOne: string[]; None: number }>(
      `[pscustomobject]@{
         Two = @((Get-MonitorEvent -FilterHashtable @{ Id = 1; CommandLine = '/bin/true ${marker}-a', '/bin/true ${marker}-c' }).CommandLine)
         OldestOne = @((Get-MonitorEvent -Id 1 -Oldest -MaxEvents 1 -FilterHashtable @{ CommandLine = '/bin/true ${marker}-a', '/bin/true ${marker}-b' }).CommandLine)
         None = @(Get-MonitorEvent -FilterHashtable @{ Id = 1; CommandLine = '/bin/true ${marker}-a'; EndTime = [datetime]'2000-01-01' }).Count
       } | ConvertTo-Json`,
      { env },
    );
    expect(selected.Two).toEqual([`/bin/true ${marker}-c`, `/bin/true ${marker}-a`]);
    expect(selected.OldestOne).toEqual([`/bin/true ${marker}-a`]);
    expect(selected.None).toBe(0);
  }, 60_000);

  it("refuses a broken config with its line number and keeps the loaded one", () => {
    const outcome = pwshJson<{ Id: string; Line: number; Before: string; After: string }>(
      `$before = (Get-MonitorStatus).ConfigHash
       $record = try { Set-MonitorConfig -Path '${path.join(workDir, "broken.xml")}' -ErrorAction Stop; $null } catch { $_ }
       [pscustomobject]@{ Id = $record.FullyQualifiedErrorId; Line = $record.Exception.Data['Line']; Before = $before; After = (Get-MonitorStatus).ConfigHash } | ConvertTo-Json`,
      { env },
    );
    expect(outcome.Id).toMatch(/^SYSMONTS_E_CONFIG_[A-Z]+,Set-MonitorConfig$/);
    expect(outcome.Line).toBe(5);
    expect(outcome.After).toBe(outcome.Before);
  }, 60_000);

  it("changes nothing with -WhatIf", () => {
    const outcome = pwshJson<{ Before: string; After: string; Running: boolean }>(
      `$before = (Get-MonitorStatus).ConfigHash
       Get-Item '${path.join(workDir, "other.xml")}' | Set-MonitorConfig -WhatIf
       Uninstall-Monitor -WhatIf
       $after = Get-MonitorStatus
       [pscustomobject]@{ Before = $before; After = $after.ConfigHash; Running = $null -ne $after } | ConvertTo-Json`,
      { env },
    );
    expect(outcome.After).toBe(outcome.Before);
    expect(outcome.Running).toBe(true);
  }, 60_000);

  it("loads a good config through the pipeline and Test-MonitorConfig decides events with it", () => {
    const outcome = pwshJson<{ Changed: boolean; Include: boolean[] }>(
      `$before = (Get-MonitorStatus).ConfigHash
       Get-Item '${path.join(workDir, "other.xml")}' | Set-MonitorConfig
       $decisions = Test-MonitorConfig -Path '${path.join(workDir, "other.xml")}' -Event @(@{ EventId = 1; CommandLine = 'x ${marker}-other' }, @{ EventId = 1; CommandLine = 'unrelated' })
       [pscustomobject]@{ Changed = (Get-MonitorStatus).ConfigHash -ne $before; Include = @($decisions | Where-Object { $_.PSObject.TypeNames[0] -eq 'SysmonTs.RuleDecision' } | ForEach-Object Include) } | ConvertTo-Json`,
      { env },
    );
    expect(outcome.Changed).toBe(true);
    expect(outcome.Include).toEqual([true, false]);
  }, 60_000);

  it("streams new events with Watch-MonitorEvent and stops after -MaxEvents", async () => {
    // The config loaded by the previous test keeps command lines containing "<marker>-other".
    const script = `Import-Module '${moduleManifest}'; $e = Watch-MonitorEvent -Id 1 -FilterHashtable @{ CommandLine = '/bin/true ${marker}-other-watch' } -MaxEvents 1 -Timeout 60; [pscustomobject]@{ Type = $e.PSObject.TypeNames[0]; CommandLine = $e.CommandLine } | ConvertTo-Json`;
    const child = spawn(PWSH!, ["-NoLogo", "-NoProfile", "-NonInteractive", "-Command", script], { env: { ...process.env, ...env } });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    let done = false;
    void exited.then(() => (done = true));
    // Keep producing matching processes until the subscriber has had one: no guess at pwsh's start-up time.
    while (!done) {
      spawnSync("/bin/true", [`${marker}-other-watch`]);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(await exited).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ Type: "SysmonTs.Event.ProcessCreate", CommandLine: `/bin/true ${marker}-other-watch` });
  }, 90_000);

  it("uninstalls, after which commands say the monitor is not running", () => {
    const outcome = pwshJson<{ Id: string; Message: string }>(
      `Uninstall-Monitor -Force
       $record = try { Get-MonitorStatus -ErrorAction Stop; $null } catch { $_ }
       [pscustomobject]@{ Id = $record.FullyQualifiedErrorId; Message = $record.Exception.Message } | ConvertTo-Json`,
      { env, timeoutMs: 120_000 },
    );
    expect(outcome.Id).toBe("SYSMONTS_E_NOT_RUNNING,Get-MonitorStatus");
    expect(outcome.Message).toMatch(/^The SysmonTs monitor is not running \(no control channel at \/run\/sysmonts\/control\.sock\)/);
  }, 130_000);
});
