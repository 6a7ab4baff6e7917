import { SysmonTsError, asSysmonTsError } from "../base";
import type { Command } from "./command";
import { COMMANDS } from "./commands";
import { VERSION } from "../service";
import { runSysmonSwitches } from "./sysmon-switches";

function findCommand(argv: readonly string[]): { command: Command; rest: readonly string[] } | undefined {
  const sorted = [...COMMANDS].sort((a, b) => b.words.length - a.words.length);
  for (const command of sorted) {
    const words = argv.slice(0, command.words.length).map((w) => w.toLowerCase());
    if (words.length === command.words.length && command.words.every((w, i) => w.toLowerCase() === words[i])) {
      return { command, rest: argv.slice(command.words.length) };
    }
  }
  return undefined;
}

export function usage(): string {
  const lines = [
    `SysmonTs ${VERSION} - a Sysmon-compatible host monitor`,
    "",
    "Sysmon switches:",
    "  sysmonts -i [<configfile>]      install (as root) and start the monitor",
    "  sysmonts -c [<configfile>|--]   update the running configuration, print it, or reset it to the defaults",
    "  sysmonts -u [force]             stop and uninstall",
    "  sysmonts -s [all|<version>]     print the event schema",
    "  sysmonts -t [-i <configfile>]   run in the foreground, printing every event (debug layout)",
    "  -accepteula and -nologo are accepted as Sysmon accepts them.",
    "",
    "Events are kept in the embedded store (query them with `sysmonts query` or Get-MonitorEvent)",
    "and sent to the sinks named in the engine settings.",
    "",
    "Commands:",
  ];
  for (const c of COMMANDS) lines.push(`  sysmonts ${c.usage}`, `      ${c.summary}`);
  return lines.join("\n") + "\n";
}

/** Runs the command line and resolves to the exit code; never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  const io = { stdout: process.stdout, stderr: process.stderr };
  if (argv.length === 0 || ["-h", "-?", "--help", "help", "/?"].includes(argv[0] ?? "")) {
    io.stdout.write(usage());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === "--version") {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const found = findCommand(argv);
  const sysmonStyle = !found && (argv[0]?.startsWith("-") || (process.platform === "win32" && argv[0]?.startsWith("/")));
  if (!found && !sysmonStyle) {
    io.stderr.write(`sysmonts: unknown command '${argv.join(" ")}'; see 'sysmonts -h'\n`);
    return 87;
  }
  try {
    if (!found) return await runSysmonSwitches(argv, { args: argv, ...io }, COMMANDS.find((c) => c.words.length === 1 && c.words[0] === "-s"));
    return await found.command.run({ args: found.rest, ...io });
  } catch (thrown) {
    const error = asSysmonTsError(thrown);
    io.stderr.write(`sysmonts: ${error.message} [${error.code}]\n`);
    if (!(thrown instanceof SysmonTsError) && thrown instanceof Error && thrown.stack) io.stderr.write(`${thrown.stack}\n`);
    return error.exitCode;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (thrown: unknown) => {
      process.stderr.write(`sysmonts: ${String(thrown)}\n`);
      process.exitCode = 70;
    },
  );
}
