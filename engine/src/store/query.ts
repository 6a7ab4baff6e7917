import { SysmonTsError } from "../base";
import { ALL_EVENTS, findEvent } from "../schema";
import type { EventDef, SysmonEvent } from "../schema";
import { FILTER_OPS } from "./types";
import type { EventQuery, FieldFilter, FilterOp } from "./types";

export const DEFAULT_MAX = 100;
export const LIMIT_MAX = 10000;

function queryError(message: string, details: Record<string, unknown> = {}): SysmonTsError {
  return new SysmonTsError("SYSMONTS_E_QUERY", message, { details });
}

// Longest operators first so "!=" is not read as a field ending in "!".
const WHERE_OPERATORS: readonly (readonly [string, FilterOp])[] = [
  ["!=", "ne"],
  ["~=", "contains"],
  ["^=", "startswith"],
  ["$=", "endswith"],
  ["=", "eq"],
];

/**
 * Reads a command-line filter: `Field=Value` (equals; a value with `*` or `?` is a wildcard),
 * `Field!=Value`, `Field~=Value` (contains), `Field^=Value` (starts with), `Field$=Value`
 * (ends with). The field must exist in some event of the catalogue.
 *
 * @example
 * parseWhere("Image=*bash"); // { field: "Image", op: "wildcard", value: "*bash" }
 * parseWhere("CommandLine~=curl"); // { field: "CommandLine", op: "contains", value: "curl" }
 */
export function parseWhere(text: string): FieldFilter {
  const eq = text.indexOf("=");
  if (eq <= 0) throw queryError(`filter '${text}' is not Field=Value (or !=, ~=, ^=, $=)`, { filter: text });
  for (const [token, op] of WHERE_OPERATORS) {
    const at = eq - token.length + 1;
    if (at > 0 && text.slice(at, eq + 1) === token) {
      const field = text.slice(0, at).trim();
      const value = text.slice(eq + 1);
      const filter: FieldFilter = { field, op: op === "eq" && /[*?]/.test(value) ? "wildcard" : op, value };
      validateFilter(filter, 0);
      return filter;
    }
  }
  throw queryError(`filter '${text}' is not Field=Value`, { filter: text });
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Reads a time for --since/--until and `events.query`: ISO-8601 ("2026-11-21T15:04:05Z"; no
 * zone means UTC, as Sysmon's UtcTime), a duration before now ("30s", "30m", "2h", "7d", "1w")
 * or milliseconds since the epoch ("1763737445000").
 *
 * @example
 * parseTime("2h", { now: 7_200_000 }); // 0
 * parseTime("1970-01-01T00:00:01Z"); // 1000
 */
export function parseTime(text: string | number, options: { now?: number } = {}): number {
  if (typeof text === "number") {
    if (!Number.isFinite(text) || text < 0) throw queryError(`time ${text} is not milliseconds since the epoch`, { time: text });
    return text;
  }
  const trimmed = text.trim();
  const relative = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(trimmed);
  if (relative) {
    const [, amount, unit] = relative;
    return (options.now ?? Date.now()) - Number(amount) * (UNIT_MS[unit!.toLowerCase()] ?? 0);
  }
  if (/^\d{9,}$/.test(trimmed)) return Number(trimmed);
  // ISO-8601 date, optional time, optional zone; a space instead of T is accepted because
  // Sysmon's UtcTime ("2026-11-21 15:04:05.123") is what users copy from events.
  const iso = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(trimmed);
  if (iso) {
    const [, date, time, zone] = iso;
    const parsed = Date.parse(`${date}T${time ?? "00:00:00"}${zone ?? "Z"}`);
    if (Number.isFinite(parsed)) return parsed;
  }
  throw queryError(`time '${text}' is not ISO-8601, a duration like 2h/30m/7d, or epoch milliseconds`, { time: text });
}

const KNOWN_FIELDS = new Set(ALL_EVENTS.flatMap((e) => e.fields.map((f) => f.name.toLowerCase())));

function validateFilter(filter: FieldFilter, index: number): void {
  if (typeof filter.field !== "string" || filter.field === "") throw queryError(`where[${index}]: field is missing`, { index });
  if (!KNOWN_FIELDS.has(filter.field.toLowerCase())) {
    throw queryError(`where[${index}]: no event has a field named '${filter.field}'`, { index, field: filter.field });
  }
  if (!FILTER_OPS.includes(filter.op)) {
    throw queryError(`where[${index}]: operator '${String(filter.op)}' is not one of ${FILTER_OPS.join(", ")}`, { index, op: filter.op });
  }
  if (typeof filter.value !== "string") throw queryError(`where[${index}]: value must be a string`, { index });
}

/** A query checked and completed with defaults; what the store's worker executes. */
export interface NormalizedQuery {
  readonly ids: readonly number[] | null;
  readonly since: number | null;
  readonly until: number | null;
  readonly where: readonly FieldFilter[];
  readonly processGuid: string | null;
  readonly descendants: boolean;
  readonly order: "newest" | "oldest";
  readonly max: number;
  /** Continue strictly after (oldest) or before (newest) this record id. */
  readonly afterRecordId: number | null;
}

/** Checks a query from any caller (CLI, JSON-RPC, PowerShell) and fills in the defaults. */
export function normalizeQuery(query: EventQuery): NormalizedQuery {
  const ids = query.ids && query.ids.length > 0 ? [...new Set(query.ids)] : null;
  for (const id of ids ?? []) {
    if (!Number.isInteger(id) || !findEvent(id)) throw queryError(`event ID ${String(id)} is not in the catalogue`, { id });
  }
  const where = query.where ?? [];
  where.forEach(validateFilter);
  const max = query.max ?? DEFAULT_MAX;
  if (!Number.isInteger(max) || max < 1 || max > LIMIT_MAX) throw queryError(`max ${String(max)} is not between 1 and ${LIMIT_MAX}`, { max });
  const order = query.order ?? "newest";
  if (order !== "newest" && order !== "oldest") throw queryError(`order '${String(order)}' is not newest or oldest`, { order });
  for (const [name, value] of [["since", query.since], ["until", query.until]] as const) {
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value))) throw queryError(`${name} is not a time in milliseconds`, { [name]: value });
  }
  let processGuid: string | null = null;
  if (query.processGuid !== undefined) {
    const guid = query.processGuid.trim().toLowerCase();
    const braced = guid.startsWith("{") ? guid : `{${guid}}`;
    if (!/^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/.test(braced)) {
      throw queryError(`processGuid '${query.processGuid}' is not a GUID`, { processGuid: query.processGuid });
    }
    processGuid = braced;
  }
  return {
    ids,
    since: query.since ?? null,
    until: query.until ?? null,
    where,
    processGuid,
    descendants: query.descendants === true && processGuid !== null,
    order,
    max,
    afterRecordId: query.cursor === undefined || query.cursor === null ? null : decodeCursor(query.cursor),
  };
}

/** Cursors are opaque to callers; the record id inside lets a page continue in O(log n). */
export function encodeCursor(recordId: number): string {
  return `r${recordId.toString(36)}`;
}

export function decodeCursor(cursor: string): number {
  const match = /^r([0-9a-z]{1,11})$/.exec(cursor);
  const recordId = match ? parseInt(match[1]!, 36) : NaN;
  if (!Number.isSafeInteger(recordId)) throw queryError(`cursor '${cursor}' was not returned by a query`, { cursor });
  return recordId;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+^${}()|[\]\\*?]/g, "\\$&");
}

/** Sysmon-style wildcard (`*` any run, `?` one character) as an anchored, case-insensitive test. */
export function wildcardMatcher(pattern: string): (text: string) => boolean {
  const source = pattern
    .split(/([*?])/)
    .map((part) => (part === "*" ? "[\\s\\S]*" : part === "?" ? "[\\s\\S]" : escapeRegExp(part)))
    .join("");
  const regexp = new RegExp(`^${source}$`, "iu");
  return (text) => regexp.test(text);
}

type ValueTest = (lowered: string) => boolean;

function valueTest(filter: FieldFilter): ValueTest {
  const value = filter.value.toLowerCase();
  switch (filter.op) {
    case "eq":
      return (text) => text === value;
    case "ne":
      return (text) => text !== value;
    case "contains":
      return (text) => text.includes(value);
    case "startswith":
      return (text) => text.startsWith(value);
    case "endswith":
      return (text) => text.endsWith(value);
    case "wildcard": {
      const test = wildcardMatcher(filter.value);
      return (text) => test(text);
    }
  }
}

/**
 * Compiles where-filters into one predicate. An event that lacks a filtered field does not
 * match, whatever the operator: `Image!=x` asks about events that have an Image.
 */
export function compileFilters(filters: readonly FieldFilter[]): (event: SysmonEvent) => boolean {
  if (filters.length === 0) return () => true;
  const compiled = filters.map((f) => ({ field: f.field.toLowerCase(), test: valueTest(f) }));
  const indexCache = new Map<number, (number | undefined)[]>();
  const indexesFor = (def: EventDef): (number | undefined)[] => {
    let indexes = indexCache.get(def.id);
    if (!indexes) {
      indexes = compiled.map((c) => def.fieldIndexLower.get(c.field));
      indexCache.set(def.id, indexes);
    }
    return indexes;
  };
  return (event) => {
    const def = findEvent(event.id);
    if (!def) return false;
    const indexes = indexesFor(def);
    for (let i = 0; i < compiled.length; i++) {
      const index = indexes[i];
      if (index === undefined) return false;
      if (!compiled[i]!.test((event.values[index] ?? "-").toLowerCase())) return false;
    }
    return true;
  };
}
