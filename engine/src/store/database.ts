import { statSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import type { StatementSync } from "node:sqlite";
import { SysmonTsError } from "../base";
import { findEvent } from "../schema";
import type { StampedEvent } from "../schema";
import { LAYOUT_VERSION, SCHEMA_SQL, columnSources, eventVersion, indexedColumnFor } from "./layout";
import { compileFilters, encodeCursor } from "./query";
import type { NormalizedQuery } from "./query";
import type { QueryPage } from "./types";

/** What the worker reports about the file; StoreStatus adds the queue counters. */
export interface DatabaseFacts {
  readonly sizeBytes: number;
  readonly eventCount: number;
  readonly oldestRecordId: number | null;
  readonly newestRecordId: number | null;
  readonly oldestTime: number | null;
  readonly newestTime: number | null;
}

interface EventRow {
  record_id: number;
  event_id: number;
  time_created: number;
  computer: string;
  vals: string;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * One connection to a store file. Used by the store's worker thread for everything, and
 * briefly by the opening thread to create the file and learn the newest record id before
 * the first append.
 */
export class StoreDatabase implements Disposable {
  readonly path: string;
  private readonly db: DatabaseSync;
  private readonly insert: StatementSync | null;
  private readonly setMeta: StatementSync | null;
  private count: number;
  private newest: { recordId: number; time: number | null };

  constructor(path: string, options: { readOnly?: boolean } = {}) {
    this.path = path;
    const readOnly = options.readOnly === true;
    try {
      this.db = new DatabaseSync(path, { readOnly, timeout: 5000 });
    } catch (cause) {
      throw new SysmonTsError("SYSMONTS_E_STORE", `cannot open event store ${path}: ${(cause as Error).message}`, { cause, details: { path } });
    }
    try {
      if (!readOnly) {
        // auto_vacuum must be chosen before the first table exists; INCREMENTAL lets
        // retention give pages back to the file system without a full VACUUM.
        this.db.exec("PRAGMA auto_vacuum = INCREMENTAL");
        // WAL: readers (queries, the CLI) never block the writer. synchronous=NORMAL keeps
        // every committed transaction across a crash of this process (kill -9); only an OS
        // crash or power loss may lose the last few commits.
        this.db.exec("PRAGMA journal_mode = WAL");
        this.db.exec("PRAGMA synchronous = NORMAL");
        this.db.exec(SCHEMA_SQL);
        this.db.prepare("INSERT OR IGNORE INTO store_meta (key, value) VALUES ('layout_version', ?)").run(LAYOUT_VERSION);
      }
      this.checkLayout();
    } catch (cause) {
      this.db.close();
      if (cause instanceof SysmonTsError) throw cause;
      throw new SysmonTsError("SYSMONTS_E_STORE", `${path} is not a usable event store: ${(cause as Error).message}`, { cause, details: { path } });
    }
    this.insert = readOnly
      ? null
      : this.db.prepare(
          "INSERT INTO events (record_id, event_id, version, time_created, utc_time, computer, process_guid, related_guid, image, target, vals) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        );
    this.setMeta = readOnly ? null : this.db.prepare("INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)");
    this.count = Number((this.db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n);
    const metaNewest = this.meta("newest_record_id") ?? 0;
    const last = this.db.prepare("SELECT record_id, time_created FROM events ORDER BY record_id DESC LIMIT 1").get() as
      | { record_id: number; time_created: number }
      | undefined;
    this.newest = { recordId: Math.max(metaNewest, last?.record_id ?? 0), time: last?.time_created ?? null };
  }

  private checkLayout(): void {
    const tables = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'store_meta')").all();
    if (tables.length !== 2) throw new SysmonTsError("SYSMONTS_E_STORE", `${this.path} is not a SysmonTs event store (no events table)`, { details: { path: this.path } });
    const version = this.meta("layout_version");
    if (version !== undefined && version > LAYOUT_VERSION) {
      throw new SysmonTsError("SYSMONTS_E_STORE", `${this.path} was written by a newer SysmonTs (store layout ${version})`, { details: { path: this.path } });
    }
  }

  private meta(key: string): number | undefined {
    const row = this.db.prepare("SELECT value FROM store_meta WHERE key = ?").get(key) as { value: number } | undefined;
    return row === undefined ? undefined : Number(row.value);
  }

  /** The highest record id ever committed, even if retention has removed it since. */
  newestRecordId(): number {
    return this.newest.recordId;
  }

  /** Commits the batch in one transaction, or throws and leaves the store as it was. */
  insertBatch(events: readonly StampedEvent[]): void {
    const insert = this.insert;
    const setMeta = this.setMeta;
    if (!insert || !setMeta) throw new SysmonTsError("SYSMONTS_E_STORE", `${this.path} is open read-only`);
    if (events.length === 0) return;
    this.db.exec("BEGIN IMMEDIATE");
    try {
      for (const stamped of events) {
        const { event } = stamped;
        const sources = columnSources(event.id);
        const values = event.values;
        const def = findEvent(event.id);
        insert.run(
          stamped.recordId,
          event.id,
          eventVersion(event.id),
          stamped.timeCreated,
          def && def.utcTimeIndex >= 0 ? (values[def.utcTimeIndex] ?? null) : null,
          stamped.computer,
          lowered(values, sources.processGuid),
          lowered(values, sources.relatedGuid),
          lowered(values, sources.image),
          lowered(values, sources.target),
          JSON.stringify(values),
        );
      }
      const last = events[events.length - 1]!;
      setMeta.run("newest_record_id", last.recordId);
      this.db.exec("COMMIT");
      this.count += events.length;
      this.newest = { recordId: last.recordId, time: last.timeCreated };
    } catch (error) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK");
      throw error;
    }
  }

  facts(): DatabaseFacts {
    const oldest = this.db.prepare("SELECT record_id, time_created FROM events ORDER BY record_id LIMIT 1").get() as
      | { record_id: number; time_created: number }
      | undefined;
    const newestRow = this.db.prepare("SELECT record_id, time_created FROM events ORDER BY record_id DESC LIMIT 1").get() as
      | { record_id: number; time_created: number }
      | undefined;
    return {
      sizeBytes: this.sizeBytes(),
      eventCount: this.count,
      oldestRecordId: oldest?.record_id ?? null,
      newestRecordId: newestRow?.record_id ?? null,
      oldestTime: oldest?.time_created ?? null,
      newestTime: newestRow?.time_created ?? null,
    };
  }

  sizeBytes(): number {
    return fileSize(this.path) + fileSize(`${this.path}-wal`);
  }

  /**
   * Retention, oldest first: events older than maxAgeDays, then the oldest events until the
   * file (with its WAL) is under maxBytes. Deletes in slices so no transaction grows large.
   * Returns how many events were removed.
   */
  retain(limits: { maxBytes?: number; maxAgeDays?: number; now?: number }): number {
    let removed = 0;
    if (limits.maxAgeDays !== undefined) {
      const cutoff = (limits.now ?? Date.now()) - limits.maxAgeDays * 86_400_000;
      const slice = this.db.prepare("DELETE FROM events WHERE record_id IN (SELECT record_id FROM events WHERE time_created < ? ORDER BY record_id LIMIT 5000)");
      for (;;) {
        const changes = Number(slice.run(cutoff).changes);
        removed += changes;
        if (changes === 0) break;
      }
    }
    if (limits.maxBytes !== undefined && this.sizeBytes() > limits.maxBytes) {
      this.compact();
      for (let round = 0; round < 20 && this.sizeBytes() > limits.maxBytes && this.count - removed > 0; round++) {
        const pageSize = Number((this.db.prepare("PRAGMA page_size").get() as { page_size: number }).page_size);
        const pages = Number((this.db.prepare("PRAGMA page_count").get() as { page_count: number }).page_count);
        const free = Number((this.db.prepare("PRAGMA freelist_count").get() as { freelist_count: number }).freelist_count);
        const rows = Math.max(1, this.count - removed);
        const bytesPerRow = Math.max(1, ((pages - free) * pageSize) / rows);
        // Aim 10% under the limit so retention does not run again on the very next insert.
        const excess = this.sizeBytes() - limits.maxBytes * 0.9;
        const toDelete = Math.min(rows, Math.max(1, Math.ceil(excess / bytesPerRow)));
        const changes = Number(
          this.db.prepare("DELETE FROM events WHERE record_id IN (SELECT record_id FROM events ORDER BY record_id LIMIT ?)").run(toDelete).changes,
        );
        removed += changes;
        this.compact();
        if (changes === 0) break;
      }
    }
    this.count -= removed;
    if (removed > 0) this.compact();
    return removed;
  }

  /** Gives freed pages back to the file system and empties the WAL. */
  private compact(): void {
    this.db.exec("PRAGMA incremental_vacuum");
    this.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

  /** Refreshes the planner's statistics so it keeps choosing the right index as the store grows. */
  optimize(): void {
    this.db.exec("PRAGMA optimize");
  }

  integrityCheck(): string {
    return String((this.db.prepare("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check);
  }

  query(query: NormalizedQuery, options: { scanLimit?: number } = {}): QueryPage {
    const conditions: string[] = [];
    const params: (string | number)[] = [];
    if (query.ids) {
      conditions.push(`event_id IN (${query.ids.map(() => "?").join(", ")})`);
      params.push(...query.ids);
    }
    if (query.since !== null) {
      conditions.push("time_created >= ?");
      params.push(query.since);
    }
    if (query.until !== null) {
      conditions.push("time_created <= ?");
      params.push(query.until);
    }
    if (query.processGuid !== null) {
      const guids = query.descendants ? this.processTree(query.processGuid) : [query.processGuid];
      const list = guids.map(() => "?").join(", ");
      conditions.push(`(process_guid IN (${list}) OR related_guid IN (${list}))`);
      params.push(...guids, ...guids);
    }
    for (const filter of query.where) {
      const column = indexedColumnFor(filter.field);
      if (!column) continue;
      const prefix =
        filter.op === "eq" || filter.op === "startswith" ? filter.value : filter.op === "wildcard" ? (filter.value.split(/[*?]/)[0] ?? "") : "";
      if (filter.op === "eq") {
        conditions.push(`${column} = ?`);
        params.push(filter.value.toLowerCase());
      } else if (prefix !== "") {
        conditions.push(`${column} >= ? AND ${column} < ?`);
        params.push(prefix.toLowerCase(), `${prefix.toLowerCase()}\u{10ffff}`);
      }
    }
    const newestFirst = query.order === "newest";
    const filter = compileFilters(query.where);
    const needsFilter = query.where.length > 0;
    const chunk = needsFilter ? 1000 : query.max;
    const scanLimit = options.scanLimit ?? 200_000;
    const where = conditions.length > 0 ? `${conditions.join(" AND ")} AND ` : "";
    const statement = this.db.prepare(
      `SELECT record_id, event_id, time_created, computer, vals FROM events WHERE ${where}record_id ${newestFirst ? "<" : ">"} ? ORDER BY record_id ${newestFirst ? "DESC" : "ASC"} LIMIT ?`,
    );
    const events: StampedEvent[] = [];
    let position = query.afterRecordId ?? (newestFirst ? Number.MAX_SAFE_INTEGER : 0);
    let scanned = 0;
    for (;;) {
      const rows = statement.all(...params, position, chunk) as unknown as EventRow[];
      for (const row of rows) {
        position = row.record_id;
        scanned++;
        const stamped: StampedEvent = {
          recordId: row.record_id,
          timeCreated: row.time_created,
          computer: row.computer,
          event: { id: row.event_id, values: JSON.parse(row.vals) as string[] },
        };
        if (!needsFilter || filter(stamped.event)) {
          events.push(stamped);
          if (events.length === query.max) return { events, cursor: encodeCursor(position) };
        }
      }
      if (rows.length < chunk) return { events, cursor: null };
      // A page's work is bounded: a rare match over a large store returns what it found so
      // far and a cursor, and the caller asks again.
      if (scanned >= scanLimit) return { events, cursor: encodeCursor(position) };
    }
  }

  /** The GUID and those of every process it started, transitively (through event 1). */
  private processTree(guid: string): string[] {
    const rows = this.db
      .prepare(
        "WITH RECURSIVE tree(g) AS (SELECT ? UNION SELECT e.process_guid FROM events e JOIN tree ON e.related_guid = tree.g WHERE e.event_id = 1) SELECT g FROM tree LIMIT 10000",
      )
      .all(guid) as { g: string }[];
    return rows.map((r) => r.g);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function lowered(values: readonly string[], index: number): string | null {
  if (index < 0) return null;
  const value = values[index];
  return value === undefined || value === "-" ? null : value.toLowerCase();
}
