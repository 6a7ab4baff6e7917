import { findEvent } from "../schema";
import type { EventDef, FieldType, StampedEvent } from "../schema";
import { formatTimeCreated } from "./time";

/** A value of the flat JSON shape: numbers and booleans typed by the catalogue, "-" numbers as null. */
export type JsonEventValue = string | number | boolean | null;
export type JsonEvent = Record<string, JsonEventValue>;

const DECIMAL = /^(0|[1-9]\d*)$/;

function numericText(value: string): string | null {
  return DECIMAL.test(value) ? value : null;
}

const keyCache = new Map<number, readonly string[]>();

function quotedKeys(def: EventDef): readonly string[] {
  let keys = keyCache.get(def.id);
  if (!keys) {
    keys = def.fields.map((f) => `,${JSON.stringify(f.name)}:`);
    keyCache.set(def.id, keys);
  }
  return keys;
}

function jsonText(type: FieldType, value: string): string {
  switch (type) {
    case "uint32":
    case "uint16":
    case "uint64": {
      if (value === "-") return "null";
      // Written digit for digit, so a uint64 beyond 2^53 keeps every digit in the text.
      // A value that is not a number (a sensor bug) stays visible as a string.
      return numericText(value) ?? JSON.stringify(value);
    }
    case "bool":
      return value === "true" || value === "false" ? value : value === "-" ? "null" : JSON.stringify(value);
    default:
      return JSON.stringify(value);
  }
}

/**
 * The shared flat JSON shape (JSONL sink, `query --format json`, JSON-RPC, PowerShell): keys
 * EventID, EventRecordID, EventVersion, Computer, TimeCreated (7 fractional digits), then every
 * field in manifest order typed by the catalogue. Built as text, not through an object, so
 * rendering costs one string per event. Lone surrogates come out as \\uXXXX escapes.
 * The header says EventVersion, not Version, because event 4 has a field named Version and a
 * JSON object must not hold a key twice.
 *
 * @example
 * renderJson({ recordId: 7, timeCreated: 0, computer: "h", event: eventFromFields(5, { ProcessId: 42 }) });
 * // '{"EventID":5,"EventRecordID":7,"EventVersion":3,"Computer":"h","TimeCreated":"1970-01-01T00:00:00.0000000Z","RuleName":"-",...,"ProcessId":42,...}'
 */
export function renderJson(stamped: StampedEvent): string {
  const def = findEvent(stamped.event.id);
  if (!def) throw new RangeError(`event ${stamped.event.id} is not in the catalogue`);
  let json =
    `{"EventID":${def.id},"EventRecordID":${stamped.recordId},"EventVersion":${def.version},` +
    `"Computer":${JSON.stringify(stamped.computer)},"TimeCreated":"${formatTimeCreated(stamped.timeCreated, 7)}"`;
  const keys = quotedKeys(def);
  const values = stamped.event.values;
  for (let i = 0; i < def.fields.length; i++) json += `${keys[i]}${jsonText(def.fields[i]!.type, values[i] ?? "-")}`;
  return `${json}}`;
}

/** The same shape as an object, for JSON-RPC results (uint64 values beyond 2^53 lose precision here). */
export function eventToJson(stamped: StampedEvent): JsonEvent {
  return JSON.parse(renderJson(stamped)) as JsonEvent;
}

/**
 * Rebuilds a StampedEvent from the flat JSON shape (what `events.query` returns), so a client
 * can render it in the other formats. Unknown keys are ignored, missing fields become "-".
 */
export function eventFromJson(json: Readonly<Record<string, unknown>>): StampedEvent {
  const id = Number(json["EventID"]);
  const def = findEvent(id);
  if (!def) throw new RangeError(`event ${String(json["EventID"])} is not in the catalogue`);
  const values = def.fields.map((f) => {
    const value = json[f.name];
    return value === null || value === undefined || value === "" ? "-" : String(value);
  });
  const time = String(json["TimeCreated"] ?? "");
  const fraction = /\.(\d+)Z$/.exec(time)?.[1] ?? "0";
  const whole = Date.parse(`${time.slice(0, 19)}Z`);
  return {
    recordId: Number(json["EventRecordID"]),
    timeCreated: Number.isFinite(whole) ? whole + Number(`0.${fraction}`) * 1000 : 0,
    computer: String(json["Computer"] ?? ""),
    event: { id, values },
  };
}
