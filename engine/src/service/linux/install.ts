import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SysmonTsError } from "../../base";
import { callControl } from "../../control";
import { libc } from "./libc";
import { type LinuxLayout, linuxLayout, systemdUnit } from "./layout";

export interface InstallOptions {
  /** The config XML to install, or null for the default config. */
  readonly configXml: string | null;
  /** The config argument as typed (event 16's Configuration). */
  readonly configArgument: string;
  readonly layout?: LinuxLayout;
  readonly log?: (line: string) => void;
}

export function requireRoot(): void {
  if (libc().geteuid() !== 0) throw new SysmonTsError("SYSMONTS_E_PRIVILEGE", "You need to run SysmonTs as root.");
}

export function isInstalled(layout: LinuxLayout = linuxLayout()): boolean {
  return existsSync(layout.launcher);
}

/** Whether systemd manages this machine (PID 1 is systemd); containers and this VM often lack it. */
export function systemdIsRunning(): boolean {
  return existsSync("/run/systemd/system");
}

/** Writes a file so a crash mid-write never leaves a truncated config behind. */
export function writeFileAtomic(file: string, content: string, mode = 0o600): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode });
  renameSync(temporary, file);
}

/** The running bundle and what it needs beside it: the node binary, koffi and its native part. */
function engineFiles(): { node: string; bundle: string; koffiDirs: string[]; bpfObject: string | undefined } {
  // Inside the bundle __filename is the bundle itself; from source (tests) the built one is used.
  const bundleCandidates = [__filename, path.resolve(__dirname, "../../../../dist/sysmonts.cjs")].filter((p) => p.endsWith("sysmonts.cjs"));
  const found = bundleCandidates.find((p) => existsSync(p));
  if (!found) throw new SysmonTsError("SYSMONTS_E_FILE", "cannot find the engine bundle (sysmonts.cjs) to install; run `npm run build`");
  // koffi's exports map hides package.json; its main file sits at the package root.
  const koffiDir = path.dirname(require.resolve("koffi"));
  const koffiDirs = [koffiDir];
  const nativeDir = path.join(path.dirname(koffiDir), "@koromix", `koffi-linux-${process.arch}`);
  if (existsSync(nativeDir)) koffiDirs.push(nativeDir);
  const bpfCandidates = [process.env["SYSMONTS_BPF_OBJECT"], path.resolve(path.dirname(found), "sysmonts.bpf.o"), path.resolve(path.dirname(found), "../driver/linux/build/sysmonts.bpf.o")];
  return { node: process.execPath, bundle: found, koffiDirs, bpfObject: bpfCandidates.find((p): p is string => !!p && existsSync(p)) };
}

function installFiles(layout: LinuxLayout, options: InstallOptions): void {
  const files = engineFiles();
  const lib = path.dirname(layout.bundle);
  mkdirSync(layout.installDir, { recursive: true, mode: 0o700 });
  chmodSync(layout.installDir, 0o700);
  mkdirSync(path.join(lib, "node_modules", "@koromix"), { recursive: true, mode: 0o700 });
  copyFileSync(files.node, path.join(lib, "node"));
  chmodSync(path.join(lib, "node"), 0o700);
  copyFileSync(files.bundle, layout.bundle);
  for (const dir of files.koffiDirs) {
    const target = dir.includes("@koromix") ? path.join(lib, "node_modules", "@koromix", path.basename(dir)) : path.join(lib, "node_modules", "koffi");
    cpSync(dir, target, { recursive: true });
  }
  if (files.bpfObject) copyFileSync(files.bpfObject, path.join(lib, "sysmonts.bpf.o"));
  writeFileSync(
    layout.launcher,
    [
      "#!/bin/sh",
      "# Installed by `sysmonts -i`; removed by `sysmonts -u`.",
      `export SYSMONTS_HOME='${layout.installDir}'`,
      `export SYSMONTS_BPF_OBJECT='${path.join(lib, "sysmonts.bpf.o")}'`,
      `exec '${path.join(lib, "node")}' '${layout.bundle}' "$@"`,
      "",
    ].join("\n"),
    { mode: 0o700 },
  );
  if (options.configXml !== null) writeFileAtomic(layout.configFile, options.configXml);
  else rmSync(layout.configFile, { force: true });
  writeFileAtomic(layout.configArgumentFile, options.configArgument);
  writeFileAtomic(
    layout.settingsFile,
    JSON.stringify({ store: { path: layout.storeFile, maxBytes: 1024 * 1024 * 1024, maxAgeDays: 30 }, sinks: [], control: { endpoint: layout.controlSocket } }, null, 2) + "\n",
  );
}

async function waitForControl(layout: LinuxLayout, timeoutMs: number): Promise<{ config: { hash: string } }> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await callControl<{ config: { hash: string } }>("status", {}, { endpoint: layout.controlSocket, timeoutMs: 2000 });
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const tail = existsSync(layout.logFile) ? readFileSync(layout.logFile, "utf8").split("\n").slice(-15).join("\n") : "";
  throw new SysmonTsError("SYSMONTS_E_SENSOR", `the installed engine did not start within ${timeoutMs / 1000} s: ${(lastError as Error)?.message ?? "no answer"}${tail ? `\nservice log (${layout.logFile}):\n${tail}` : ""}`);
}

/** Starts the installed engine: systemd when it runs the machine, otherwise the SysmonTs supervisor. */
export function startInstalledService(layout: LinuxLayout, log: (line: string) => void): void {
  if (systemdIsRunning()) {
    spawnSync("systemctl", ["daemon-reload"], { stdio: "ignore" });
    const started = spawnSync("systemctl", ["enable", "--now", "sysmonts.service"], { encoding: "utf8" });
    if (started.status !== 0) throw new SysmonTsError("SYSMONTS_E_SENSOR", `systemctl enable --now sysmonts.service failed: ${started.stderr.trim()}`);
    return;
  }
  log(`systemd is not running on this machine (PID 1 is '${pid1Name()}'): starting the engine directly under the SysmonTs supervisor, which restarts it on failure as the unit would.`);
  const out = openSync(layout.logFile, "a", 0o600);
  const child = spawn(layout.launcher, ["service"], { detached: true, stdio: ["ignore", out, out], cwd: layout.installDir });
  child.unref();
}

function pid1Name(): string {
  try {
    return readFileSync("/proc/1/comm", "utf8").trim();
  } catch {
    return "unknown";
  }
}

/** `sysmonts -i`: install under /opt/sysmonts, register the unit, start, and wait for the engine. */
export async function installLinux(options: InstallOptions): Promise<{ hash: string }> {
  requireRoot();
  const layout = options.layout ?? linuxLayout();
  const log = options.log ?? (() => undefined);
  if (isInstalled(layout)) {
    throw new SysmonTsError("SYSMONTS_E_ALREADY_INSTALLED", "SysmonTs is already installed. Uninstall it with 'sysmonts -u' before installing again, or update its configuration with 'sysmonts -c'.");
  }
  try {
    installFiles(layout, options);
    if (existsSync(path.dirname(layout.unitFile))) writeFileSync(layout.unitFile, systemdUnit(layout), { mode: 0o644 });
    startInstalledService(layout, log);
    const status = await waitForControl(layout, 30_000);
    return { hash: status.config.hash };
  } catch (error) {
    // A failed install leaves nothing behind, so it can simply be retried.
    await uninstallLinux({ layout, force: true }).catch(() => undefined);
    throw error;
  }
}

/** Processes running the installed bundle (the supervisor and the engine), found through /proc. */
function installedProcesses(layout: LinuxLayout): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes(layout.bundle) || cmdline.includes(layout.launcher)) pids.push(Number(entry));
      else if (readlinkSync(`/proc/${entry}/exe`).startsWith(layout.installDir)) pids.push(Number(entry));
    } catch {
      // gone, or a kernel thread
    }
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopProcesses(layout: LinuxLayout, force: boolean): Promise<void> {
  let pids = installedProcesses(layout);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + (force ? 5_000 : 20_000);
  while (Date.now() < deadline) {
    pids = pids.filter(alive);
    if (pids.length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** `sysmonts -u [force]`: stop and remove everything -i installed, and nothing else. */
export async function uninstallLinux(options: { layout?: LinuxLayout; force?: boolean } = {}): Promise<void> {
  requireRoot();
  const layout = options.layout ?? linuxLayout();
  if (!isInstalled(layout) && !options.force) throw new SysmonTsError("SYSMONTS_E_NOT_INSTALLED", "SysmonTs is not installed.");
  if (systemdIsRunning() && existsSync(layout.unitFile)) spawnSync("systemctl", ["disable", "--now", "sysmonts.service"], { stdio: "ignore" });
  await stopProcesses(layout, options.force ?? false);
  rmSync(layout.unitFile, { force: true });
  if (systemdIsRunning()) spawnSync("systemctl", ["daemon-reload"], { stdio: "ignore" });
  rmSync(layout.installDir, { recursive: true, force: true });
  rmSync(layout.runDir, { recursive: true, force: true });
}
