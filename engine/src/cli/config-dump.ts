import { SysmonTsError } from "../base";
import { dumpConfig, loadConfigFile } from "../config";
import type { Command } from "./command";
import { describeConfigError, platformOption } from "./config-args";
import { lastValue, parseOptions } from "./options";

/** `sysmonts config dump FILE`: the rules as `sysmon -c` prints an installed configuration. */
export const configDumpCommand: Command = {
  words: ["config", "dump"],
  usage: "config dump [--platform linux|windows] <configfile>",
  summary: "print a configuration's compiled rules in the layout of `sysmon -c`",
  async run({ args, stdout, stderr }) {
    const parsed = parseOptions(args, { values: ["platform"], command: "config dump" });
    const platform = platformOption(lastValue(parsed, "platform"), "config dump");
    const [file, extra] = parsed.positionals;
    if (file === undefined || extra !== undefined) throw new SysmonTsError("SYSMONTS_E_USAGE", "config dump: give exactly one configuration file");
    try {
      stdout.write(dumpConfig(loadConfigFile(file, { platform })));
      return 0;
    } catch (thrown) {
      if (!(thrown instanceof SysmonTsError)) throw thrown;
      stderr.write(describeConfigError(thrown, platform));
      return thrown.exitCode;
    }
  },
};
