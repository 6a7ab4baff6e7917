import { ALL_EVENTS, findEvent } from "../schema";
import type { EventDef } from "../schema";

/**
 * The table layout. One row per event; record_id is the rowid (the EventRecordID, so paging
 * by record id is a B-tree seek). Every value is kept, in manifest order, as a JSON array in
 * `vals`; each field's type comes from the catalogue by (event_id, version), so it is not
 * repeated per row. A few lowercased copies are indexed for the questions analysts ask most:
 *
 * - (event_id, record_id): "newest N events of ID 1", the Get-MonitorEvent -Id default.
 * - time_created: --since/--until, retention by age.
 * - process_guid (ProcessGuid or SourceProcessGuid) and related_guid (ParentProcessGuid or
 *   TargetProcessGuid): "everything this process did", and walking a process tree.
 * - image (Image or SourceImage) and target (the object acted on: TargetFilename,
 *   TargetObject, TargetImage, ImageLoaded, QueryName, PipeName, DestinationIp, Device):
 *   the fields most where-filters name; eq and startswith on them use the index.
 *
 * Other fields are filtered by scanning `vals` within the indexed candidates; a scan is
 * bounded per page and the cursor continues it.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS events (
  record_id INTEGER PRIMARY KEY,
  event_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  time_created REAL NOT NULL,
  utc_time TEXT,
  computer TEXT NOT NULL,
  process_guid TEXT,
  related_guid TEXT,
  image TEXT,
  target TEXT,
  vals TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_id ON events (event_id, record_id);
CREATE INDEX IF NOT EXISTS events_by_time ON events (time_created);
CREATE INDEX IF NOT EXISTS events_by_process ON events (process_guid) WHERE process_guid IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_by_related ON events (related_guid) WHERE related_guid IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_by_image ON events (image) WHERE image IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_by_target ON events (target) WHERE target IS NOT NULL;
CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

/** The store's own format version, kept in store_meta so a later layout can migrate. */
export const LAYOUT_VERSION = 1;

export type IndexedColumn = "image" | "target";

const TARGET_FIELDS = ["TargetFilename", "TargetObject", "TargetImage", "ImageLoaded", "QueryName", "PipeName", "DestinationIp", "Device"];

/** Which value of an event feeds each indexed column; -1 when the event has none. */
export interface ColumnSources {
  readonly processGuid: number;
  readonly relatedGuid: number;
  readonly image: number;
  readonly target: number;
}

function firstIndex(def: EventDef, names: readonly string[]): number {
  for (const name of names) {
    const index = def.fieldIndex.get(name);
    if (index !== undefined) return index;
  }
  return -1;
}

function sourcesOf(def: EventDef): ColumnSources {
  return {
    processGuid: firstIndex(def, ["ProcessGuid", "SourceProcessGuid", "SourceProcessGUID"]),
    relatedGuid: firstIndex(def, ["ParentProcessGuid", "TargetProcessGuid", "TargetProcessGUID"]),
    image: firstIndex(def, ["Image", "SourceImage"]),
    target: firstIndex(def, TARGET_FIELDS),
  };
}

const SOURCES = new Map<number, ColumnSources>(ALL_EVENTS.map((def) => [def.id, sourcesOf(def)]));
const NO_SOURCES: ColumnSources = { processGuid: -1, relatedGuid: -1, image: -1, target: -1 };

export function columnSources(eventId: number): ColumnSources {
  return SOURCES.get(eventId) ?? NO_SOURCES;
}

/**
 * The indexed column that holds this field for every event having it, so a filter on the
 * field may narrow candidates through the index; undefined when some event stores the field
 * elsewhere (or nowhere).
 */
export function indexedColumnFor(field: string): IndexedColumn | undefined {
  const lower = field.toLowerCase();
  for (const column of ["image", "target"] as const) {
    let holds = false;
    let everywhere = true;
    for (const def of ALL_EVENTS) {
      const index = def.fieldIndexLower.get(lower);
      if (index === undefined) continue;
      holds = true;
      if (columnSources(def.id)[column] !== index) everywhere = false;
    }
    if (holds && everywhere) return column;
  }
  return undefined;
}

/** The manifest version the catalogue gives an event (rows record it for later layouts). */
export function eventVersion(eventId: number): number {
  return findEvent(eventId)?.version ?? 0;
}
