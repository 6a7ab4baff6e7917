import path from "node:path";
import { DEFAULT_SETTINGS, type EngineSettings, loadSettingsFile, runEngine } from "../service";
import { defaultControlEndpoint } from "../control";
import type { Command } from "./command";
import { consoleRenderer } from "./console-format";
import { lastValue, parseOptions } from "./options";

/** Settings for a foreground run: the settings file if given, then the command-line overrides. */
function foregroundSettings(options: ReturnType<typeof parseOptions>): EngineSettings {
  const file = lastValue(options, "settings");
  const base = file ? loadSettingsFile(file, { ...DEFAULT_SETTINGS, store: { ...DEFAULT_SETTINGS.store, path: "/var/lib/sysmonts/events.db" }, control: { endpoint: defaultControlEndpoint() } }) : undefined;
  const storePath = options.flags.has("no-store") ? null : (lastValue(options, "store") ?? base?.store.path ?? "/var/lib/sysmonts/events.db");
  const endpoint = options.flags.has("no-control") ? null : (lastValue(options, "control") ?? base?.control.endpoint ?? defaultControlEndpoint());
  return {
    store: { ...(base?.store ?? DEFAULT_SETTINGS.store), path: storePath === null ? null : path.resolve(storePath) },
    sinks: base?.sinks ?? [],
    control: { endpoint },
  };
}

/**
 * Runs the monitor in the foreground until Ctrl+C: events printed as they happen (one per line,
 * Sysmon for Linux's XML by default) and kept in the store, the control channel open so that
 * `sysmonts status`, `query` and PowerShell work against it.
 */
export async function runForeground(args: readonly string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }, defaults: { format?: string } = {}): Promise<number> {
  const options = parseOptions(args, { command: "run", values: ["config", "format", "store", "settings", "control"], flags: ["no-store", "no-control", "quiet"] });
  const configPath = lastValue(options, "config") ?? options.positionals[0] ?? null;
  const render = consoleRenderer(lastValue(options, "format") ?? defaults.format ?? "xml");
  const quiet = options.flags.has("quiet");
  const settings = foregroundSettings(options);
  const running = await runEngine({
    platform: process.platform === "win32" ? "windows" : "linux",
    configPath: configPath === null ? null : path.resolve(configPath),
    ...(configPath === null ? {} : { configArgument: configPath }),
    settings,
    handleSignals: true,
    log: (level, message) => io.stderr.write(`sysmonts: ${level}: ${message}\n`),
    ...(quiet ? {} : { onEvent: (event) => void io.stdout.write(render(event) + "\n") }),
  });
  const where = [settings.store.path ? `store ${settings.store.path}` : "no store", settings.control.endpoint ? `control ${settings.control.endpoint}` : "no control channel"];
  io.stderr.write(`sysmonts: monitoring with ${running.engine.loadedConfig.file} (${where.join(", ")}); Ctrl+C stops\n`);
  await running.stopped;
  return 0;
}

export const runCommand: Command = {
  words: ["run"],
  usage: "run [--config FILE] [--format xml|json|debug] [--store PATH | --no-store] [--settings FILE] [--control PATH | --no-control] [--quiet]",
  summary: "run the monitor in the foreground (as root): events printed as they happen and kept in the store",
  run: (context) => runForeground(context.args, context),
};
