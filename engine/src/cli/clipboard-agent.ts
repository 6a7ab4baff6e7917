import { SysmonTsError } from "../base";
import { ClipboardAgent } from "../sensor";
import type { Command } from "./command";
import { lastValue, parseOptions } from "./options";

/**
 * `SysmonTs.exe clipboard-agent --pipe \\.\pipe\NAME`: the per-session clipboard helper the
 * Windows service starts in each interactive session (Sysmon's `-z`). It runs until the service
 * closes it (or the session ends), serving clipboard changes on its pipe.
 */
export const clipboardAgentCommand: Command = {
  words: ["clipboard-agent"],
  usage: "clipboard-agent --pipe \\\\.\\pipe\\NAME",
  summary: "internal (Windows): report a session's clipboard text to the service",
  run: async (context) => {
    const options = parseOptions(context.args, { values: ["pipe"], command: "clipboard-agent" });
    const pipeName = lastValue(options, "pipe");
    if (pipeName === undefined || !/^\\\\\.\\pipe\\[^\\]+$/.test(pipeName)) {
      throw new SysmonTsError("SYSMONTS_E_USAGE", "clipboard-agent: --pipe must name a pipe as \\\\.\\pipe\\NAME");
    }
    const agent = await ClipboardAgent.start({ pipeName, log: (message) => context.stderr.write(`${message}\n`) });
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
      // The service ends the agent with TerminateProcess when it stops or the session ends.
    });
    await agent.close();
    return 0;
  },
};
