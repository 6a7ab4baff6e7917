// The include/exclude decision (config.md §6) and RuleName (§9) for one event. Runs on the
// hot path. It allocates only a result that carries a rule name, the case-folded text of values
// a matcher must see (at most once each per decision), and a per-field cache record for a long
// value not seen recently (bounded per field); a repeated long value is folded and scanned once.
// Short values are looked up in the equality tables without being folded (folded-keys.ts).

import { SKIP_SEARCH_MIN_LENGTH, markSubstrings } from "../config";
import type { FieldCache, FieldLookup, GateScanner, RememberedValue, SubstringAutomaton, EventPlan, OrIndex, PlannedCompound, PlannedEntry, PlannedFilter, RuleSet } from "../config";
import { findEvent } from "../schema";
import type { SysmonEvent } from "../schema";
import { FoldedKeys } from "./folded-keys";

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
const foldedStamp = new Float64Array(MAX_FIELDS);
let stamp = 0;
let currentName = "";
let values: readonly string[] = [];
let fold: (text: string) => string = (t) => t;
const NO_PLAN: EventPlan = {
  entries: [],
  scanners: [],
  fieldCaches: [],
  literals: [],
  literalStamp: new Float64Array(0),
  foundLiterals: new Int32Array(0),
  scanStamp: new Float64Array(0),
};
let currentPlan: EventPlan = NO_PLAN;

/** Lookup tables for raw values (folded-keys.ts), parallel to an OR index's lookups. */
interface RawLookup {
  readonly exact: FoldedKeys | null;
  readonly tail: FoldedKeys | null;
}

/** What decide() keeps beside a plan: by entry position, the raw-value tables of its lookups. */
interface PlanState {
  readonly plan: EventPlan;
  readonly rawLookups: readonly (readonly RawLookup[] | null)[];
}

function planState(plan: EventPlan): PlanState {
  return {
    plan,
    rawLookups: plan.entries.map((entry) =>
      entry.orIndex === null
        ? null
        : entry.orIndex.lookups.map((lookup) => ({
            exact: lookup.exact === null ? null : new FoldedKeys(lookup.exact),
            tail: lookup.tail === null ? null : new FoldedKeys(lookup.tail),
          })),
    ),
  };
}

function folded(index: number): string {
  if (foldedStamp[index] !== stamp) {
    foldedStamp[index] = stamp;
    const remembered = rememberedValue(index);
    foldedValues[index] = remembered !== undefined ? remembered.folded : fold(values[index] ?? "-");
  }
  return foldedValues[index] as string;
}

// Values at least this long are remembered by their field's cache (bounded per field).
const FIELD_CACHE_MIN_LENGTH = 24;
const FIELD_CACHE_ENTRIES = 512;
const rememberedValues: (RememberedValue | undefined)[] = new Array<RememberedValue | undefined>(MAX_FIELDS).fill(undefined);
const rememberedStamp = new Float64Array(MAX_FIELDS);

/** The field cache's record of this decision's value of field `index`, if it keeps one. */
function rememberedValue(index: number): RememberedValue | undefined {
  if (rememberedStamp[index] === stamp) return rememberedValues[index];
  rememberedStamp[index] = stamp;
  const raw = values[index] ?? "-";
  const cache = currentPlan.fieldCaches[index];
  let remembered: RememberedValue | undefined;
  if (cache !== undefined && raw.length >= FIELD_CACHE_MIN_LENGTH) {
    remembered = cache.memo.get(raw);
    if (remembered === undefined) {
      if (cache.memo.size >= FIELD_CACHE_ENTRIES) cache.memo.clear();
      remembered = { folded: fold(raw), found: null, tail: null };
      cache.memo.set(raw, remembered);
    }
  }
  rememberedValues[index] = remembered;
  return remembered;
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

// Cost model for a gate check, measured on this engine (bench/rules.bench.ts): the table walk
// costs ~4 ns per character, the skipping search of a long value ~1.2 ns per character with
// its folding, includes() ~30 ns plus ~0.25 ns per character. A field is scanned whole only
// when looking up each of its literals would cost more.
function scanWholeValue(automaton: SubstringAutomaton, literalCount: number, length: number): boolean {
  // An anchored walk stops at the first character no literal continues with: cheap always.
  if (automaton.place !== "anywhere") return true;
  const whole = automaton.skip !== null && length >= SKIP_SEARCH_MIN_LENGTH ? 20 + 1.2 * length : 4 * length;
  return literalCount * (30 + length / 4) > whole;
}

// Literals found so far in this decision (a prefix of currentPlan.foundLiterals).
let foundCount = 0;
// Reused for every scan: the hot path allocates nothing per scan.
const scanInto: { marks: Float64Array; stamp: number; found: Int32Array; count: number; folded: boolean } = {
  marks: new Float64Array(0),
  stamp: 0,
  found: new Int32Array(0),
  count: 0,
  folded: false,
};

/**
 * Marks which gate literals occur in the scanner's field (once per decision). A long value
 * is scanned by every scanner of its field at once, or not at all when the field's cache
 * remembers what they found: one hash lookup instead of several scans.
 */
function runScanner(slot: number): void {
  const plan = currentPlan;
  if (plan.scanStamp[slot] === stamp) return;
  const scanner = plan.scanners[slot]!;
  const remembered = rememberedValue(scanner.index);
  if (remembered === undefined) {
    plan.scanStamp[slot] = stamp;
    scanValue(plan, scanner, values[scanner.index] ?? "-");
    return;
  }
  const slots = (plan.fieldCaches[scanner.index] as FieldCache).slots;
  for (let i = 0; i < slots.length; i++) plan.scanStamp[slots[i] as number] = stamp;
  const found = remembered.found;
  if (found !== null) {
    // Each literal belongs to one scanner, and the field's scanners run once per decision:
    // no duplicates to filter.
    for (let i = 0; i < found.length; i++) {
      const id = found[i] as number;
      plan.literalStamp[id] = stamp;
      plan.foundLiterals[foundCount++] = id;
    }
    return;
  }
  const before = foundCount;
  const raw = values[scanner.index] ?? "-";
  for (let i = 0; i < slots.length; i++) scanValue(plan, plan.scanners[slots[i] as number]!, raw);
  remembered.found = plan.foundLiterals.slice(before, foundCount);
}

function scanValue(plan: EventPlan, scanner: GateScanner, raw: string): void {
  const ids = scanner.literalIds;
  if (scanWholeValue(scanner.automaton, ids.length, raw.length)) {
    const into = scanInto;
    into.marks = plan.literalStamp;
    into.stamp = stamp;
    into.found = plan.foundLiterals;
    into.count = foundCount;
    into.folded = false;
    if (scanner.automaton.skip !== null && raw.length >= SKIP_SEARCH_MIN_LENGTH) {
      into.folded = true;
      foundCount = markSubstrings(scanner.automaton, folded(scanner.index), into);
      return;
    }
    // The automaton folds ASCII itself, so most values are scanned without folding them.
    const count = markSubstrings(scanner.automaton, raw, into);
    if (count >= 0) {
      foundCount = count;
      return;
    }
    into.count = ~count;
    into.folded = true;
    foundCount = markSubstrings(scanner.automaton, folded(scanner.index), into);
    return;
  }
  const value = folded(scanner.index);
  const place = scanner.automaton.place;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    const literal = plan.literals[id]!;
    if (place === "anywhere" ? value.includes(literal) : place === "start" ? value.startsWith(literal) : value.endsWith(literal)) {
      plan.literalStamp[id] = stamp;
      plan.foundLiterals[foundCount++] = id;
    }
  }
}

// Candidate linear indices of one OR element, sorted before evaluation.
let candidates = new Int32Array(64);

function addCandidates(list: Int32Array, count: number, positions: Int32Array, best: number): number {
  if (count + list.length > candidates.length) {
    const grown = new Int32Array(Math.max(candidates.length * 2, count + list.length));
    grown.set(candidates.subarray(0, count));
    candidates = grown;
  }
  for (let i = 0; i < list.length; i++) {
    const index = list[i] as number;
    if ((positions[index] as number) < best) candidates[count++] = index;
  }
  return count;
}

/**
 * The position of the earliest `is`/`is any`/`image`-with-path filter whose key equals the
 * folded value, or -1. Folding keeps lengths except for U+0130 on Windows (İ → i + combining
 * dot), which only lengthens, so a value longer than every key is never folded, and a short
 * one of a length no key has only when it holds İ. Long values come folded from the cache
 * (a string V8 has hashed before, so the Map is fastest); others are looked up raw.
 */
function exactHit(lookup: FieldLookup, keys: FoldedKeys): number {
  const raw = values[lookup.index] ?? "-";
  const lengths = lookup.exactLengths;
  if (raw.length >= lengths.length) return -1;
  const remembered = rememberedValue(lookup.index);
  if (remembered !== undefined) {
    const value = remembered.folded;
    return value.length < lengths.length && lengths[value.length] === 1 ? ((lookup.exact as ReadonlyMap<string, number>).get(value) ?? -1) : -1;
  }
  if (lengths[raw.length] !== 1 && raw.indexOf("\u0130") < 0) return -1;
  const hit = keys.getRaw(raw, 0);
  return hit !== -2 ? hit : keys.getFolded(folded(lookup.index));
}

/** The same for `image` filters without a backslash, on the part after the last backslash. */
function tailHit(lookup: FieldLookup, keys: FoldedKeys): number {
  const lengths = lookup.tailLengths;
  const remembered = rememberedValue(lookup.index);
  if (remembered !== undefined) {
    let tail = remembered.tail;
    if (tail === null) {
      // Only a backslash folds to a backslash, so the folded tail is the tail folded.
      const value = remembered.folded;
      remembered.tail = tail = value.slice(value.lastIndexOf("\\") + 1);
    }
    return tail.length < lengths.length && lengths[tail.length] === 1 ? ((lookup.tail as ReadonlyMap<string, number>).get(tail) ?? -1) : -1;
  }
  const raw = values[lookup.index] ?? "-";
  const start = raw.lastIndexOf("\\") + 1;
  const length = raw.length - start;
  if (length >= lengths.length || (lengths[length] !== 1 && raw.indexOf("\u0130", start) < 0)) return -1;
  const hit = keys.getRaw(raw, start);
  return hit !== -2 ? hit : keys.getFolded(fold(start === 0 ? raw : raw.slice(start)));
}

/**
 * An OR element decides on its first matching item (§6.3). Lookups find the earliest matching
 * equality/image filter; only items before it are checked one by one, in order,
 * so names set by failing compound rules and by the deciding filter are exactly Sysmon's (§9).
 */
function matchOrEntry(entry: PlannedEntry, index: OrIndex, rawLookups: readonly RawLookup[]): boolean {
  let best = Infinity;
  const lookups = index.lookups;
  for (let i = 0; i < lookups.length; i++) {
    const lookup = lookups[i]!;
    const keys = rawLookups[i]!;
    if (keys.exact !== null) {
      const hit = exactHit(lookup, keys.exact);
      if (hit >= 0 && hit < best) best = hit;
    }
    if (keys.tail !== null) {
      const hit = tailHit(lookup, keys.tail);
      if (hit >= 0 && hit < best) best = hit;
    }
  }
  const positions = index.linearPositions;
  if (positions.length === 0 || (positions[0] as number) >= best) return finishOr(entry, best);
  const scanners = index.scannersUsed;
  for (let i = 0; i < scanners.length; i++) runScanner(scanners[i] as number);
  // Only items that are ungated or whose literal was found can match; evaluate those in
  // element order, stopping at the first match or at the earliest lookup hit.
  let count = addCandidates(index.ungated, 0, positions, best);
  const found = currentPlan.foundLiterals;
  const byLiteral = index.byLiteral;
  for (let f = 0; f < foundCount; f++) {
    const list = byLiteral[found[f] as number];
    if (list !== undefined) count = addCandidates(list, count, positions, best);
  }
  if (count === 0) return finishOr(entry, best);
  // Few candidates as a rule: an in-place insertion sort allocates nothing.
  const ordered = candidates;
  for (let a = 1; a < count; a++) {
    const value = ordered[a] as number;
    let b = a - 1;
    while (b >= 0 && (ordered[b] as number) > value) {
      ordered[b + 1] = ordered[b] as number;
      b--;
    }
    ordered[b + 1] = value;
  }
  const items = index.linearItems;
  let previous = -1;
  for (let c = 0; c < count; c++) {
    const i = ordered[c] as number;
    if (i === previous) continue;
    previous = i;
    const item = items[i]!;
    if (item.compound) {
      if (matchCompound(item)) return true;
    } else if (index.decidedByGate[i] === 1) {
      // Only items whose literal was found or that have none are candidates: this one matched.
      if (item.name !== "") currentName = item.name;
      return true;
    } else if (index.allLiterals[i] !== undefined) {
      if (allFound(index.allLiterals[i])) {
        if (item.name !== "") currentName = item.name;
        return true;
      }
    } else if (matchFilter(item)) {
      return true;
    }
  }
  return finishOr(entry, best);
}

/** Whether this decision's scans found every one of `ids` (a `contains all` filter's items). */
function allFound(ids: Int32Array): boolean {
  const marks = currentPlan.literalStamp;
  for (let k = 0; k < ids.length; k++) if (marks[ids[k] as number] !== stamp) return false;
  return true;
}

/** The earliest lookup hit decides, with its filter's name (§9). */
function finishOr(entry: PlannedEntry, best: number): boolean {
  if (best === Infinity) return false;
  const name = (entry.items[best] as PlannedFilter).name;
  if (name !== "") currentName = name;
  return true;
}

function matchEntry(entry: PlannedEntry, rawLookups: readonly RawLookup[] | null): boolean {
  const items = entry.items;
  if (items.length === 0) return false;
  if (entry.orIndex !== null) return matchOrEntry(entry, entry.orIndex, rawLookups as readonly RawLookup[]);
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

// The plans of the rule set last decided with, by event ID: an array read instead of a Map
// lookup per decision. Rebuilt when another rule set comes (a reload).
let tableRules: RuleSet | null = null;
let planTable: (PlanState | undefined)[] = [];
// Built once per plan: a rule set decided with again after another keeps its tables.
const planStates = new WeakMap<EventPlan, PlanState>();

function indexPlans(rules: RuleSet): void {
  const table: (PlanState | undefined)[] = new Array<PlanState | undefined>(256).fill(undefined);
  for (const [id, plan] of rules.plans) {
    while (id >= table.length) table.push(undefined);
    let state = planStates.get(plan);
    if (state === undefined) planStates.set(plan, (state = planState(plan)));
    table[id] = state;
  }
  planTable = table;
  tableRules = rules;
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
  if (rules !== tableRules) indexPlans(rules);
  const state = event.id >= 0 && event.id < planTable.length ? planTable[event.id] : undefined;
  if (!state) {
    const def = findEvent(event.id);
    return def?.ruleDefault === "exclude" ? EXCLUDE_NONE : INCLUDE_NONE;
  }
  // Stamps are doubles: 2^53 decisions never wrap, so a stale stamp can never look current.
  stamp += 1;
  values = event.values;
  fold = rules.fold;
  const plan = state.plan;
  currentPlan = plan;
  foundCount = 0;
  currentName = "";
  const entries = plan.entries;
  const rawLookups = state.rawLookups;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as PlannedEntry;
    if (matchEntry(entry, rawLookups[i] ?? null)) {
      const name = currentName;
      values = [];
      if (name === "") return entry.includeOnMatch ? INCLUDE_NONE : EXCLUDE_NONE;
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
