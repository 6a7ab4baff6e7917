import { writeFileSync } from "node:fs";
import { SysmonTsError } from "../base";
import { buildEventLogManifest } from "../output";
import type { Command, CommandContext } from "./command";

interface ManifestArgs {
  readonly out: string | undefined;
  readonly resourceFile: string | undefined;
}

function parseArgs(args: readonly string[]): ManifestArgs {
  let out: string | undefined;
  let resourceFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = args[i + 1];
    if (arg === "--out" || arg === "--resource-file") {
      if (value === undefined) throw new SysmonTsError("SYSMONTS_E_USAGE", `${arg} needs a value`);
      if (arg === "--out") out = value;
      else resourceFile = value;
      i++;
    } else throw new SysmonTsError("SYSMONTS_E_USAGE", `eventlog manifest: unexpected argument '${arg}'`);
  }
  return { out, resourceFile };
}

/**
 * Prints (or writes with --out) the Windows instrumentation manifest generated from the event
 * catalogue; the installer registers it with `wevtutil im`.
 */
export const eventLogManifestCommand: Command = {
  words: ["eventlog", "manifest"],
  usage: "sysmonts eventlog manifest [--out FILE] [--resource-file C:\\path\\SysmonTs.exe]",
  summary: "generate the Windows event-log manifest (provider SysmonTs) from the event catalogue",
  async run(context: CommandContext): Promise<number> {
    const args = parseArgs(context.args);
    const xml = buildEventLogManifest(args.resourceFile === undefined ? {} : { resourceFile: args.resourceFile });
    if (args.out === undefined) {
      context.stdout.write(xml);
      return 0;
    }
    try {
      writeFileSync(args.out, xml);
    } catch (thrown) {
      throw new SysmonTsError("SYSMONTS_E_FILE", `cannot write ${args.out}: ${(thrown as Error).message}`, { cause: thrown });
    }
    return 0;
  },
};
