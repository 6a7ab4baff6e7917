/** How a field's value is turned into text (spec/events.md §1, "In-type rendering"). */
export type FieldType = "string" | "guid" | "uint32" | "uint16" | "uint64" | "hex32" | "hex64" | "bool";

/** One row of the catalogue as written in events.ts: field name and type, in manifest order. */
export type FieldTuple = readonly [name: string, type: FieldType];

/** Where an event can be produced: both platforms, or only one. */
export type EventTarget = "all" | "linux" | "windows";

export interface EventSpec {
  readonly id: number;
  /** Display name of the manifest template ("Process Create"). */
  readonly name: string;
  readonly symbol: string;
  /** Config element that filters it (`ProcessCreate`); null for 4, 16, 255, which are always logged. */
  readonly ruleName: string | null;
  /** What happens with no rule element for it (spec/events.md §2). */
  readonly ruleDefault: "include" | "exclude" | null;
  readonly version: number;
  readonly target: EventTarget;
  /** Whether Microsoft's Sysmon for Linux produces it (we produce more, see sensor/linux). */
  readonly sysmonForLinux: boolean;
  readonly fields: readonly FieldTuple[];
}

export interface FieldDef {
  readonly name: string;
  readonly type: FieldType;
  /** Position in manifest order: the index into SysmonEvent.values. */
  readonly index: number;
}

/** An EventSpec prepared for lookups by name. */
export interface EventDef extends Omit<EventSpec, "fields"> {
  readonly fields: readonly FieldDef[];
  readonly level: "Informational" | "Error";
  readonly levelValue: 2 | 4;
  /** Field index by exact manifest name. */
  readonly fieldIndex: ReadonlyMap<string, number>;
  /** Field index by lowercased name; configs and queries name fields case-insensitively. */
  readonly fieldIndexLower: ReadonlyMap<string, number>;
  /** Index of RuleName, or -1 for events that have none. */
  readonly ruleNameIndex: number;
  readonly utcTimeIndex: number;
}

/**
 * One event in flight: its ID and its values as text in manifest order, exactly as Sysmon
 * matches and renders them ("-" for empty, spec/events.md §1). Arrays keep the hot path free
 * of per-event object shapes and let rules address fields by index.
 */
export interface SysmonEvent {
  readonly id: number;
  readonly values: string[];
}

/**
 * A kept event as it leaves the pipeline: what the store records and every sink renders.
 * The record ID is assigned by the pipeline (monotonic, never reused, continued from the
 * store's newest on start) so sinks stay numbered even while the store is failing.
 */
export interface StampedEvent {
  readonly recordId: number;
  /** When the engine emitted it, milliseconds since the epoch (the XML TimeCreated). */
  readonly timeCreated: number;
  readonly computer: string;
  readonly event: SysmonEvent;
}
