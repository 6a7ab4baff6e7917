import { SysmonTsError } from "../base";
import { formatWarning, loadConfigFile } from "../config";
import type { Command } from "./command";
import { platformOption, describeConfigError } from "./config-args";
import { lastValue, parseOptions } from "./options";

/**
 * `sysmonts config check FILE`: loads a configuration as Sysmon would, printing lint warnings
 * to stderr as `file:line:col: warning: …`. Exit 0 when it loads, 1 when it is rejected.
 */
export const configCheckCommand: Command = {
  words: ["config", "check"],
  usage: "config check [--platform linux|windows] <configfile>",
  summary: "validate a Sysmon XML configuration; warnings and errors as file:line:col",
  async run({ args, stdout, stderr }) {
    const parsed = parseOptions(args, { values: ["platform"], command: "config check" });
    const platform = platformOption(lastValue(parsed, "platform"), "config check");
    const [file, extra] = parsed.positionals;
    if (file === undefined || extra !== undefined) throw new SysmonTsError("SYSMONTS_E_USAGE", "config check: give exactly one configuration file");
    try {
      const config = loadConfigFile(file, { platform });
      for (const warning of config.warnings) stderr.write(`${formatWarning(warning)}\n`);
      stdout.write(`Loading configuration file with schema version ${config.schemaVersion}\n`);
      stdout.write(`Configuration file validated.${config.warnings.length ? ` (${config.warnings.length} warning${config.warnings.length === 1 ? "" : "s"})` : ""}\n`);
      return 0;
    } catch (thrown) {
      if (!(thrown instanceof SysmonTsError)) throw thrown;
      stderr.write(describeConfigError(thrown, platform));
      return thrown.exitCode;
    }
  },
};
