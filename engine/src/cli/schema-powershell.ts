import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SysmonTsError } from "../base";
import type { Command, CommandContext } from "./command";
import { powerShellFiles } from "./powershell-files";

interface SchemaPowerShellArgs {
  readonly directory: string;
  readonly check: boolean;
}

function parseArgs(args: readonly string[]): SchemaPowerShellArgs {
  let directory: string | undefined;
  let check = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--check") check = true;
    else if (arg === "--powershell") {
      directory = args[i + 1];
      if (directory === undefined) throw new SysmonTsError("SYSMONTS_E_USAGE", "--powershell needs a directory (usually module)");
      i++;
    } else throw new SysmonTsError("SYSMONTS_E_USAGE", `schema: unexpected argument '${arg}'`);
  }
  if (directory === undefined) throw new SysmonTsError("SYSMONTS_E_USAGE", "schema: say what to generate: --powershell DIR");
  return { directory, check };
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new SysmonTsError("SYSMONTS_E_FILE", `cannot read ${file}: ${(thrown as Error).message}`, { cause: thrown });
  }
}

/**
 * Writes the PowerShell module's generated files into a directory, or with --check reports
 * which of them differ from what the catalogue gives (exit 1), so CI catches a stale module.
 */
export async function runSchemaPowerShell(context: CommandContext): Promise<number> {
  const { directory, check } = parseArgs(context.args);
  const stale: string[] = [];
  for (const file of powerShellFiles()) {
    const target = path.join(directory, file.name);
    if (readIfPresent(target) === file.text) continue;
    stale.push(target);
    if (check) continue;
    try {
      mkdirSync(directory, { recursive: true });
      writeFileSync(target, file.text);
    } catch (thrown) {
      throw new SysmonTsError("SYSMONTS_E_FILE", `cannot write ${target}: ${(thrown as Error).message}`, { cause: thrown });
    }
  }
  if (check) {
    for (const file of stale) context.stderr.write(`sysmonts: ${file} is out of date; run 'sysmonts schema --powershell ${directory}'\n`);
    return stale.length === 0 ? 0 : 1;
  }
  for (const file of stale) context.stdout.write(`wrote ${file}\n`);
  return 0;
}

export const schemaPowerShellCommand: Command = {
  words: ["schema"],
  usage: "schema --powershell DIR [--check]",
  summary: "write the PowerShell module's type, format and catalogue files (--check: only compare)",
  run: runSchemaPowerShell,
};
