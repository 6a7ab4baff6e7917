import type { Command } from "./command";
import { eventLogManifestCommand } from "./eventlog-manifest";
import { queryCommand } from "./query";
import { runCommand } from "./run";
import { schemaPowerShellCommand } from "./schema-powershell";
import { serviceCommand } from "./service";
import { statusCommand } from "./status";
import { configInstallCommand, driverInstallCommand, driverRemoveCommand } from "./windows-setup";
import { configCheckCommand } from "./config-check";
import { configDumpCommand } from "./config-dump";
import { rulesEvalCommand } from "./rules-eval";
import { schemaPrintCommand } from "./schema-print";
import { clipboardAgentCommand } from "./clipboard-agent";

// Each subcommand lives in its own module and is listed here once. Longer word lists are
// matched first, so `config check` wins over a hypothetical `config`.
export const COMMANDS: readonly Command[] = [
  runCommand,
  statusCommand,
  serviceCommand,
  schemaPowerShellCommand,
  queryCommand,
  eventLogManifestCommand,
  driverInstallCommand,
  driverRemoveCommand,
  configInstallCommand,
  configCheckCommand,
  configDumpCommand,
  rulesEvalCommand,
  schemaPrintCommand,
  clipboardAgentCommand,
];
