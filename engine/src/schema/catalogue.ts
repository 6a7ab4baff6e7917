import { EVENT_SPECS } from "./events";
import type { EventDef, EventSpec, FieldDef, SysmonEvent } from "./types";

function prepare(spec: EventSpec): EventDef {
  const fields: FieldDef[] = spec.fields.map(([name, type], index) => ({ name, type, index }));
  const fieldIndex = new Map(fields.map((f) => [f.name, f.index]));
  const fieldIndexLower = new Map(fields.map((f) => [f.name.toLowerCase(), f.index]));
  const isError = spec.id === 255;
  return {
    ...spec,
    fields,
    level: isError ? "Error" : "Informational",
    levelValue: isError ? 2 : 4,
    fieldIndex,
    fieldIndexLower,
    ruleNameIndex: fieldIndex.get("RuleName") ?? -1,
    utcTimeIndex: fieldIndex.get("UtcTime") ?? -1,
  };
}

const byId = new Map<number, EventDef>(EVENT_SPECS.map((s) => [s.id, prepare(s)]));

/** Every event, ordered by ID. */
export const ALL_EVENTS: readonly EventDef[] = [...byId.values()].sort((a, b) => a.id - b.id);

/** The event with this ID, or undefined when the catalogue has none. */
export function findEvent(id: number): EventDef | undefined {
  return byId.get(id);
}

/** The event with this ID; throws when it is not in the catalogue (a programming error). */
export function eventDef(id: number): EventDef {
  const def = byId.get(id);
  if (!def) throw new RangeError(`event ${id} is not in the catalogue`);
  return def;
}

/** Events that a config element of this name filters (RegistryEvent → 12, 13, 14). */
export function eventsForRuleName(ruleName: string): readonly EventDef[] {
  const lower = ruleName.toLowerCase();
  return ALL_EVENTS.filter((e) => e.ruleName?.toLowerCase() === lower);
}

/**
 * Builds an event from named values; names not in the manifest are ignored and missing ones
 * become "-", as Sysmon fills empty fields (spec/events.md §1).
 *
 * @example
 * const e = eventFromFields(1, { Image: "/usr/bin/true" });
 * e.values[eventDef(1).fieldIndex.get("Image")!]; // "/usr/bin/true"
 */
export function eventFromFields(id: number, named: Readonly<Record<string, string | number | boolean>>): SysmonEvent {
  const def = eventDef(id);
  const values = new Array<string>(def.fields.length).fill("-");
  for (const [name, value] of Object.entries(named)) {
    const index = def.fieldIndexLower.get(name.toLowerCase());
    if (index === undefined) continue;
    const text = String(value);
    values[index] = text === "" ? "-" : text;
  }
  return { id, values };
}

/** The event's values keyed by manifest field name, in manifest order. */
export function eventToFields(event: SysmonEvent): Record<string, string> {
  const def = eventDef(event.id);
  const out: Record<string, string> = {};
  for (const f of def.fields) out[f.name] = event.values[f.index] ?? "-";
  return out;
}
