import { SysmonTsError } from "../base";

/**
 * A small `--name value` / `--flag` reader for the subcommands. Unknown options are usage
 * errors naming the option, so a typo never silently does something else.
 */
export interface ParsedOptions {
  readonly values: Map<string, string[]>;
  readonly flags: Set<string>;
  readonly positionals: string[];
}

export function parseOptions(args: readonly string[], spec: { values?: readonly string[]; flags?: readonly string[]; command: string }): ParsedOptions {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--") || arg === "--") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (spec.flags?.includes(name)) {
      if (eq !== -1) throw new SysmonTsError("SYSMONTS_E_USAGE", `${spec.command}: --${name} takes no value`);
      flags.add(name);
    } else if (spec.values?.includes(name)) {
      const value = eq !== -1 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw new SysmonTsError("SYSMONTS_E_USAGE", `${spec.command}: --${name} needs a value`);
      values.set(name, [...(values.get(name) ?? []), value]);
    } else {
      throw new SysmonTsError("SYSMONTS_E_USAGE", `${spec.command}: unknown option --${name}`);
    }
  }
  return { values, flags, positionals };
}

export function lastValue(options: ParsedOptions, name: string): string | undefined {
  return options.values.get(name)?.at(-1);
}
