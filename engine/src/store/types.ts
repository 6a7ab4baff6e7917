import type { SysmonTsError } from "../base";
import type { StampedEvent } from "../schema";

/** How a where-filter compares a field with its value; every comparison ignores case. */
export type FilterOp = "eq" | "ne" | "contains" | "startswith" | "endswith" | "wildcard";

export const FILTER_OPS: readonly FilterOp[] = ["eq", "ne", "contains", "startswith", "endswith", "wildcard"];

export interface FieldFilter {
  /** A manifest field name, matched case-insensitively ("image" finds Image). */
  readonly field: string;
  readonly op: FilterOp;
  /** For "wildcard", `*` is any run of characters and `?` one character. */
  readonly value: string;
}

/**
 * What the CLI, the control channel (`events.query`) and PowerShell ask the store. Every
 * condition must hold (AND); times select on TimeCreated, milliseconds since the epoch.
 */
export interface EventQuery {
  readonly ids?: readonly number[];
  readonly since?: number;
  readonly until?: number;
  readonly where?: readonly FieldFilter[];
  /** Events whose ProcessGuid, ParentProcessGuid, SourceProcessGuid or TargetProcessGuid is this GUID. */
  readonly processGuid?: string;
  /** With processGuid: also the events of every process it started, transitively (found through event 1). */
  readonly descendants?: boolean;
  readonly order?: "newest" | "oldest";
  /** At most this many events per page (default 100, at most 10000). */
  readonly max?: number;
  /** The cursor of the previous page, to continue where it stopped. */
  readonly cursor?: string;
}

export interface QueryPage {
  readonly events: StampedEvent[];
  /** Null when nothing is left; otherwise pass it back as `cursor` for the next page. */
  readonly cursor: string | null;
}

/** "ok", or "failed: <reason>" while the store cannot write (disk full, read-only); "closed" after close(). */
export type StoreState = "starting" | "ok" | "closed" | `failed: ${string}`;

export interface StoreStatus {
  readonly path: string;
  readonly state: StoreState;
  readonly sizeBytes: number;
  readonly eventCount: number;
  readonly oldestRecordId: number | null;
  readonly newestRecordId: number | null;
  readonly oldestTime: number | null;
  readonly newestTime: number | null;
  /** Accepted by append() and not yet committed. */
  readonly queued: number;
  /** Refused by append() because the queue was full. */
  readonly dropped: number;
  /** Refused by append() because the record id was not above the newest one. */
  readonly rejected: number;
  /** Events removed by retention since open. */
  readonly retired: number;
}

export interface CommitInfo {
  readonly firstRecordId: number;
  readonly lastRecordId: number;
  readonly count: number;
}

export interface StoreOptions {
  /** Retention: the oldest events go once the database and its WAL exceed this many bytes. */
  readonly maxBytes?: number;
  /** Retention: events whose TimeCreated is older than this go. */
  readonly maxAgeDays?: number;
  /** Events append() may hold before it drops (default 25000). */
  readonly queueCapacity?: number;
  /** Called when the store starts failing (disk full, read-only ...); the pipeline turns it into event 255. */
  readonly onError?: (error: SysmonTsError) => void;
  /** Called after each committed batch; tests and the pipeline use it to know what is durable. */
  readonly onCommit?: (info: CommitInfo) => void;
  /** Open for queries only (the CLI reading a store file): append() refuses everything. */
  readonly readOnly?: boolean;
  /** How often retention runs (default 60 s); never per insert. */
  readonly retentionIntervalMs?: number;
  /** Wait before retrying a batch after a failed write (default 1 s). */
  readonly retryDelayMs?: number;
  /** Largest batch committed in one transaction (default 5000). */
  readonly batchSize?: number;
  /** How long appended events wait to be committed together (default 50 ms); 0 commits every loop turn. */
  readonly batchDelayMs?: number;
}

export interface EventStore extends AsyncDisposable {
  readonly path: string;
  /** Enqueues without blocking; false (and a counted drop or reject) when it cannot. */
  append(event: StampedEvent): boolean;
  /** Resolves once every event appended before the call is committed; rejects while the store is failing. */
  flush(): Promise<void>;
  query(query: EventQuery): Promise<QueryPage>;
  status(): StoreStatus;
  /** The highest record id the store holds or has accepted; the pipeline continues from it. 0 when empty. */
  newestRecordId(): number;
  close(): Promise<void>;
}
