import { SysmonTsError } from "../base";
import { installWindowsConfig, installWindowsDriver, removeWindowsDriver } from "../service";
import type { Command } from "./command";
import { parseOptions } from "./options";

// Exit status 3010 is ERROR_SUCCESS_REBOOT_REQUIRED, which msiexec and SCCM read as "installed,
// reboot needed": the driver could not unload and Windows deletes it at the next boot.
const EXIT_REBOOT_REQUIRED = 3010;

export const driverInstallCommand: Command = {
  words: ["driver", "install"],
  usage: "driver install",
  summary: "Windows: create and start the SysmonTs minifilter driver service (run by the MSI)",
  async run(context) {
    const options = parseOptions(context.args, { command: "driver install" });
    if (options.positionals.length > 0) throw new SysmonTsError("SYSMONTS_E_USAGE", `driver install: unexpected argument '${options.positionals[0]}'`);
    const result = installWindowsDriver();
    context.stdout.write(`driver ${result.created ? "created" : "already installed"} (${result.sysFile}); ${result.started ? "running" : `not started: Win32 error ${result.startError}`}\n`);
    return result.started ? 0 : 1;
  },
};

export const driverRemoveCommand: Command = {
  words: ["driver", "remove"],
  usage: "driver remove [--purge]",
  summary: "Windows: stop and delete the driver service; --purge also removes ProgramData\\SysmonTs and the registry keys",
  async run(context) {
    const options = parseOptions(context.args, { command: "driver remove", flags: ["purge"] });
    const result = removeWindowsDriver({ purge: options.flags.has("purge") });
    context.stdout.write(`driver ${result.existed ? "removed" : "was not installed"}${result.rebootRequired ? "; it is deleted at the next reboot" : ""}\n`);
    return result.rebootRequired ? EXIT_REBOOT_REQUIRED : 0;
  },
};

export const configInstallCommand: Command = {
  words: ["config", "install"],
  usage: "config install FILE",
  summary: "Windows: validate FILE and make it the configuration the service loads (the MSI's CONFIGFILE=)",
  async run(context) {
    const options = parseOptions(context.args, { command: "config install" });
    if (options.positionals.length !== 1) throw new SysmonTsError("SYSMONTS_E_USAGE", "config install: give exactly one configuration file");
    const installed = installWindowsConfig(options.positionals[0] ?? "");
    context.stdout.write(`installed ${installed.target} (${installed.hash})\n`);
    return 0;
  },
};
