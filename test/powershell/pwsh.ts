// Runs real PowerShell 7 (pwsh) for the system tests. pwsh cannot be installed on this
// project's machines today (see README.md here), so the tests that need it are skipped with that
// reason whenever it is not on PATH, and run in full wherever it is.
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";

export const repoRoot = path.resolve(__dirname, "../..");
export const moduleManifest = path.join(repoRoot, "module", "SysmonTs.psd1");

/** The pwsh executable on PATH, or null. */
export function findPwsh(): string | null {
  const names = process.platform === "win32" ? ["pwsh.exe"] : ["pwsh"];
  for (const dir of (process.env["PATH"] ?? "").split(path.delimiter)) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return null;
}

export const PWSH = findPwsh();
export const PWSH_MISSING_REASON = "pwsh (PowerShell 7) is not on PATH: no registry reachable from this machine provides it (evidence in test/powershell/README.md)";

/** describe() when pwsh exists; otherwise describe.skip() with the reason in its title and on stderr. */
export function describeWithPwsh(name: string, body: () => void): void {
  if (PWSH) {
    describe(name, body);
    return;
  }
  process.stderr.write(`SKIPPED ${name}: ${PWSH_MISSING_REASON}\n`);
  describe.skip(`${name} [skipped: ${PWSH_MISSING_REASON}]`, body);
}

export interface PwshResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a script in a fresh non-interactive pwsh with the module imported. */
export function runPwsh(script: string, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): PwshResult {
  if (!PWSH) throw new Error(PWSH_MISSING_REASON);
  const prelude = `$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'; Import-Module '${moduleManifest.replace(/'/g, "''")}' -Force\n`;
  const result = spawnSync(PWSH, ["-NoLogo", "-NoProfile", "-NonInteractive", "-Command", "-"], {
    input: prelude + script,
    encoding: "utf8",
    env: { ...process.env, ...options.env },
    timeout: options.timeoutMs ?? 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a script whose last output is `... | ConvertTo-Json` and parses that JSON. */
export function pwshJson<T>(script: string, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): T {
  const result = runPwsh(script, options);
  if (result.status !== 0) throw new Error(`pwsh exited ${String(result.status)}\n${result.stderr}\n${result.stdout}`);
  return JSON.parse(result.stdout) as T;
}
