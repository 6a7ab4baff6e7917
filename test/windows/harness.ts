/**
 * Shared by the Windows system tests: one package build per run (scripts/package.mjs skips
 * unchanged steps, so every test file may ask for it), and a throwaway Wine prefix.
 *
 * Wine facts this relies on (notes/windows-build.md §2): node.exe cannot write to a Unix pipe, so
 * output goes to files; services.exe and winedevice exit with the last Windows process, so one
 * idle cmd.exe is kept alive; the first session after `wineboot --init` is ended with
 * `wineserver -k`, or the SCM start lock makes the first StartService fail with 1053/1055.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const repoRoot = path.resolve(__dirname, "../..");
export const packageVersion: string = (JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string }).version;
/** Wine 8 cannot run Node >= 24 (MEM_RESERVE_PLACEHOLDER): the smoke test's exe is built on Node 22. */
export const WINE_TEST_NODE = "22.23.3";
export const buildDir = path.join(repoRoot, "build", "windows-package");

/** A version above the first build's, for the upgrade. */
export function bumpedVersion(version: string): string {
  const [major, minor, patch] = version.split(".").map(Number);
  return `${major}.${minor}.${(patch ?? 0) + 1}`;
}

function runPackage(args: string[]): void {
  execFileSync(path.join(repoRoot, "node_modules/.bin/node"), [path.join(repoRoot, "scripts/package.mjs"), "--out", buildDir, ...args], {
    cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"], timeout: 300_000,
  });
}

export interface WindowsBuild {
  readonly exe: string;
  readonly driver: string;
  readonly msi: string;
  readonly upgradeMsi: string;
  readonly upgradeVersion: string;
}

/** Builds (or finds up to date) the Wine-testable exe, the driver and two MSIs. */
export function ensureWindowsBuild(): WindowsBuild {
  const upgradeVersion = bumpedVersion(packageVersion);
  runPackage(["--no-linux", "--windows-node", WINE_TEST_NODE]);
  runPackage(["--no-linux", "--windows-node", WINE_TEST_NODE, "--msi-version", upgradeVersion]);
  return {
    exe: path.join(buildDir, "SysmonTs.exe"),
    driver: path.join(buildDir, "sysmonts.sys"),
    msi: path.join(buildDir, `SysmonTs-${packageVersion}.msi`),
    upgradeMsi: path.join(buildDir, `SysmonTs-${upgradeVersion}.msi`),
    upgradeVersion,
  };
}

/** Z:\... as Wine maps the Unix root. */
export function winePath(unixPath: string): string {
  return `Z:${unixPath.replace(/\//g, "\\")}`;
}

export interface WineResult {
  readonly code: number | null;
  readonly output: string;
}

export class WinePrefix {
  readonly prefix: string;
  private readonly scratch: string;
  private keeper: ChildProcess | undefined;
  private counter = 0;

  private constructor(readonly root: string) {
    this.prefix = path.join(root, "prefix");
    this.scratch = path.join(root, "out");
    mkdirSync(this.scratch, { recursive: true });
  }

  get env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, WINEPREFIX: this.prefix, WINEDEBUG: "-all", WINEDLLOVERRIDES: "mscoree,mshtml=" };
    delete env["DISPLAY"];
    return env;
  }

  /** A new prefix reporting Windows 10 (node.exe refuses wine's default Windows 7), session kept alive. */
  static create(): WinePrefix {
    const wine = new WinePrefix(mkdtempSync(path.join(os.tmpdir(), "sysmonts-wine-")));
    spawnSync("wineboot", ["--init"], { env: wine.env, stdio: "ignore", timeout: 120_000 });
    spawnSync("wine", ["winecfg", "/v", "win10"], { env: wine.env, stdio: "ignore", timeout: 60_000 });
    spawnSync("wineserver", ["-k"], { env: wine.env, stdio: "ignore", timeout: 60_000 });
    // An idle cmd.exe keeps services.exe and winedevice.exe (the driver's host) alive between commands.
    wine.keeper = spawn("wine", ["cmd.exe"], { env: wine.env, stdio: ["pipe", "ignore", "ignore"] });
    wine.run(["sc", "query", "type=", "service"]);
    return wine;
  }

  get driveC(): string {
    return path.join(this.prefix, "drive_c");
  }

  /** Runs a Windows program with stdout and stderr in a file (never a pipe: node.exe fails on one). */
  run(args: readonly string[], options: { timeoutMs?: number } = {}): WineResult {
    const file = path.join(this.scratch, `run-${++this.counter}.txt`);
    const fd = openSync(file, "w");
    try {
      const result = spawnSync("wine", args, { env: this.env, stdio: ["ignore", fd, fd], timeout: options.timeoutMs ?? 120_000 });
      return { code: result.status, output: readFileSync(file, "utf8").replace(/\r/g, "") };
    } finally {
      closeSync(fd);
    }
  }

  /** A file under the scratch directory, as Windows sees it. */
  scratchFile(name: string): { unix: string; windows: string } {
    const unix = path.join(this.scratch, name);
    return { unix, windows: winePath(unix) };
  }

  /** The value data of `reg query KEY /v NAME`, or null when the key or value is absent. */
  regValue(key: string, name: string): string | null {
    const result = this.run(["reg", "query", key, "/v", name]);
    if (result.code !== 0) return null;
    const line = result.output.split("\n").find((l) => l.trim().startsWith(`${name} `) || l.trim().startsWith(`${name}\t`));
    return line ? line.trim().split(/\s+/).slice(2).join(" ") : null;
  }

  /** STATE number from `sc query NAME`, or null when the service does not exist. */
  serviceState(name: string): number | null {
    const result = this.run(["sc", "query", name]);
    const match = /STATE\s*:\s*(\d+)/.exec(result.output);
    return match ? Number(match[1]) : null;
  }

  close(): void {
    this.keeper?.stdin?.end();
    this.keeper?.kill();
    spawnSync("wineserver", ["-k"], { env: this.env, stdio: "ignore", timeout: 60_000 });
    if (existsSync(this.root)) rmSync(this.root, { recursive: true, force: true });
  }
}
