// `sysmon -c` output for a configuration (config.md Appendix B, cli-and-output.md §10).

import type { LoadedConfig } from "./load";
import type { RuleEntry } from "./ruleset";

function pad(text: string, width: number): string {
  return text.padEnd(width, " ");
}

function label(name: string, value: string): string {
  return ` - ${pad(name, 34)}${value}`;
}

function capitalised(combine: "and" | "or"): string {
  return combine === "and" ? "And" : "Or";
}

/** The `Rule configuration` section: header, then entries in compilation order. */
export function dumpRules(schemaVersion: string, entries: readonly RuleEntry[]): string[] {
  if (entries.length === 0) return ["No rules installed"];
  const lines = [`Rule configuration (version ${schemaVersion}):`];
  let previous: RuleEntry | undefined;
  for (const entry of entries) {
    // Quirk kept from Sysmon: a record with the same rule name and onmatch as the one printed
    // just before it is not shown at all, filters included (Appendix B, item 4).
    if (previous && previous.ruleName === entry.ruleName && previous.onmatch === entry.onmatch) continue;
    previous = entry;
    lines.push(` - ${pad(entry.ruleName, 34)} onmatch: ${pad(entry.onmatch, 7)}   combine rules using '${capitalised(entry.combine)}'`);
    for (const item of entry.items) {
      if (item.kind === "filter") {
        lines.push(`\t${pad(item.field, 30)} filter: ${pad(item.condition, 12)} value: '${item.value}'`);
        continue;
      }
      const title = item.name ? item.name.slice(0, 32) : String(item.id).padStart(4, "0");
      lines.push(`\tCompound Rule ${title}   combine using ${capitalised(item.combine)}`);
      for (const filter of item.filters) lines.push(`\t    ${pad(filter.field, 30)} filter: ${pad(filter.condition, 12)} value: '${filter.value}'`);
    }
  }
  return lines;
}

/**
 * Renders a loaded configuration the way `sysmon -c` prints the installed one: on Linux the
 * Field Sizes line (if set), a blank line and the rules; on Windows the service and option
 * block first.
 *
 * @example
 * dumpConfig(loadConfig(xml, { file: "a.xml", platform: "linux" })).split("\n")[1];
 * // "Rule configuration (version 4.90):"
 */
export function dumpConfig(config: LoadedConfig): string {
  const o = config.options;
  const lines: string[] = [];
  if (config.platform === "windows") {
    lines.push("Current configuration:");
    lines.push(label("Service name:", "SysmonTs"));
    lines.push(label("Driver name:", o.driverName ?? "SysmonTsDrv"));
    lines.push(label("Config file:", config.file));
    lines.push(label("Config hash:", config.hash));
    if (o.fieldSizesText !== null) lines.push(label("Field Sizes:", o.fieldSizesText));
    lines.push("");
    lines.push(label("HashingAlgorithms:", o.hashAlgorithms.join(",")));
    lines.push(label("Network connection:", config.rules.plans.has(3) ? "enabled" : "disabled"));
    lines.push(label("Archive Directory:", o.archiveDirectory));
    lines.push(label("Image loading:", config.rules.plans.has(7) ? "enabled" : "disabled"));
    lines.push(label("CRL checking:", o.checkRevocation ? "enabled" : "disabled"));
    lines.push(label("DNS lookup:", o.dnsLookup ? "enabled" : "disabled"));
  } else if (o.fieldSizesText !== null) {
    lines.push(label("Field Sizes:", o.fieldSizesText));
  }
  lines.push("");
  lines.push(...dumpRules(config.schemaVersion, config.rules.entries));
  return `${lines.join("\n")}\n`;
}

/** One filter of a loaded configuration as a flat record (Get-MonitorConfig's SysmonTs.ConfigRule). */
export interface RuleDescription {
  readonly eventId: number;
  /** The rule element, e.g. "ProcessCreate". */
  readonly ruleName: string;
  readonly onmatch: "include" | "exclude";
  readonly combine: "and" | "or";
  readonly groupName: string;
  /** The name the filter reports as RuleName when it decides (§5.2); "" when none. */
  readonly ruleNameAttr: string;
  /** The compound `<Rule>` it belongs to: its name, or its aggregation ID as text; "" when none. */
  readonly compoundRule: string;
  readonly field: string;
  readonly condition: string;
  readonly value: string;
  readonly line: number;
  readonly column: number;
}

/**
 * Flattens the compiled rules into one record per filter, in compilation order; an element
 * without filters gives one record with empty field, condition and value.
 */
export function describeRules(config: Pick<LoadedConfig, "rules">): RuleDescription[] {
  const out: RuleDescription[] = [];
  for (const entry of config.rules.entries) {
    const base = { eventId: entry.eventId, ruleName: entry.ruleName, onmatch: entry.onmatch, combine: entry.combine, groupName: entry.groupName };
    if (entry.items.length === 0) {
      out.push({ ...base, ruleNameAttr: "", compoundRule: "", field: "", condition: "", value: "", line: entry.line, column: entry.column });
    }
    for (const item of entry.items) {
      const filters = item.kind === "filter" ? [item] : item.filters;
      const compoundRule = item.kind === "filter" ? "" : item.name || String(item.id).padStart(4, "0");
      for (const f of filters) {
        out.push({ ...base, ruleNameAttr: f.name, compoundRule, field: f.field, condition: f.condition, value: f.value, line: f.line, column: f.column });
      }
    }
  }
  return out;
}
