// Compiles <EventFiltering> into rule entries (config.md §4, §5) with the structure checks of
// Sysmon's validating (DTD) build (§12), then prepares per-event evaluation plans (§6.1).

import { PositionedError } from "../base";
import type { ErrorCode } from "../base";
import { ALL_EVENTS, eventsForRuleName } from "../schema";
import type { EventDef } from "../schema";
import { CONDITIONS, buildMatcher, folderFor, parseCondition, splitSearchItems } from "./conditions";
import type { CaseFolding } from "./conditions";
import { expandEnvironment } from "./environment";
import type { Platform } from "./options";
import type { Combine, CompiledFilter, CompoundRule, EventPlan, FieldCache, FieldLookup, GateScanner, OrIndex, PlannedCompound, PlannedEntry, PlannedFilter, RuleEntry, RuleSet } from "./ruleset";
import { buildSubstringAutomaton, renumberLiterals } from "./substring-automaton";
import type { LiteralPlace } from "./substring-automaton";
import { closestName } from "./suggest";
import type { SchemaVersion } from "./version";
import { defaultCombineFor } from "./version";
import type { LintWarning } from "./warnings";
import type { XmlAttribute, XmlElement, XmlPosition } from "./xml";
import { attribute, childElements, firstText } from "./xml";

/** Longest rule name Sysmon stores, in UTF-8 bytes (§5.2, §11). */
export const MAX_RULE_NAME_BYTES = 255;
/** Most event elements Sysmon accepts for one event ID (§11). */
export const MAX_ELEMENTS_PER_EVENT = 65534;

/** Event IDs in manifest order: 255 first, then ascending (§5.1). */
const MANIFEST_ORDER: readonly EventDef[] = [...ALL_EVENTS].sort((a, b) => (a.id === 255 ? -1 : b.id === 255 ? 1 : a.id - b.id));

/** Rule element names in the order their first event appears in the manifest. */
export const RULE_ELEMENT_NAMES: readonly string[] = [...new Set(MANIFEST_ORDER.flatMap((e) => (e.ruleName ? [e.ruleName] : [])))];
const RULE_ELEMENT_SET: ReadonlySet<string> = new Set(RULE_ELEMENT_NAMES);

interface CompileContext {
  readonly file: string;
  readonly platform: Platform;
  readonly version: SchemaVersion;
  readonly warnings: LintWarning[];
  /** Variables expanded in Windows rule values (§7.3). */
  readonly environment: Readonly<Record<string, string | undefined>>;
}

interface FoundElement {
  readonly element: XmlElement;
  readonly group: XmlElement | undefined;
}

function fail(code: ErrorCode, reason: string, at: XmlPosition, context: CompileContext): never {
  throw new PositionedError(code, reason, { file: context.file, line: at.line, column: at.column });
}

function checkAttributes(element: XmlElement, allowed: readonly string[], context: CompileContext): void {
  for (const a of element.attributes) {
    if (allowed.includes(a.name)) continue;
    const hint = closestName(a.name, allowed);
    const expected = allowed.length ? `expected ${allowed.join(" or ")}` : "it takes no attributes";
    fail("SYSMONTS_E_CONFIG_ELEMENT", `unknown attribute '${a.name}' on <${element.name}>${hint ? `; did you mean ${hint}?` : ""}; ${expected}`, a, context);
  }
}

function checkNoText(element: XmlElement, context: CompileContext): void {
  for (const child of element.children) {
    if (child.kind === "text" && child.text.trim() !== "") {
      fail("SYSMONTS_E_CONFIG_ELEMENT", `text '${child.text.trim().slice(0, 40)}' is not allowed inside <${element.name}>; expected only elements`, child, context);
    }
  }
}

function checkNameLength(a: XmlAttribute | undefined, context: CompileContext): void {
  if (a && Buffer.byteLength(a.value, "utf8") > MAX_RULE_NAME_BYTES) {
    fail("SYSMONTS_E_CONFIG_LIMIT", `rule name is larger than ${MAX_RULE_NAME_BYTES} characters (${Buffer.byteLength(a.value, "utf8")} UTF-8 bytes)`, a, context);
  }
}

function unknownRuleElement(element: XmlElement, where: string, context: CompileContext): never {
  const hint = closestName(element.name, [...RULE_ELEMENT_NAMES, "RuleGroup"]);
  fail(
    "SYSMONTS_E_CONFIG_ELEMENT",
    `unknown element <${element.name.length > 80 ? `${element.name.slice(0, 80)}…` : element.name}> inside <${where}>${hint ? `; did you mean ${hint}?` : ""}; expected ${where === "EventFiltering" ? "RuleGroup or " : ""}a rule element such as ProcessCreate`,
    element,
    context,
  );
}

/** Finds the event elements, checking the EventFiltering/RuleGroup structure (§4, §12). */
function findEventElements(root: XmlElement, context: CompileContext): FoundElement[] {
  const found: FoundElement[] = [];
  for (const filtering of childElements(root)) {
    if (filtering.name !== "EventFiltering") continue;
    checkAttributes(filtering, [], context);
    checkNoText(filtering, context);
    for (const child of childElements(filtering)) {
      if (child.name === "RuleGroup") {
        checkAttributes(child, ["groupRelation", "name"], context);
        checkNoText(child, context);
        const relation = attribute(child, "groupRelation");
        if (!relation || (relation.value !== "and" && relation.value !== "or")) {
          fail("SYSMONTS_E_CONFIG_ELEMENT", `<RuleGroup> needs groupRelation="and" or groupRelation="or"${relation ? `, not "${relation.value}"` : ""}`, relation ?? child, context);
        }
        checkNameLength(attribute(child, "name"), context);
        for (const element of childElements(child)) {
          if (!RULE_ELEMENT_SET.has(element.name)) unknownRuleElement(element, "RuleGroup", context);
          found.push({ element, group: child });
        }
      } else if (RULE_ELEMENT_SET.has(child.name)) {
        found.push({ element: child, group: undefined });
      } else {
        unknownRuleElement(child, "EventFiltering", context);
      }
    }
  }
  return found;
}

function nonEmpty(a: XmlAttribute | undefined): string {
  return a && a.value !== "" ? a.value : "";
}

/** onmatch/default → the element's onmatch, or undefined when the element is skipped (§4). */
function resolveOnmatch(element: XmlElement, context: CompileContext): "include" | "exclude" | undefined {
  checkAttributes(element, ["onmatch", "default"], context);
  const onmatch = attribute(element, "onmatch");
  const legacy = attribute(element, "default");
  for (const a of [onmatch, legacy]) {
    if (a && a.value !== "include" && a.value !== "exclude") {
      fail("SYSMONTS_E_CONFIG_ELEMENT", `value "${a.value}" for attribute ${a.name} of <${element.name}> is not include or exclude`, a, context);
    }
  }
  const skip = (message: string, code: string): undefined => {
    context.warnings.push({ file: context.file, line: element.line, column: element.column, code, message });
    return undefined;
  };
  if (!onmatch && !legacy) return skip(`<${element.name}> has no onmatch attribute; Sysmon skips the element (add onmatch="include" or "exclude")`, "missing-onmatch");
  if (onmatch && legacy) return skip(`<${element.name}> has both onmatch and default; Sysmon skips the element (pick only one)`, "onmatch-and-default");
  if (onmatch) return onmatch.value as "include" | "exclude";
  // Legacy default="include" means log everything except matches, i.e. onmatch="exclude".
  return legacy?.value === "include" ? "exclude" : "include";
}

function isRuleTag(element: XmlElement): boolean {
  return element.name.toLowerCase() === "rule";
}

/** Every filter element of an event element, inside Rules too, in document order. */
function filterElements(element: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const child of childElements(element)) {
    if (isRuleTag(child)) out.push(...childElements(child));
    else out.push(child);
  }
  return out;
}

/**
 * Chooses the event of a RegistryEvent/PipeEvent/WmiEvent group that has every filter field
 * (§5.3), and counts the aggregation IDs that failed attempts used up (Appendix A).
 */
function bindEvent(element: XmlElement, context: CompileContext): { def: EventDef; aggregationIdsUsed: number } {
  const candidates = [...eventsForRuleName(element.name)].sort((a, b) => a.id - b.id);
  const union = new Set(candidates.flatMap((d) => d.fields.map((f) => f.name)));
  for (const child of childElements(element)) {
    if (isRuleTag(child)) {
      for (const nested of childElements(child)) {
        if (isRuleTag(nested)) fail("SYSMONTS_E_CONFIG_ELEMENT", `nested <${nested.name}> is not supported: a Rule may hold only filters (Sysmon looks it up as a field and no event has one)`, nested, context);
      }
    }
  }
  for (const filter of filterElements(element)) {
    if (!union.has(filter.name)) {
      const hint = closestName(filter.name, union);
      fail("SYSMONTS_E_CONFIG_FIELD", `unknown field '${filter.name}' for ${element.name}${hint ? `; did you mean ${hint}?` : ""}`, filter, context);
    }
  }
  let used = 0;
  for (const def of candidates) {
    // An attempt writes an aggregation record for each Rule it meets before a field misses.
    let attempt = 0;
    let fits = true;
    for (const child of childElements(element)) {
      if (isRuleTag(child)) {
        attempt++;
        fits = childElements(child).every((f) => def.fieldIndex.has(f.name));
      } else {
        fits = def.fieldIndex.has(child.name);
      }
      if (!fits) break;
    }
    if (fits) return { def, aggregationIdsUsed: used };
    used += attempt;
  }
  const fields = [...new Set(filterElements(element).map((f) => f.name))];
  fail(
    "SYSMONTS_E_CONFIG_FIELD",
    `no ${element.name} event has all of the fields ${fields.join(", ")} (${candidates.map((d) => `${d.id}: ${d.fields.map((f) => f.name).join(",")}`).join("; ")}); split the element`,
    element,
    context,
  );
}

interface FilterContext {
  readonly def: EventDef;
  readonly ruleName: string;
  readonly groupName: string;
  readonly fold: (text: string) => string;
  readonly folding: CaseFolding;
}

function compileFilter(element: XmlElement, scope: FilterContext, context: CompileContext): CompiledFilter {
  checkAttributes(element, ["condition", "name"], context);
  const conditionAttr = attribute(element, "condition");
  const condition = parseCondition(conditionAttr?.value);
  if (!condition) {
    const raw = conditionAttr?.value ?? "";
    const hint = closestName(raw, CONDITIONS);
    fail("SYSMONTS_E_CONFIG_CONDITION", `unknown condition: ${raw}${hint ? ` (did you mean ${hint}?)` : ""}; expected values are ${CONDITIONS.join(", ")}`, conditionAttr ?? element, context);
  }
  const nameAttr = attribute(element, "name");
  checkNameLength(nameAttr, context);
  let value = firstText(element);
  const nul = value.indexOf("\u0000");
  if (nul >= 0) value = value.slice(0, nul);
  const fieldIndex = scope.def.fieldIndex.get(element.name) as number;
  // Only Windows expands environment variables; Linux matches `%` literally (§7.3).
  const matchValue = context.platform === "windows" ? expandEnvironment(value, context.environment) : value;
  return {
    kind: "filter",
    field: element.name,
    fieldIndex,
    condition,
    value,
    matchValue,
    name: nonEmpty(nameAttr) || scope.ruleName || scope.groupName,
    match: buildMatcher(condition, scope.fold(matchValue), scope.folding),
    line: element.line,
    column: element.column,
  };
}

function ruleCombine(rule: XmlElement): Combine {
  // A Rule's groupRelation: "or" in any case → OR, other non-empty → AND, absent/empty → OR (§4).
  const relation = attribute(rule, "groupRelation")?.value ?? "";
  return relation === "" || relation.toLowerCase() === "or" ? "or" : "and";
}

function elementCombine(group: XmlElement | undefined, version: SchemaVersion): Combine {
  const relation = group ? (attribute(group, "groupRelation")?.value ?? "") : "";
  if (relation === "") return defaultCombineFor(version);
  return relation.toLowerCase() === "or" ? "or" : "and";
}

/** Compiles the event elements to rule entries in compilation order (§5.1). */
export function compileEntries(root: XmlElement, context: CompileContext & { folding: CaseFolding }): RuleEntry[] {
  const found = findEventElements(root, context);
  const fold = folderFor(context.folding);
  const entries: RuleEntry[] = [];
  let nextAggregationId = 1;
  const perEvent = new Map<number, number>();
  for (const ruleName of RULE_ELEMENT_NAMES) {
    for (const { element, group } of found) {
      if (element.name !== ruleName) continue;
      const onmatch = resolveOnmatch(element, context);
      checkNoText(element, context);
      if (!onmatch) continue;
      const { def, aggregationIdsUsed } = bindEvent(element, context);
      nextAggregationId += aggregationIdsUsed;
      const count = (perEvent.get(def.id) ?? 0) + 1;
      if (count > MAX_ELEMENTS_PER_EVENT) fail("SYSMONTS_E_CONFIG_LIMIT", `more than ${MAX_ELEMENTS_PER_EVENT} <${ruleName}> elements; Sysmon rejects the configuration`, element, context);
      perEvent.set(def.id, count);
      const groupName = group ? nonEmpty(attribute(group, "name")) : "";
      const scope: FilterContext = { def, ruleName: "", groupName, fold, folding: context.folding };
      const items: (CompiledFilter | CompoundRule)[] = [];
      for (const child of childElements(element)) {
        if (isRuleTag(child)) {
          checkAttributes(child, ["groupRelation", "name"], context);
          checkNoText(child, context);
          const nameAttr = attribute(child, "name");
          checkNameLength(nameAttr, context);
          const ruleScope = { ...scope, ruleName: nonEmpty(nameAttr) };
          items.push({
            kind: "compound",
            id: nextAggregationId++,
            name: nonEmpty(nameAttr),
            combine: ruleCombine(child),
            filters: childElements(child).map((f) => compileFilter(f, ruleScope, context)),
            line: child.line,
            column: child.column,
          });
        } else {
          items.push(compileFilter(child, scope, context));
        }
      }
      entries.push({ eventId: def.id, ruleName, onmatch, combine: elementCombine(group, context.version), groupName, items, line: element.line, column: element.column });
    }
  }
  return entries;
}

function planFilter(filter: CompiledFilter, def: EventDef, laterSameField: boolean, fold: (text: string) => string): PlannedFilter {
  // A filter reads its compiled index; for a sibling event whose field there has another
  // name (or no field at all) it cannot match (§5.3).
  const applies = def.fields[filter.fieldIndex]?.name === filter.field;
  return {
    compound: false,
    condition: filter.condition,
    folded: fold(filter.matchValue),
    index: applies ? filter.fieldIndex : -1,
    fieldBit: 1 << filter.fieldIndex,
    laterSameField,
    name: filter.name,
    match: filter.match,
  };
}

function setFirst(map: Map<string, number>, key: string, position: number): void {
  if (!map.has(key)) map.set(key, position);
}

function lengthMask(keys: Iterable<string>): Uint8Array {
  const lengths = [...keys].map((k) => k.length);
  const mask = new Uint8Array(lengths.length ? Math.max(...lengths) + 1 : 0);
  for (const length of lengths) mask[length] = 1;
  return mask;
}

/** Builds the lookups of an OR element (config.md §6.3: the first matching item decides). */
function buildOrIndex(items: readonly (PlannedFilter | PlannedCompound)[], gates: GateRegistry): OrIndex {
  const byField = new Map<number, { exact: Map<string, number>; tail: Map<string, number>; used: Set<string> }>();
  const linear: { position: number; item: PlannedFilter | PlannedCompound; gates: number[]; all?: number[] }[] = [];
  const scannersUsed = new Set<number>();
  const register = (filter: PlannedFilter, literal: string, place: LiteralPlace): number => {
    const { gate, gateScanner } = gates.idFor(filter.index, literal, place);
    scannersUsed.add(gateScanner);
    return gate;
  };
  // Literals of which one must occur for the filters to match; [] when one of them needs none.
  const gatesFor = (filters: readonly PlannedFilter[]): number[] => {
    const ids: number[] = [];
    for (const filter of filters) {
      const required = requiredSubstrings(filter);
      if (required === undefined || filter.index < 0 || required.literals.includes("")) return [];
      for (const literal of required.literals) ids.push(register(filter, literal, required.place));
    }
    return ids;
  };
  items.forEach((item, position) => {
    if (item.compound) {
      // An AND rule needs its first filter; an OR rule needs one of its filters (§6.4).
      const needed = item.and ? item.filters.slice(0, 1) : item.filters;
      linear.push({ position, item, gates: gatesFor(needed) });
      return;
    }
    if (item.condition === "contains all" && item.index >= 0) {
      const parts = splitSearchItems(item.folded);
      if (!parts.includes("")) {
        // Every item is scanned for; the filter is a candidate when its gate item was found
        // and matches when all were.
        const all = [...new Set(parts.map((part) => register(item, part, "anywhere")))];
        linear.push({ position, item, gates: gatesFor([item]), all });
        return;
      }
    }
    if (item.index < 0) return; // a filter whose field this event does not have never matches (§5.3)
    let lookup = byField.get(item.index);
    if (!lookup) {
      lookup = { exact: new Map(), tail: new Map(), used: new Set() };
      byField.set(item.index, lookup);
    }
    const value = item.folded;
    switch (item.condition) {
      case "is":
        setFirst(lookup.exact, value, position);
        lookup.used.add("exact");
        return;
      case "is any":
        for (const part of value.split(";")) if (part !== "") setFirst(lookup.exact, part, position);
        lookup.used.add("exact");
        return;
      case "image":
        if (value.includes("\\")) setFirst(lookup.exact, value, position);
        else setFirst(lookup.tail, value, position);
        lookup.used.add(value.includes("\\") ? "exact" : "tail");
        return;
      default:
        linear.push({ position, item, gates: gatesFor([item]) });
    }
  });
  const lookups = [...byField].map(([index, l]): FieldLookup => ({
    index,
    exact: l.used.has("exact") ? l.exact : null,
    tail: l.used.has("tail") ? l.tail : null,
    exactLengths: lengthMask(l.exact.keys()),
    tailLengths: lengthMask(l.tail.keys()),
  }));
  const byLiteral: number[][] = [];
  const ungated: number[] = [];
  linear.forEach((l, i) => {
    if (l.gates.length === 0) ungated.push(i);
    for (const id of new Set(l.gates)) (byLiteral[id] ??= []).push(i);
  });
  return {
    lookups: lookups.filter((l) => l.exact || l.tail),
    linearItems: linear.map((l) => l.item),
    linearPositions: Int32Array.from(linear.map((l) => l.position)),
    decidedByGate: Uint8Array.from(linear.map((l) => (!l.item.compound && l.gates.length > 0 && GATE_DECIDES.has(l.item.condition) ? 1 : 0))),
    allLiterals: linear.map((l) => (l.all ? Int32Array.from(l.all) : undefined)),
    ungated: Int32Array.from(ungated),
    byLiteral: Array.from(byLiteral, (list) => (list ? Int32Array.from(list) : undefined)),
    scannersUsed: Int32Array.from(scannersUsed),
  };
}

// Conditions whose gate literals (requiredSubstrings) say exactly whether the filter matches.
const GATE_DECIDES: ReadonlySet<string> = new Set(["contains", "contains any", "begin with", "end with"]);

/** Numbers the gate literals of one event's plan, per field, and builds their scanners. */
class GateRegistry {
  private readonly scanners = new Map<string, { slot: number; index: number; place: LiteralPlace; literals: Map<string, number> }>();
  private nextId = 0;

  idFor(fieldIndex: number, literal: string, place: LiteralPlace): { gate: number; gateScanner: number } {
    const key = `${fieldIndex}/${place}`;
    let scanner = this.scanners.get(key);
    if (!scanner) this.scanners.set(key, (scanner = { slot: this.scanners.size, index: fieldIndex, place, literals: new Map() }));
    let id = scanner.literals.get(literal);
    if (id === undefined) scanner.literals.set(literal, (id = this.nextId++));
    return { gate: id, gateScanner: scanner.slot };
  }

  finish(entries: readonly PlannedEntry[]): EventPlan {
    const scanners: GateScanner[] = [];
    const literals: string[] = [];
    const cached = new Set([...this.scanners.values()].map((s) => s.index));
    for (const entry of entries) for (const lookup of entry.orIndex?.lookups ?? []) cached.add(lookup.index);
    const fieldCaches: (FieldCache | undefined)[] = [];
    for (const index of cached) {
      const slots = [...this.scanners.values()].filter((s) => s.index === index).map((s) => s.slot);
      fieldCaches[index] = { index, slots: Int32Array.from(slots), memo: new Map(), records: [], clears: 0 };
    }
    for (const scanner of this.scanners.values()) {
      // The automaton numbers literals from 0; map them to the plan-wide IDs.
      const local = [...scanner.literals.keys()];
      for (const [text, id] of scanner.literals) literals[id] = text;
      const ids = [...scanner.literals.values()];
      scanners[scanner.slot] = {
        index: scanner.index,
        automaton: renumberLiterals(buildSubstringAutomaton(local, scanner.place), ids),
        literalIds: Int32Array.from(ids),
      };
    }
    const count = literals.length;
    return {
      entries,
      scanners,
      fieldCaches: Array.from({ length: fieldCaches.length }, (_, i) => fieldCaches[i]),
      literals,
      literalStamp: new Float64Array(count),
      foundLiterals: new Int32Array(count),
      scanStamp: new Float64Array(scanners.length),
    };
  }
}

/**
 * Literals of which the folded field value must contain at least one, at the given place, for
 * the filter to match; undefined when there are none (negated and ordering conditions).
 */
function requiredSubstrings(filter: PlannedFilter): { literals: string[]; place: LiteralPlace } | undefined {
  const value = filter.folded;
  switch (filter.condition) {
    case "is":
    case "begin with":
      return { literals: [value], place: "start" };
    case "end with":
      return { literals: [value], place: "end" };
    case "image":
      // Without a backslash the value's last path part must equal it, so the value ends with it.
      return { literals: [value], place: value.includes("\\") ? "start" : "end" };
    case "contains":
      return { literals: [value], place: "anywhere" };
    case "contains any":
      return { literals: splitSearchItems(value), place: "anywhere" };
    case "is any":
      return { literals: value.split(";").filter((item) => item !== ""), place: "start" };
    case "contains all": {
      // Every item must occur; the longest is the least likely to, so it gates best.
      const parts = splitSearchItems(value);
      return { literals: [parts.reduce((a, b) => (b.length > a.length ? b : a))], place: "anywhere" };
    }
    default:
      return undefined;
  }
}

function planEntry(entry: RuleEntry, def: EventDef, context: { fold: (text: string) => string; gates: GateRegistry }): PlannedEntry {
  const fold = context.fold;
  const items = entry.items.map((item, position) => {
    if (item.kind === "compound") {
      return { compound: true as const, and: item.combine === "and", filters: item.filters.map((f) => planFilter(f, def, false, fold)) };
    }
    const later = entry.items.some((other, i) => i > position && other.kind === "filter" && other.fieldIndex === item.fieldIndex);
    return planFilter(item, def, later, fold);
  });
  const and = entry.combine === "and";
  return { includeOnMatch: entry.onmatch === "include", and, items, orIndex: and ? null : buildOrIndex(items, context.gates), entry };
}

/**
 * Orders the candidate entries of each event (§6.1): onmatch="exclude" entries first, then
 * onmatch="include", each half in reverse compilation order.
 */
export function buildPlans(entries: readonly RuleEntry[], fold: (text: string) => string): Map<number, EventPlan> {
  const plans = new Map<number, EventPlan>();
  for (const def of ALL_EVENTS) {
    if (!def.ruleName) continue;
    const group = entries.filter((e) => e.ruleName === def.ruleName);
    if (!group.length) continue;
    const reversed = [...group].reverse();
    const ordered = [...reversed.filter((e) => e.onmatch === "exclude"), ...reversed.filter((e) => e.onmatch === "include")];
    const gates = new GateRegistry();
    const planned = ordered.map((e) => planEntry(e, def, { fold, gates }));
    plans.set(def.id, gates.finish(planned));
  }
  return plans;
}

/** Assembles a RuleSet from compiled entries. */
export function makeRuleSet(entries: readonly RuleEntry[], options: { version: SchemaVersion; platform: Platform }): RuleSet {
  const folding: CaseFolding = options.platform;
  const fold = folderFor(folding);
  return { schemaVersion: options.version, folding, entries, plans: buildPlans(entries, fold), fold };
}

