// Warnings for configurations that load but probably do not do what their author meant
// (config.md §5.3, §6.2, §8, §13.10). Lint never changes a decision.

import { eventDef, eventsForRuleName } from "../schema";
import type { Platform } from "./options";
import type { CompiledFilter, RuleEntry, RuleSet } from "./ruleset";
import type { SchemaVersion } from "./version";
import { NEWEST_SCHEMA, refusedByCurrentSysmon } from "./version";
import type { LintWarning } from "./warnings";
import type { XmlElement } from "./xml";
import { attribute, childElements } from "./xml";

export interface LintInput {
  readonly file: string;
  readonly platform: Platform;
  readonly version: SchemaVersion;
  readonly document: XmlElement;
  readonly rules: RuleSet;
}

const LIST_CONDITIONS = new Set(["contains any", "excludes any", "contains all", "excludes all", "is any"]);
const NUMERIC_TYPES = new Set(["uint32", "uint16", "uint64", "hex32", "hex64"]);

function allFilters(entry: RuleEntry): CompiledFilter[] {
  return entry.items.flatMap((item) => (item.kind === "compound" ? [...item.filters] : [item]));
}

function canonical(element: XmlElement): string {
  const attrs = element.attributes.map((a) => `${a.name}=${JSON.stringify(a.value)}`).join(" ");
  const children = element.children.map((c) => (c.kind === "element" ? canonical(c) : c.text.trim())).join("");
  return `<${element.name} ${attrs}>${children}</>`;
}

/**
 * Lints a compiled configuration.
 *
 * @example
 * lintConfig(input).map(formatWarning); // ["a.xml:3:7: warning: …"]
 */
export function lintConfig(input: LintInput): LintWarning[] {
  const warnings: LintWarning[] = [];
  const warn = (at: { line: number; column: number }, code: string, message: string): void => {
    warnings.push({ file: input.file, line: at.line, column: at.column, code, message });
  };

  if (refusedByCurrentSysmon(input.version)) {
    warn(input.document, "old-schema", `schema ${input.version.text} is read with OR-combined elements, but current Sysmon (schema ${NEWEST_SCHEMA}) refuses versions below 4.00`);
  }

  const seen = new Map<string, RuleEntry>();
  let previous: RuleEntry | undefined;
  for (const entry of input.rules.entries) {
    const def = eventDef(entry.eventId);
    const key = `${entry.ruleName}/${entry.onmatch}`;
    const earlier = seen.get(key);
    if (earlier && entry.onmatch === "exclude") {
      warn(entry, "same-onmatch-twice", `second <${entry.ruleName} onmatch="exclude"> (first at line ${earlier.line}): with two or more exclude elements, events matching none of them are dropped, not logged (config.md §6.2); merge them into one element`);
    } else if (earlier && previous?.ruleName === entry.ruleName && previous.onmatch === entry.onmatch) {
      warn(entry, "same-onmatch-twice", `second <${entry.ruleName} onmatch="include"> (first at line ${earlier.line}): decisions are as if merged, but 'sysmon -c' does not show this element (Appendix B); merge them into one element`);
    }
    previous = entry;
    if (!earlier) seen.set(key, entry);

    if (def.target === "windows" && input.platform === "linux") warn(entry, "platform-event", `${entry.ruleName} events are produced only on Windows; this rule never sees an event on Linux`);
    else if (def.target === "linux" && input.platform === "windows") warn(entry, "platform-event", `${entry.ruleName} events are produced only on Linux; this rule never sees an event on Windows`);
    else if (input.platform === "linux" && !def.sysmonForLinux) warn(entry, "platform-event", `Sysmon for Linux never produces ${entry.ruleName} events (event ${def.id}); check that this rule is meant for Linux`);

    const fields = new Set(entry.items.filter((i) => i.kind === "filter").map((f) => (f as CompiledFilter).field));
    const bare = !isInRuleGroup(input.document, entry);
    if (bare && entry.combine === "and" && fields.size > 1) {
      warn(entry, "and-by-default", `<${entry.ruleName}> is not inside a RuleGroup, so schema ${input.version.text} combines its ${fields.size} fields with AND: every field must match (config.md §2.3); wrap it in <RuleGroup groupRelation="or"> if any filter should do`);
    }

    for (const item of entry.items) {
      if (item.kind !== "compound" || item.combine !== "and") continue;
      // Two `is` filters on one field with different values can never both hold: inside a
      // Rule there is no same-field OR (config.md §6.4, Q15).
      const equalities = item.filters.filter((f) => f.condition === "is");
      const clash = equalities.find((f, i) => equalities.some((g, j) => j < i && g.field === f.field && g.value.toLowerCase() !== f.value.toLowerCase()));
      if (clash) warn(clash, "and-rule-same-field", `<Rule groupRelation="and"> requires ${clash.field} to equal two different values, so it never matches; filters on one field inside a Rule are not OR'ed (config.md §6.4)`);
    }

    const siblings = eventsForRuleName(entry.ruleName).filter((d) => d.id !== entry.eventId);
    for (const filter of allFilters(entry)) {
      lintFilter(filter, def.fields[filter.fieldIndex]?.type ?? "string", input.platform, warn);
      const missed = siblings.filter((d) => d.fieldIndex.has(filter.field) && d.fields[filter.fieldIndex]?.name !== filter.field);
      if (missed.length) {
        const list = missed.map((d) => `${d.id} (where index ${filter.fieldIndex} is ${d.fields[filter.fieldIndex]?.name ?? "past the end"})`).join(", ");
        warn(filter, "group-field-index", `${entry.ruleName} element is bound to event ${entry.eventId}; its ${filter.field} filter is read by field index and never matches event ${list} (config.md §5.3)`);
      }
    }
  }

  lintDuplicateGroups(input.document, warn);
  return warnings;
}

function isInRuleGroup(document: XmlElement, entry: RuleEntry): boolean {
  for (const filtering of childElements(document)) {
    if (filtering.name !== "EventFiltering") continue;
    for (const child of childElements(filtering)) {
      if (child.line === entry.line && child.column === entry.column) return false;
    }
  }
  return true;
}

type Warn = (at: { line: number; column: number }, code: string, message: string) => void;

function lintFilter(filter: CompiledFilter, fieldType: string, platform: Platform, warn: Warn): void {
  const value = filter.value;
  if (LIST_CONDITIONS.has(filter.condition)) {
    if (value.includes(";;") || value.endsWith(";") || value.startsWith(";")) {
      const effect =
        filter.condition === "contains any"
          ? "an empty item occurs in every value, so this filter matches everything"
          : filter.condition === "excludes any"
            ? "an empty item occurs in every value, so this filter never matches"
            : filter.condition === "is any"
              ? "empty items never match"
              : "an empty item is searched as the rest of the list, not skipped";
      warn(filter, "empty-list-item", `'${filter.condition}' value has an empty item (';;' or a leading/trailing ';'): ${effect} (config.md §8)`);
    }
  }
  if ((filter.condition === "less than" || filter.condition === "more than") && (/^\d+$/.test(value) || NUMERIC_TYPES.has(fieldType))) {
    warn(filter, "text-comparison", `'${filter.condition}' compares text, not numbers: '443' is not less than '1024' (config.md §8)`);
  }
  if (filter.condition === "image" && platform === "linux" && !value.includes("\\") && !value.includes("/")) {
    warn(filter, "image-linux-path", `'image' splits paths only at '\\', so '${value}' never matches a Linux path such as /usr/bin/${value}; use 'end with' /${value} (config.md §8)`);
  }
  if (value === "" && ["contains", "begin with", "end with", "contains any"].includes(filter.condition)) {
    warn(filter, "empty-value", `'${filter.condition}' with an empty value matches every event`);
  }
  if (value === "" && ["is", "is any", "excludes", "not begin with", "not end with"].includes(filter.condition)) {
    warn(filter, "empty-value", `'${filter.condition}' with an empty value never matches (empty fields read as '-')`);
  }
  if (platform === "linux" && /%[^%]+%/.test(value)) {
    warn(filter, "env-var-linux", `environment variables such as ${/%[^%]+%/.exec(value)?.[0]} are expanded only on Windows (config.md §7.3)`);
  }
}

function lintDuplicateGroups(document: XmlElement, warn: Warn): void {
  const seen = new Map<string, XmlElement>();
  for (const filtering of childElements(document)) {
    if (filtering.name !== "EventFiltering") continue;
    for (const group of childElements(filtering)) {
      if (group.name !== "RuleGroup" || childElements(group).length === 0) continue;
      const key = canonical(group);
      const first = seen.get(key);
      if (first) {
        const name = attribute(group, "name")?.value;
        warn(group, "duplicate-rulegroup", `RuleGroup${name ? ` '${name}'` : ""} repeats the one at line ${first.line} exactly`);
      } else {
        seen.set(key, group);
      }
    }
  }
}
