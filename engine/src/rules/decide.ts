// The include/exclude decision (config.md §6) and RuleName (§9) for one event. Runs on the
// hot path: no allocation besides the result object, event values case-folded at most once
// each per decision.

import type { PlannedCompound, PlannedEntry, PlannedFilter, RuleSet } from "../config";
import { findEvent } from "../schema";
import type { SysmonEvent } from "../schema";

export interface Decision {
  readonly include: boolean;
  /** The RuleName Sysmon reports (field 0); "" for none. */
  readonly ruleName: string;
}

const INCLUDE_NONE: Decision = Object.freeze({ include: true, ruleName: "" });
const EXCLUDE_NONE: Decision = Object.freeze({ include: false, ruleName: "" });

// Per-decision scratch state. decide() is synchronous and never re-entered, so one set is
// shared: the folded value of each field (valid when its stamp equals the current one) and
// the "current rule name" Sysmon keeps for the whole evaluation (§9).
const MAX_FIELDS = 64;
const foldedValues: string[] = new Array<string>(MAX_FIELDS).fill("");
const foldedStamp = new Uint32Array(MAX_FIELDS);
let stamp = 0;
let currentName = "";
let values: readonly string[] = [];
let fold: (text: string) => string = (t) => t;

function folded(index: number): string {
  if (foldedStamp[index] !== stamp) {
    foldedStamp[index] = stamp;
    foldedValues[index] = fold(values[index] ?? "-");
  }
  return foldedValues[index] as string;
}

function matchFilter(filter: PlannedFilter): boolean {
  if (filter.index < 0) return false;
  if (!filter.match(folded(filter.index))) return false;
  // Every matching filter with a name sets the current name, even if its element fails (§9).
  if (filter.name !== "") currentName = filter.name;
  return true;
}

function matchCompound(rule: PlannedCompound): boolean {
  const filters = rule.filters;
  if (rule.and) {
    for (let i = 0; i < filters.length; i++) if (!matchFilter(filters[i] as PlannedFilter)) return false;
    return filters.length > 0;
  }
  for (let i = 0; i < filters.length; i++) if (matchFilter(filters[i] as PlannedFilter)) return true;
  return false;
}

function matchEntry(entry: PlannedEntry): boolean {
  const items = entry.items;
  if (items.length === 0) return false;
  if (!entry.and) {
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as PlannedFilter | PlannedCompound;
      if (item.compound ? matchCompound(item) : matchFilter(item)) return true;
    }
    return false;
  }
  // AND: filters on the same field are alternatives; a compound rule must hold (§6.3).
  let matchedFields = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as PlannedFilter | PlannedCompound;
    if (item.compound) {
      if (!matchCompound(item)) return false;
      continue;
    }
    if ((matchedFields & item.fieldBit) !== 0) continue;
    if (matchFilter(item)) matchedFields |= item.fieldBit;
    else if (!item.laterSameField) return false;
  }
  return true;
}

/**
 * Decides whether Sysmon would log `event` under `rules`, and with which RuleName (§6, §9).
 * Events without a rule element (4, 16, 255) are always included.
 *
 * @example
 * decide(config.rules, eventFromFields(1, { Image: "C:\\Windows\\notepad.exe" }));
 * // { include: true, ruleName: "" }
 */
export function decide(rules: RuleSet, event: SysmonEvent): Decision {
  const plan = rules.plans.get(event.id);
  if (!plan) {
    const def = findEvent(event.id);
    return def?.ruleDefault === "exclude" ? EXCLUDE_NONE : INCLUDE_NONE;
  }
  stamp = stamp === 0xffffffff ? 1 : stamp + 1;
  values = event.values;
  fold = rules.fold;
  currentName = "";
  const entries = plan.entries;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as PlannedEntry;
    if (matchEntry(entry)) {
      const name = currentName;
      values = [];
      return { include: entry.includeOnMatch, ruleName: name };
    }
  }
  values = [];
  // Nothing matched: a lone element applies its default, two or more exclude (§6.2).
  if (entries.length === 1) return (entries[0] as PlannedEntry).includeOnMatch ? EXCLUDE_NONE : INCLUDE_NONE;
  return EXCLUDE_NONE;
}

/**
 * Sysmon's IdHasIncludeRules (§13.2): whether the configuration's entries for this event can
 * let anything through. False when there are none.
 */
export function idHasIncludeRules(rules: RuleSet, eventId: number): boolean {
  const plan = rules.plans.get(eventId);
  if (!plan) return false;
  const firstEmpty = plan.entries.find((e) => e.items.length === 0);
  return firstEmpty ? !firstEmpty.includeOnMatch : true;
}

/**
 * Whether an event of this ID can ever be logged under `rules`, so a sensor for it can stay
 * off otherwise: the §13.2 answer when the configuration has entries for it, else its
 * manifest default (events without a rule element are always logged).
 */
export function canInclude(rules: RuleSet, eventId: number): boolean {
  if (rules.plans.has(eventId)) return idHasIncludeRules(rules, eventId);
  const def = findEvent(eventId);
  if (!def) return false;
  return def.ruleDefault !== "exclude";
}
