// A test-only oracle: the decision procedure of config.md §6–§9 written as plainly as the spec
// states it, straight from the compiled rule entries (§5) and with its own condition code
// (§8). It shares nothing with rules/decide.ts or the plans, lookups, automata and caches that
// make decide() fast, so a differential test against it checks all of them at once.
import type { CompiledFilter, CompoundRule, RuleEntry, RuleSet } from "../../../engine/src/config";
import { findEvent } from "../../../engine/src/schema";
import type { EventDef, SysmonEvent } from "../../../engine/src/schema";

export interface ReferenceDecision {
  readonly include: boolean;
  readonly ruleName: string;
}

/** §7.2: Windows lowercases every character, Linux ASCII letters only. */
function foldFor(rules: RuleSet): (text: string) => string {
  if (rules.folding === "windows") return (text) => text.toLowerCase();
  return (text) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * The items of a `;` list for the contains/excludes families (§8): an empty item is searched
 * as the rest of the rule text from where it starts.
 */
function searchItems(rule: string): string[] {
  const items: string[] = [];
  let start = 0;
  while (true) {
    let end = start;
    while (end < rule.length && rule[end] !== ";") end++;
    if (end === rule.length) {
      items.push(rule.substring(start));
      return items;
    }
    items.push(end === start ? rule.substring(start) : rule.substring(start, end));
    start = end + 1;
  }
}

function orderKey(rules: RuleSet, text: string): string {
  // Windows compares lowercased text, Linux ASCII-uppercased text (§8).
  return rules.folding === "linux" ? text.replace(/[a-z]/g, (c) => c.toUpperCase()) : text;
}

function conditionHolds(rules: RuleSet, condition: CompiledFilter["condition"], value: string, rule: string): boolean {
  switch (condition) {
    case "is":
      return value === rule;
    case "is not":
      return value !== rule;
    case "contains":
      return value.indexOf(rule) !== -1;
    case "excludes":
      return value.indexOf(rule) === -1;
    case "begin with":
      return value.substring(0, rule.length) === rule;
    case "not begin with":
      return value.substring(0, rule.length) !== rule;
    case "end with":
      return rule.length <= value.length && value.substring(value.length - rule.length) === rule;
    case "not end with":
      return !(rule.length <= value.length && value.substring(value.length - rule.length) === rule);
    case "contains any":
      return searchItems(rule).some((item) => value.indexOf(item) !== -1);
    case "excludes any":
      return searchItems(rule).every((item) => value.indexOf(item) === -1);
    case "contains all":
      return searchItems(rule).every((item) => value.indexOf(item) !== -1);
    case "excludes all":
      return searchItems(rule).some((item) => value.indexOf(item) === -1);
    case "is any":
      return rule.split(";").some((item) => item !== "" && item === value);
    case "less than":
      return orderKey(rules, value) < orderKey(rules, rule);
    case "more than":
      return orderKey(rules, value) > orderKey(rules, rule);
    case "image":
      if (rule.includes("\\")) return value === rule;
      return value.substring(value.lastIndexOf("\\") + 1) === rule;
  }
}

/** Evaluates `event` under `rules` as config.md §6.1–§6.4 and §9 describe. */
export function referenceDecide(rules: RuleSet, event: SysmonEvent): ReferenceDecision {
  const def = findEvent(event.id);
  const manifestDefault = { include: def?.ruleDefault !== "exclude", ruleName: "" };
  if (!def?.ruleName) return manifestDefault;
  // §6.1: every entry of the event's rule-name group, exclude elements first, each half in
  // reverse compilation order.
  const group = rules.entries.filter((entry) => entry.ruleName === def.ruleName);
  if (group.length === 0) return manifestDefault;
  const reversed = [...group].reverse();
  const ordered = [...reversed.filter((e) => e.onmatch === "exclude"), ...reversed.filter((e) => e.onmatch === "include")];
  const fold = foldFor(rules);
  let currentName = "";

  const filterMatches = (filter: CompiledFilter, target: EventDef): boolean => {
    // §5.3: the compiled index must hold the same field in this event of the group.
    if (target.fields[filter.fieldIndex]?.name !== filter.field) return false;
    const value = fold(event.values[filter.fieldIndex] ?? "-");
    if (!conditionHolds(rules, filter.condition, value, fold(filter.matchValue))) return false;
    if (filter.name !== "") currentName = filter.name;
    return true;
  };
  const compoundMatches = (rule: CompoundRule, target: EventDef): boolean => {
    if (rule.combine === "and") {
      for (const filter of rule.filters) if (!filterMatches(filter, target)) return false;
      return rule.filters.length > 0;
    }
    for (const filter of rule.filters) if (filterMatches(filter, target)) return true;
    return false;
  };
  const entryMatches = (entry: RuleEntry, target: EventDef): boolean => {
    if (entry.items.length === 0) return false;
    if (entry.combine === "or") {
      for (const item of entry.items) {
        if (item.kind === "compound" ? compoundMatches(item, target) : filterMatches(item, target)) return true;
      }
      return false;
    }
    const satisfied = new Set<number>();
    for (let i = 0; i < entry.items.length; i++) {
      const item = entry.items[i]!;
      if (item.kind === "compound") {
        if (!compoundMatches(item, target)) return false;
        continue;
      }
      if (satisfied.has(item.fieldIndex)) continue;
      if (filterMatches(item, target)) {
        satisfied.add(item.fieldIndex);
        continue;
      }
      const laterOnSameField = entry.items.slice(i + 1).some((other) => other.kind === "filter" && other.fieldIndex === item.fieldIndex);
      if (!laterOnSameField) return false;
    }
    return true;
  };

  for (const entry of ordered) {
    if (entryMatches(entry, def)) return { include: entry.onmatch === "include", ruleName: currentName };
  }
  // §6.2: a lone element applies its default; two or more exclude.
  if (ordered.length === 1) return { include: ordered[0]!.onmatch === "exclude", ruleName: "" };
  return { include: false, ruleName: "" };
}
