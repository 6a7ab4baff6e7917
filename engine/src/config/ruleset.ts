// The compiled form of <EventFiltering> (config.md §5): rule entries in compilation order, and
// for every filterable event ID a ready-to-walk evaluation plan (§6.1 order, field indices
// resolved for that event, matchers built). `rules/` walks the plans; nothing is parsed or
// lowercased per event.

import type { CaseFolding, ConditionName, ValueMatcher } from "./conditions";
import type { SubstringAutomaton } from "./substring-automaton";
import type { SchemaVersion } from "./version";

export type Combine = "and" | "or";

/** One filter element, e.g. `<Image condition="end with">\cmd.exe</Image>`. */
export interface CompiledFilter {
  readonly kind: "filter";
  /** Manifest field name as written (case-sensitive match, §4). */
  readonly field: string;
  /** Index of the field in the event the entry is bound to. */
  readonly fieldIndex: number;
  readonly condition: ConditionName;
  /** The value as written in the file (original case; `config dump` shows it). */
  readonly value: string;
  /** The value matched against: `value` with environment variables expanded on Windows (§7.3). */
  readonly matchValue: string;
  /** Resolved rule name (§5.2); "" when none. */
  readonly name: string;
  readonly match: ValueMatcher;
  readonly line: number;
  readonly column: number;
}

/** A `<Rule>` compound rule: its filters combine by its own groupRelation (§6.4). */
export interface CompoundRule {
  readonly kind: "compound";
  /** Aggregation ID, numbered 1, 2, … across the whole configuration (Appendix A). */
  readonly id: number;
  /** The Rule's own name attribute ("" when none); shown by `config dump`. */
  readonly name: string;
  readonly combine: Combine;
  readonly filters: readonly CompiledFilter[];
  readonly line: number;
  readonly column: number;
}

/** One event element (`<ProcessCreate onmatch="include">`): never merged with another (§5.1). */
export interface RuleEntry {
  /** The event the element is bound to (§5.3: RegistryEvent → 12, 13 or 14). */
  readonly eventId: number;
  /** The element name, e.g. "RegistryEvent". */
  readonly ruleName: string;
  readonly onmatch: "include" | "exclude";
  readonly combine: Combine;
  /** Name of the immediately enclosing RuleGroup ("" when none or unnamed). */
  readonly groupName: string;
  readonly items: readonly (CompiledFilter | CompoundRule)[];
  readonly line: number;
  readonly column: number;
}

/** A filter ready for one event ID: `index` is -1 when the field does not apply (§5.3). */
export interface PlannedFilter {
  readonly compound: false;
  readonly condition: ConditionName;
  /** Case-folded rule value. */
  readonly folded: string;
  readonly index: number;
  /** Bit of the compiled field, for the AND element's same-field OR (§6.3). */
  readonly fieldBit: number;
  /** Whether a later plain filter in the element is on the same field. */
  readonly laterSameField: boolean;
  readonly name: string;
  readonly match: ValueMatcher;
}

export interface PlannedCompound {
  readonly compound: true;
  readonly and: boolean;
  readonly filters: readonly PlannedFilter[];
}

/**
 * Hash lookups for the equality and image filters of one field in an OR element: each gives
 * the position of the earliest matching filter.
 */
export interface FieldLookup {
  readonly index: number;
  /** `is`, `is any` and `image` values with a backslash: whole-value equality. */
  readonly exact: ReadonlyMap<string, number> | null;
  /** `image` values without a backslash: equality with the part after the last backslash. */
  readonly tail: ReadonlyMap<string, number> | null;
  /**
   * 1 at each length a key of `exact` (of `tail`) has, up to the longest: a value of another
   * length is not folded or looked up.
   */
  readonly exactLengths: Uint8Array;
  readonly tailLengths: Uint8Array;
}

/**
 * An OR element prepared for fast evaluation: the first matching item decides (§6.3), so the
 * earliest lookup hit bounds which remaining items still need a linear check.
 */
export interface OrIndex {
  readonly lookups: readonly FieldLookup[];
  /** Items not covered by lookups, in order, with their positions in the element. */
  readonly linearItems: readonly (PlannedFilter | PlannedCompound)[];
  readonly linearPositions: Int32Array;
  /**
   * 1 where a found gate literal is itself proof that the item matches (contains, contains
   * any, begin with, end with: the gate checks exactly the condition), so the matcher is not run.
   */
  readonly decidedByGate: Uint8Array;
  /**
   * By linear index, for `contains all` filters: the IDs of all their items' literals. Every
   * item must occur (§8), so the filter matches exactly when every one was found; the scan
   * that found them replaces one includes() per item.
   */
  readonly allLiterals: readonly (Int32Array | undefined)[];
  /** Linear indices of items with no gate literal: always evaluated. */
  readonly ungated: Int32Array;
  /**
   * By plan-wide literal ID, the linear indices of items gated on it: literals of which at
   * least one must occur in the field's value for the item to match (its value, the items of
   * a list, a compound rule's first filter, or every filter of an OR compound rule). Items
   * none of whose literals occur cannot match, have no side effects, and are skipped.
   */
  readonly byLiteral: readonly (Int32Array | undefined)[];
  /** Scanner slots the gates use; run before the linear walk. */
  readonly scannersUsed: Int32Array;
}

/** Finds, once per decision and field, which gate literals occur in the field's value. */
export interface GateScanner {
  readonly index: number;
  readonly automaton: SubstringAutomaton;
  /** The plan-wide IDs of this field's gate literals. */
  readonly literalIds: Int32Array;
}

/** What a field cache remembers about one long value. */
export interface RememberedValue {
  /** The value case-folded: reused, so folding and hashing it happen once per distinct value. */
  readonly folded: string;
  /** The literal IDs all of the field's scanners found in it; null until first scanned. */
  found: Int32Array | null;
  /** The folded part after the last backslash (for `image` lookups); null until first needed. */
  tail: string | null;
}

/**
 * The scanners of one field (anywhere, start and end literals) and its lookups share one
 * cache: field values such as image paths, command lines and registry paths repeat, and for
 * a long value seen recently one hash lookup replaces folding it and every scan of it.
 */
export interface FieldCache {
  readonly index: number;
  /** Scanner slots on this field. */
  readonly slots: Int32Array;
  /**
   * Decision-time cache keyed by the raw value: the number of its record in `records`. A number
   * is held in the map itself, so what decide() keeps per record in flat tables is reached
   * without another object to load (each is a likely cache miss on the hot path). Bounded:
   * cleared, with `records`, when it reaches FIELD_CACHE_ENTRIES (rules/decide.ts).
   */
  readonly memo: Map<string, number>;
  readonly records: RememberedValue[];
  /** How often the cache was cleared: record numbers from before a clear are stale. */
  clears: number;
}

export interface PlannedEntry {
  /** The decision when this entry matches: include for onmatch="include". */
  readonly includeOnMatch: boolean;
  readonly and: boolean;
  readonly items: readonly (PlannedFilter | PlannedCompound)[];
  /** Present for OR elements. */
  readonly orIndex: OrIndex | null;
  readonly entry: RuleEntry;
}

/** Evaluation plan of one event ID: candidate entries in §6.1 order. */
export interface EventPlan {
  readonly entries: readonly PlannedEntry[];
  readonly scanners: readonly GateScanner[];
  /** By field index: the cache of each field that lookups or scanners read. */
  readonly fieldCaches: readonly (FieldCache | undefined)[];
  /** Gate literal text by ID. */
  readonly literals: readonly string[];
  /** Decision-time scratch: per gate literal, the stamp of the last decision that found it. */
  readonly literalStamp: Float64Array;
  /** Decision-time scratch: the literals found by this decision's scans, in order found. */
  readonly foundLiterals: Int32Array;
  /** Decision-time scratch: per scanner, the stamp of the last decision that ran it. */
  readonly scanStamp: Float64Array;
}

export interface RuleSet {
  readonly schemaVersion: SchemaVersion;
  readonly folding: CaseFolding;
  /** Compilation order (§5.1): by event type in manifest order, then document order. */
  readonly entries: readonly RuleEntry[];
  /** Per filterable event ID; absent when the configuration has no element for its group. */
  readonly plans: ReadonlyMap<number, EventPlan>;
  /** Case folding applied to event values before matching. */
  readonly fold: (text: string) => string;
}
