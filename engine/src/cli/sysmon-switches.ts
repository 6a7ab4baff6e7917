import { readFileSync } from "node:fs";
import { SysmonTsError } from "../base";
import { callControl } from "../control";
import { loadConfig } from "../config";
import { installLinux, isInstalled, linuxLayout, requireRoot, uninstallLinux, writeFileAtomic, VERSION } from "../service";
import type { Command, CommandContext } from "./command";
import { runForeground } from "./run";

type ValueKind = "none" | "optional" | "required";

interface SwitchSpec {
  readonly name: string;
  readonly value: ValueKind;
}

/**
 * Sysmon's switches in its matching order (spec/cli-and-output.md §2): a switch wins when its
 * name is a prefix of the argument's remaining text, earlier entries first, case-insensitively.
 */
const SWITCHES: readonly SwitchSpec[] = [
  { name: "i", value: "optional" },
  { name: "c", value: "optional" },
  { name: "u", value: "optional" },
  { name: "m", value: "none" },
  { name: "z", value: "required" },
  { name: "t", value: "optional" },
  { name: "btf", value: "optional" },
  { name: "service", value: "none" },
  { name: "s", value: "optional" },
  { name: "nologo", value: "none" },
  { name: "accepteula", value: "none" },
  { name: "a", value: "required" },
  { name: "d", value: "required" },
  { name: "dns", value: "optional" },
  { name: "g", value: "required" },
  { name: "h", value: "required" },
  { name: "k", value: "required" },
  { name: "l", value: "optional" },
  { name: "n", value: "optional" },
  { name: "r", value: "optional" },
  { name: "x", value: "required" },
  { name: "y", value: "required" },
];

const EXCLUSIVE = new Set(["i", "c", "u", "m", "z", "s"]);
const NOT_IMPLEMENTED: Record<string, string> = {
  m: "-m installs the Windows event manifest; the SysmonTs MSI registers it",
  z: "-z is internal to Windows Sysmon's clipboard helper",
  btf: "-btf is not needed: SysmonTs reads the kernel's own BTF",
  a: "set ArchiveDirectory in the configuration file",
  d: "the driver name is fixed (SysmonTs)",
  dns: "use a DnsQuery rule in the configuration file",
  g: "use PipeEvent rules in the configuration file",
  h: "set HashAlgorithms in the configuration file",
  k: "use ProcessAccess rules in the configuration file",
  l: "use ImageLoad rules in the configuration file",
  n: "use NetworkConnect rules in the configuration file",
  r: "set CheckRevocation in the configuration file",
  x: "-x is for Sysmon's internal builds",
  y: "-y is for Sysmon's internal builds",
};

export interface ParsedSwitches {
  readonly switches: Map<string, string | undefined>;
  readonly configDefault: boolean;
}

function usageError(message: string): SysmonTsError {
  return new SysmonTsError("SYSMONTS_E_USAGE", message);
}

/** Parses a Sysmon-style command line (spec §1): prefixes, packed letters, optional and required values. */
export function parseSwitches(argv: readonly string[], options: { windows?: boolean } = {}): ParsedSwitches {
  const switches = new Map<string, string | undefined>();
  let configDefault = false;
  const isSwitchStart = (arg: string | undefined): boolean => arg !== undefined && (arg.startsWith("-") || (!!options.windows && arg.startsWith("/")));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      configDefault = true;
      continue;
    }
    if (!isSwitchStart(arg)) throw usageError(`unexpected argument '${arg}': every argument must begin with '-'`);
    let rest = arg.slice(1);
    let first = true;
    while (rest.length > 0) {
      const lower = rest.toLowerCase();
      const spec = SWITCHES.find((s) => (s.name.length === 1 || first) && lower.startsWith(s.name));
      if (!spec) throw usageError(`unknown switch '-${rest}' in '${arg}'`);
      if (switches.has(spec.name)) throw usageError(`the switch -${spec.name} is given twice`);
      // A multi-letter switch ends its argument (`-nologoXYZ` is -nologo); a letter may be packed.
      rest = spec.name.length > 1 ? "" : rest.slice(1);
      first = false;
      let value: string | undefined;
      const endsArgument = rest.length === 0;
      if (spec.value === "required") {
        if (!endsArgument || argv[i + 1] === undefined) throw usageError(`the switch -${spec.name} needs a value`);
        value = argv[++i];
      } else if (spec.value === "optional" && endsArgument && argv[i + 1] !== undefined && !isSwitchStart(argv[i + 1])) {
        value = argv[++i];
      }
      switches.set(spec.name, value);
    }
  }
  const exclusive = [...switches.keys()].filter((name) => EXCLUSIVE.has(name));
  if (exclusive.length > 1) throw usageError(`only one of -i, -c, -u, -m, -z and -s may be given (got ${exclusive.map((s) => `-${s}`).join(", ")})`);
  if (configDefault && !switches.has("c")) throw usageError("The '--' switch must be used with -c switch (config update) to set defaults.");
  return { switches, configDefault };
}

/**
 * Validates a config before anything is installed or changed; its errors stop the command.
 * Returns the decoded text (the file may be UTF-16 or Latin-1; the control channel carries text).
 */
function validateConfig(file: string, io: CommandContext): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new SysmonTsError("SYSMONTS_E_FILE", `cannot read configuration file ${file}: ${(error as Error).message}`, { cause: error });
  }
  const config = loadConfig(bytes, { file, platform: process.platform === "win32" ? "windows" : "linux" });
  for (const warning of config.warnings) io.stderr.write(`${warning.file}:${warning.line}:${warning.column}: warning: ${warning.message}\n`);
  io.stdout.write(`Loading configuration file with schema version ${config.schemaVersion}\nConfiguration file validated.\n`);
  return config.text;
}

async function install(value: string | undefined, io: CommandContext): Promise<number> {
  if (process.platform === "win32") throw new SysmonTsError("SYSMONTS_E_USAGE", "on Windows, install with the SysmonTs MSI or SysmonTs.exe -i from the service build");
  requireRoot();
  const xml = value === undefined ? null : validateConfig(value, io);
  const result = await installLinux({ configXml: xml, configArgument: value ?? "sysmonts -i", log: (line) => io.stderr.write(`${line}\n`) });
  io.stdout.write(`SysmonTs installed under ${linuxLayout().installDir} and started (configuration hash ${result.hash}).\n`);
  return 0;
}

async function configure(value: string | undefined, configDefault: boolean, io: CommandContext): Promise<number> {
  const layout = linuxLayout();
  if (configDefault) {
    io.stdout.write("Updating configuration to use all defaults.\n");
    const result = await callControl<{ hash: string }>("config.reset", {}, { endpoint: layout.controlSocket });
    io.stdout.write(`Configuration updated (hash ${result.hash}).\n`);
    return 0;
  }
  if (value === undefined) {
    const config = await callControl<{ dump: string }>("config.get", {}, { endpoint: layout.controlSocket }).catch((error: unknown) => {
      if (error instanceof SysmonTsError && error.code === "SYSMONTS_E_NOT_RUNNING") throw new SysmonTsError("SYSMONTS_E_USAGE", "SysmonTs is not running.");
      throw error;
    });
    io.stdout.write(config.dump.endsWith("\n") ? config.dump : `${config.dump}\n`);
    return 0;
  }
  const xml = validateConfig(value, io);
  try {
    const result = await callControl<{ hash: string }>("config.set", { xml, file: value }, { endpoint: layout.controlSocket });
    io.stdout.write(`Configuration updated (hash ${result.hash}).\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof SysmonTsError) || error.code !== "SYSMONTS_E_NOT_RUNNING") throw error;
    if (!isInstalled(layout)) throw new SysmonTsError("SYSMONTS_E_NOT_INSTALLED", "Error: SysmonTs is not installed.");
    requireRoot();
    writeFileAtomic(layout.configFile, xml);
    writeFileAtomic(layout.configArgumentFile, value);
    io.stdout.write("SysmonTs is not running; the new configuration is stored and applies when it starts.\n");
    return 0;
  }
}

async function uninstall(value: string | undefined, io: CommandContext): Promise<number> {
  if (value !== undefined && value.toLowerCase() !== "force") throw usageError("Invalid option for -u.");
  await uninstallLinux({ force: value !== undefined });
  io.stdout.write("SysmonTs stopped and removed.\n");
  return 0;
}

/** Runs a Sysmon-style command line: `-i [config]`, `-c [config|--]`, `-u [force]`, `-s`, `-t`. */
export async function runSysmonSwitches(argv: readonly string[], io: CommandContext, schemaCommand?: Command): Promise<number> {
  const { switches, configDefault } = parseSwitches(argv, { windows: process.platform === "win32" });
  if (!switches.has("nologo") && !switches.has("s")) io.stderr.write(`\nSysmonTs v${VERSION} - Sysmon-compatible system monitor\n\n`);
  for (const name of switches.keys()) {
    const why = NOT_IMPLEMENTED[name];
    if (why) throw usageError(`the switch -${name} is not supported by SysmonTs: ${why}`);
  }
  if (configDefault && [...switches.keys()].some((k) => !["c", "nologo", "accepteula"].includes(k))) {
    throw usageError("Cannot use specific settings with enforcing defaults.");
  }
  if (switches.has("t")) {
    const verbose = switches.get("t");
    if (verbose !== undefined && verbose.toLowerCase() !== "verbose") throw usageError("Possible options for DebugMode: verbose");
    const config = switches.get("i") ?? switches.get("c");
    return runForeground(config === undefined ? [] : ["--config", config], io, { format: "debug" });
  }
  if (switches.has("s")) {
    if (!schemaCommand) throw new SysmonTsError("SYSMONTS_E_INTERNAL", "the schema printer is not available");
    const value = switches.get("s");
    return schemaCommand.run({ ...io, args: value === undefined ? [] : [value] });
  }
  if (switches.has("i")) return install(switches.get("i"), io);
  if (switches.has("c")) return configure(switches.get("c"), configDefault, io);
  if (switches.has("u")) return uninstall(switches.get("u"), io);
  if (switches.has("service")) throw usageError("-service is used by the installed unit; run `sysmonts service` instead");
  throw usageError("nothing to do: give -i, -c, -u, -s or -t (see sysmonts -h)");
}
