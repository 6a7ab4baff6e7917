// The include/exclude decision (config.md §6) and RuleName (§9) for one event. Runs on the
// hot path. It allocates only a result that carries a rule name, the case-folded text of values
// a matcher must see (at most once each per decision), and a per-field cache record for a long
// value not seen recently (bounded per field), with the compound rules its scan lets through
// where there are any. A repeated long value is folded and scanned once, and each OR element's
// verdict on it is worked out once (VerdictTable). Short values are looked up in the equality
// tables without being folded (folded-keys.ts).

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
let currentState: PlanState = { plan: NO_PLAN, orStates: [], groupCount: 0, verdictTables: [] };

/**
 * One OR element's items on one field: its equality/image lookup, its plain filters and the
 * compound rules gated on literals of the field. What they make of a value depends on that
 * value alone, so it is kept for each value the field cache remembers (VerdictTable), and a
 * repeated value skips the lookups, scans and matchers.
 */
interface FieldGroup {
  readonly index: number;
  /** Plan-wide number of the group: where a remembered value keeps its verdict. */
  readonly slot: number;
  readonly lookup: FieldLookup | null;
  /** Lookup tables for raw values (folded-keys.ts), parallel to `lookup`'s. */
  readonly exactKeys: FoldedKeys | null;
  readonly tailKeys: FoldedKeys | null;
  /** Linear indices of plain filters on the field with no gate literal. */
  readonly ungated: Int32Array;
  /** By plan-wide literal ID (this field's literals only): the plain filters gated on it. */
  readonly plainByLiteral: readonly (Int32Array | undefined)[];
  /** The same for compound rules. */
  readonly compoundByLiteral: readonly (Int32Array | undefined)[];
  /** Scanner slots holding the literals the group's gates and `contains all` filters need. */
  readonly scanners: Int32Array;
  /** Earliest element position of a plain filter of the group (Infinity for none). */
  readonly firstPlain: number;
  /** Earliest element position of a compound rule gated on the field (Infinity for none). */
  readonly firstCompound: number;
}

/** What decide() keeps beside an OR element's index. */
interface OrState {
  readonly groups: readonly FieldGroup[];
  /** Compound rules with no gate literal: always candidates. */
  readonly ungatedCompounds: Int32Array;
}

/** What decide() keeps beside a plan: by entry position, the state of its OR element. */
interface PlanState {
  readonly plan: EventPlan;
  readonly orStates: readonly (OrState | null)[];
  readonly groupCount: number;
  /** By field index: the groups' verdicts on the field cache's records, made when first needed. */
  readonly verdictTables: (VerdictTable | undefined)[];
}

interface GroupDraft {
  lookup: FieldLookup | null;
  readonly ungated: number[];
  readonly plain: number[][];
  readonly compound: number[][];
  readonly scanners: Set<number>;
  firstPlain: number;
  firstCompound: number;
}

function planState(plan: EventPlan): PlanState {
  const literalField: number[] = [];
  const literalScanner: number[] = [];
  plan.scanners.forEach((scanner, slot) => {
    for (const id of scanner.literalIds) {
      literalField[id] = scanner.index;
      literalScanner[id] = slot;
    }
  });
  const literalCount = plan.literals.length;
  let groupCount = 0;
  const orStates = plan.entries.map((entry): OrState | null => {
    const index = entry.orIndex;
    if (index === null) return null;
    const drafts = new Map<number, GroupDraft>();
    const draft = (field: number): GroupDraft => {
      let d = drafts.get(field);
      if (d === undefined) drafts.set(field, (d = { lookup: null, ungated: [], plain: [], compound: [], scanners: new Set(), firstPlain: Infinity, firstCompound: Infinity }));
      return d;
    };
    for (const lookup of index.lookups) draft(lookup.index).lookup = lookup;
    const positions = index.linearPositions;
    const ungatedCompounds: number[] = [];
    for (const i of index.ungated) {
      const item = index.linearItems[i]!;
      if (item.compound) {
        ungatedCompounds.push(i);
        continue;
      }
      if (item.index < 0) continue; // a filter on a field this event lacks never matches (§5.3)
      const d = draft(item.index);
      d.ungated.push(i);
      d.firstPlain = Math.min(d.firstPlain, positions[i]!);
    }
    index.byLiteral.forEach((list, id) => {
      if (list === undefined) return;
      const d = draft(literalField[id]!);
      d.scanners.add(literalScanner[id]!);
      for (const i of list) {
        const position = positions[i]!;
        if (index.linearItems[i]!.compound) {
          (d.compound[id] ??= []).push(i);
          d.firstCompound = Math.min(d.firstCompound, position);
        } else {
          (d.plain[id] ??= []).push(i);
          d.firstPlain = Math.min(d.firstPlain, position);
        }
      }
    });
    // A `contains all` filter is decided by whether every one of its items was found.
    index.allLiterals.forEach((ids) => {
      for (const id of ids ?? []) draft(literalField[id]!).scanners.add(literalScanner[id]!);
    });
    const byLiteral = (lists: number[][]): (Int32Array | undefined)[] =>
      Array.from({ length: literalCount }, (_, id) => (lists[id] === undefined ? undefined : Int32Array.from(lists[id])));
    const groups = [...drafts].map(
      ([field, d]): FieldGroup => ({
        index: field,
        slot: groupCount++,
        lookup: d.lookup,
        exactKeys: d.lookup?.exact ? new FoldedKeys(d.lookup.exact) : null,
        tailKeys: d.lookup?.tail ? new FoldedKeys(d.lookup.tail) : null,
        ungated: Int32Array.from(d.ungated),
        plainByLiteral: byLiteral(d.plain),
        compoundByLiteral: byLiteral(d.compound),
        scanners: Int32Array.from(d.scanners),
        firstPlain: d.firstPlain,
        firstCompound: d.firstCompound,
      }),
    );
    return { groups, ungatedCompounds: Int32Array.from(ungatedCompounds) };
  });
  return { plan, orStates, groupCount, verdictTables: [] };
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
const rememberedRecords = new Int32Array(MAX_FIELDS);
const rememberedStamp = new Float64Array(MAX_FIELDS);

/** The number of the field cache's record of this decision's value of field `index`, or -1. */
function rememberedRecord(index: number): number {
  if (rememberedStamp[index] === stamp) return rememberedRecords[index] as number;
  rememberedStamp[index] = stamp;
  const raw = values[index] ?? "-";
  const cache = currentPlan.fieldCaches[index];
  let record = -1;
  if (cache !== undefined && raw.length >= FIELD_CACHE_MIN_LENGTH) {
    const known = cache.memo.get(raw);
    if (known !== undefined) {
      record = known;
    } else {
      if (cache.memo.size >= FIELD_CACHE_ENTRIES) {
        cache.memo.clear();
        cache.records.length = 0;
        cache.clears++;
      }
      record = cache.records.length;
      cache.records.push({ folded: fold(raw), found: null, tail: null });
      cache.memo.set(raw, record);
    }
  }
  rememberedRecords[index] = record;
  return record;
}

/** The field cache's record of this decision's value of field `index`, if it keeps one. */
function rememberedValue(index: number): RememberedValue | undefined {
  const record = rememberedRecord(index);
  return record < 0 ? undefined : (currentPlan.fieldCaches[index] as FieldCache).records[record];
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

/** Linear indices of an OR element's items that may match, put in element order before evaluation. */
class Candidates {
  items = new Int32Array(64);
  count = 0;

  /** Appends the indices in `list` whose element position is before `bound`. */
  add(list: Int32Array, positions: Int32Array, bound: number): void {
    if (this.count + list.length > this.items.length) {
      const grown = new Int32Array(Math.max(this.items.length * 2, this.count + list.length));
      grown.set(this.items.subarray(0, this.count));
      this.items = grown;
    }
    for (let i = 0; i < list.length; i++) {
      const index = list[i] as number;
      if ((positions[index] as number) < bound) this.items[this.count++] = index;
    }
  }

  /**
   * Puts the candidates in element order, each once (an item gated on several found literals
   * is added for each). Few as a rule: an in-place insertion sort allocates nothing.
   */
  sortDistinct(): void {
    const ordered = this.items;
    for (let a = 1; a < this.count; a++) {
      const value = ordered[a] as number;
      let b = a - 1;
      while (b >= 0 && (ordered[b] as number) > value) {
        ordered[b + 1] = ordered[b] as number;
        b--;
      }
      ordered[b + 1] = value;
    }
    let kept = 0;
    for (let c = 0; c < this.count; c++) if (c === 0 || ordered[c] !== ordered[kept - 1]) ordered[kept++] = ordered[c] as number;
    this.count = kept;
  }
}

const plainCandidates = new Candidates();
const compoundCandidates = new Candidates();

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
 * The earliest position (below `bound`) of a plain filter of `group` that matches this
 * decision's value of its field; appends to compoundCandidates the compound rules gated on a
 * literal the value holds. Sets no rule name: a plain filter that does not match sets none, and
 * the one that decides is named by matchOrEntry (§9).
 */
function groupVerdict(group: FieldGroup, index: OrIndex, bound: number): number {
  let best = bound;
  const lookup = group.lookup;
  if (lookup !== null) {
    if (group.exactKeys !== null) {
      const hit = exactHit(lookup, group.exactKeys);
      if (hit >= 0 && hit < best) best = hit;
    }
    if (group.tailKeys !== null) {
      const hit = tailHit(lookup, group.tailKeys);
      if (hit >= 0 && hit < best) best = hit;
    }
  }
  if (group.firstPlain >= best && group.firstCompound >= best) return best;
  const scanners = group.scanners;
  for (let i = 0; i < scanners.length; i++) runScanner(scanners[i] as number);
  const positions = index.linearPositions;
  const plain = plainCandidates;
  plain.count = 0;
  plain.add(group.ungated, positions, best);
  const found = currentPlan.foundLiterals;
  const plainByLiteral = group.plainByLiteral;
  const compoundByLiteral = group.compoundByLiteral;
  for (let f = 0; f < foundCount; f++) {
    const id = found[f] as number;
    const list = plainByLiteral[id];
    if (list !== undefined) plain.add(list, positions, best);
    const compounds = compoundByLiteral[id];
    if (compounds !== undefined) compoundCandidates.add(compounds, positions, best);
  }
  if (plain.count === 0) return best;
  plain.sortDistinct();
  const ordered = plain.items;
  for (let c = 0; c < plain.count; c++) {
    const i = ordered[c] as number;
    const position = positions[i] as number;
    if (position >= best) break;
    if (plainMatches(index, i)) return position;
  }
  return best;
}

/** Whether linear item `i`, a plain filter that is a candidate in this decision, matches. */
function plainMatches(index: OrIndex, i: number): boolean {
  // Only items whose literal was found or that have none are candidates: this one matched.
  if (index.decidedByGate[i] === 1) return true;
  const all = index.allLiterals[i];
  if (all !== undefined) return allFound(all);
  const filter = index.linearItems[i] as PlannedFilter;
  return filter.match(folded(filter.index));
}

// A remembered verdict: 0 unknown, else (1 for no match or the matching position + 2) << 1,
// plus 1 when compound rules are gated on the value (kept in the table's `compounds`).
const NO_MATCH_CODE = 1;

/** The verdicts of a plan's field groups on the records of one field cache. */
interface VerdictTable {
  /** By record × group count + group slot: the encoded verdict. */
  codes: Int32Array;
  /** By the same index: the compound candidates of verdicts that have any. */
  readonly compounds: Map<number, Int32Array>;
  /** The field cache's `clears` the codes are valid for. */
  clears: number;
}

function verdictTable(field: number): VerdictTable {
  const cache = currentPlan.fieldCaches[field] as FieldCache;
  const tables = currentState.verdictTables;
  let table = tables[field];
  if (table === undefined) {
    tables[field] = table = { codes: new Int32Array(FIELD_CACHE_ENTRIES * currentState.groupCount), compounds: new Map(), clears: cache.clears };
  } else if (table.clears !== cache.clears) {
    // The records were renumbered: every verdict kept is of a value no longer remembered.
    table.codes.fill(0);
    table.compounds.clear();
    table.clears = cache.clears;
  }
  return table;
}

/**
 * The group's verdict on the value of remembered record `record`, computed on its first
 * decision, then reused: the earliest matching position (Infinity for none). Its compound
 * candidates are added to compoundCandidates.
 */
function rememberedVerdict(record: number, group: FieldGroup, index: OrIndex): number {
  const table = verdictTable(group.index);
  const at = record * currentState.groupCount + group.slot;
  const positions = index.linearPositions;
  const code = table.codes[at] as number;
  if (code !== 0) {
    if ((code & 1) !== 0) compoundCandidates.add(table.compounds.get(at) as Int32Array, positions, Infinity);
    const bestCode = code >> 1;
    return bestCode === NO_MATCH_CODE ? Infinity : bestCode - 2;
  }
  const candidates = compoundCandidates;
  const before = candidates.count;
  const best = groupVerdict(group, index, Infinity);
  // Compound rules after the group's own match are never reached, whatever other fields hold:
  // keep only those before it (they stay in compoundCandidates for this decision).
  let kept = before;
  for (let c = before; c < candidates.count; c++) {
    const i = candidates.items[c] as number;
    if ((positions[i] as number) < best) candidates.items[kept++] = i;
  }
  candidates.count = kept;
  let hasCompounds = 0;
  if (kept > before) {
    hasCompounds = 1;
    table.compounds.set(at, candidates.items.slice(before, kept));
  }
  table.codes[at] = ((best === Infinity ? NO_MATCH_CODE : best + 2) << 1) | hasCompounds;
  return best;
}

/**
 * An OR element decides on its first matching item (§6.3). Each field group gives its earliest
 * matching plain filter; only compound rules before the earliest of those are evaluated, one
 * by one, in order, so names set by failing compound rules and by the deciding filter are
 * exactly Sysmon's (§9).
 */
function matchOrEntry(entry: PlannedEntry, index: OrIndex, state: OrState): boolean {
  let best = Infinity;
  const positions = index.linearPositions;
  const compounds = compoundCandidates;
  compounds.count = 0;
  compounds.add(state.ungatedCompounds, positions, Infinity);
  const groups = state.groups;
  let unremembered = false;
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g] as FieldGroup;
    const record = rememberedRecord(group.index);
    if (record < 0) {
      unremembered = true;
      continue;
    }
    const groupBest = rememberedVerdict(record, group, index);
    if (groupBest < best) best = groupBest;
  }
  if (unremembered) {
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g] as FieldGroup;
      if (rememberedRecord(group.index) >= 0) continue;
      const groupBest = groupVerdict(group, index, best);
      if (groupBest < best) best = groupBest;
    }
  }
  if (compounds.count > 0) {
    compounds.sortDistinct();
    const ordered = compounds.items;
    const items = index.linearItems;
    for (let c = 0; c < compounds.count; c++) {
      const i = ordered[c] as number;
      if ((positions[i] as number) >= best) break;
      if (matchCompound(items[i] as PlannedCompound)) return true;
    }
  }
  if (best === Infinity) return false;
  // The earliest matching plain filter decides, with its name (§9).
  const name = (entry.items[best] as PlannedFilter).name;
  if (name !== "") currentName = name;
  return true;
}

/** Whether this decision's scans found every one of `ids` (a `contains all` filter's items). */
function allFound(ids: Int32Array): boolean {
  const marks = currentPlan.literalStamp;
  for (let k = 0; k < ids.length; k++) if (marks[ids[k] as number] !== stamp) return false;
  return true;
}

function matchEntry(entry: PlannedEntry, orState: OrState | null): boolean {
  const items = entry.items;
  if (items.length === 0) return false;
  if (entry.orIndex !== null) return matchOrEntry(entry, entry.orIndex, orState as OrState);
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
  currentState = state;
  const entries = plan.entries;
  const orStates = state.orStates;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as PlannedEntry;
    if (matchEntry(entry, orStates[i] ?? null)) {
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
