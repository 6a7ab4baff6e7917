import type { Command } from "./command";
import { schemaPowerShellCommand } from "./schema-powershell";

// Each subcommand lives in its own module and is listed here once. Longer word lists are
// matched first, so `config check` wins over a hypothetical `config`.
export const COMMANDS: readonly Command[] = [
  schemaPowerShellCommand,
];
