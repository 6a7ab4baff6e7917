import type { Worker } from "node:worker_threads";
import { SysmonTsError } from "../base";
import type { ErrorCode } from "../base";
import type { StampedEvent } from "../schema";
import { StoreDatabase } from "./database";
import type { DatabaseFacts } from "./database";
import { normalizeQuery } from "./query";
import { startStoreThread } from "./thread";
import type { FromWorker } from "./worker";
import type { EventQuery, EventStore, QueryPage, StoreOptions, StoreState, StoreStatus } from "./types";

// The queue absorbs bursts the writer thread cannot take at once (25,000 events is several
// seconds at the machine's maximum exec rate); beyond that, events are dropped and counted.
// A 100,000-event queue let the engine's RSS pass 500 MB during a sustained storm.
const DEFAULTS = { queueCapacity: 25_000, retentionIntervalMs: 60_000, retryDelayMs: 1000, batchSize: 5000, batchDelayMs: 50 };

interface Waiter {
  readonly upTo: number;
  readonly resolve: () => void;
  readonly reject: (error: SysmonTsError) => void;
}

/**
 * Opens (creating if needed) the event store at `path` and starts its writer thread.
 * Throws SYSMONTS_E_STORE at once if the file is not a usable store; later write failures
 * (disk full, read-only) only change status() and call onError, and the store retries.
 *
 * @example
 * const store = openStore("/var/lib/sysmonts/events.db", { maxBytes: 1 << 30, maxAgeDays: 30 });
 * let next = store.newestRecordId() + 1;
 * store.append({ recordId: next++, timeCreated: Date.now(), computer: "host", event });
 * await store.close();
 */
export function openStore(path: string, options: StoreOptions = {}): EventStore {
  // Opened here, synchronously, so a bad path fails the caller at once and the pipeline can
  // continue numbering from newestRecordId() before the first append.
  const database = new StoreDatabase(path, { readOnly: options.readOnly });
  let facts: DatabaseFacts;
  let newest: number;
  try {
    facts = database.facts();
    newest = database.newestRecordId();
  } finally {
    database.close();
  }
  return new ThreadedEventStore(path, options, { facts, newest });
}

class ThreadedEventStore implements EventStore {
  readonly path: string;
  private readonly options: StoreOptions;
  private readonly capacity: number;
  private readonly batchSize: number;
  private readonly batchDelayMs: number;
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private queue: StampedEvent[] = [];
  private inFlight: StampedEvent[] | null = null;
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private lastAccepted: number;
  private facts: DatabaseFacts;
  private state: StoreState = "starting";
  private closed = false;
  private dropped = 0;
  private rejected = 0;
  private retired = 0;
  private waiters: Waiter[] = [];
  private nextRequestId = 1;
  private readonly requests = new Map<number, { resolve: (page: QueryPage) => void; reject: (error: SysmonTsError) => void }>();

  constructor(path: string, options: StoreOptions, opened: { facts: DatabaseFacts; newest: number }) {
    this.path = path;
    this.options = options;
    this.capacity = options.queueCapacity ?? DEFAULTS.queueCapacity;
    this.batchSize = options.batchSize ?? DEFAULTS.batchSize;
    this.batchDelayMs = options.batchDelayMs ?? DEFAULTS.batchDelayMs;
    this.facts = opened.facts;
    this.lastAccepted = opened.newest;
    this.worker = startStoreThread({
      path,
      readOnly: options.readOnly === true,
      maxBytes: options.maxBytes,
      maxAgeDays: options.maxAgeDays,
      retentionIntervalMs: options.retentionIntervalMs ?? DEFAULTS.retentionIntervalMs,
    });
    this.worker.on("message", (message: FromWorker) => this.onMessage(message));
    this.worker.on("error", (error: Error) => this.fail(`writer thread crashed: ${error.message}`));
    this.exited = new Promise((resolve) => this.worker.once("exit", () => resolve()));
  }

  append(event: StampedEvent): boolean {
    if (this.closed || this.options.readOnly) {
      this.rejected++;
      return false;
    }
    if (!(event.recordId > this.lastAccepted)) {
      // A record id at or below one already accepted would break "monotonic, never reused".
      this.rejected++;
      this.options.onError?.(
        new SysmonTsError("SYSMONTS_E_STORE", `event store refused record id ${event.recordId}: not above ${this.lastAccepted}`, {
          details: { recordId: event.recordId, newestRecordId: this.lastAccepted },
        }),
      );
      return false;
    }
    if (this.queue.length + (this.inFlight?.length ?? 0) >= this.capacity) {
      this.dropped++;
      return false;
    }
    this.queue.push(event);
    this.lastAccepted = event.recordId;
    if (!this.scheduled && this.inFlight === null && this.retryTimer === null) {
      this.scheduled = true;
      // One hop and one transaction per batch, not per event: what arrives within the batch
      // window travels to the writer thread in one message. At a few hundred events a second a
      // per-turn flush meant a transaction every drain tick, which cost more than the inserts.
      setTimeout(() => {
        this.scheduled = false;
        this.sendBatch();
      }, this.batchDelayMs);
    }
    return true;
  }

  private sendBatch(): void {
    if (this.inFlight !== null || this.queue.length === 0) return;
    const batch = this.queue.length <= this.batchSize ? this.queue : this.queue.slice(0, this.batchSize);
    this.queue = batch === this.queue ? [] : this.queue.slice(this.batchSize);
    this.inFlight = batch;
    this.worker.postMessage({ type: "append", events: batch });
  }

  private onMessage(message: FromWorker): void {
    switch (message.type) {
      case "ready":
        this.facts = message.facts;
        if (this.state === "starting") this.state = "ok";
        break;
      case "committed":
        this.facts = message.facts;
        this.inFlight = null;
        this.state = "ok";
        this.options.onCommit?.({ firstRecordId: message.firstRecordId, lastRecordId: message.lastRecordId, count: message.count });
        this.settleWaiters(message.lastRecordId);
        this.sendBatch();
        break;
      case "retained":
        this.facts = message.facts;
        this.retired += message.removed;
        break;
      case "failed":
        if (message.facts) this.facts = message.facts;
        this.fail(message.reason);
        if (this.inFlight !== null && this.retryTimer === null && !this.closed) {
          this.retryTimer = setTimeout(() => {
            this.retryTimer = null;
            const batch = this.inFlight;
            if (batch) this.worker.postMessage({ type: "append", events: batch });
          }, this.options.retryDelayMs ?? DEFAULTS.retryDelayMs);
        }
        break;
      case "answer":
        this.requests.get(message.requestId)?.resolve(message.page);
        this.requests.delete(message.requestId);
        break;
      case "refused":
        this.requests.get(message.requestId)?.reject(new SysmonTsError(message.code as ErrorCode, message.message));
        this.requests.delete(message.requestId);
        break;
      case "closed":
        break;
    }
  }

  private fail(reason: string): void {
    const wasFailing = this.state.startsWith("failed");
    this.state = `failed: ${reason}`;
    const error = new SysmonTsError("SYSMONTS_E_STORE", `event store ${this.path} failed: ${reason}`, { details: { path: this.path, reason } });
    for (const waiter of this.waiters) waiter.reject(error);
    this.waiters = [];
    // Once per episode: the pipeline turns it into one event 255, not one per retry.
    if (!wasFailing) this.options.onError?.(error);
  }

  private settleWaiters(committedUpTo: number): void {
    const idle = this.queue.length === 0 && this.inFlight === null;
    this.waiters = this.waiters.filter((waiter) => {
      if (idle || waiter.upTo <= committedUpTo) {
        waiter.resolve();
        return false;
      }
      return true;
    });
  }

  flush(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === null) return Promise.resolve();
    if (this.state.startsWith("failed")) {
      return Promise.reject(new SysmonTsError("SYSMONTS_E_STORE", `event store ${this.path} ${this.state}`, { details: { path: this.path } }));
    }
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ upTo: this.lastAccepted, resolve, reject }));
    // Someone is waiting: no reason to sit out the batch window.
    this.sendBatch();
    return done;
  }

  query(query: EventQuery): Promise<QueryPage> {
    if (this.closed) return Promise.reject(new SysmonTsError("SYSMONTS_E_STORE", `event store ${this.path} is closed`));
    let normalized;
    try {
      normalized = normalizeQuery(query);
    } catch (error) {
      return Promise.reject(error);
    }
    const requestId = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      this.requests.set(requestId, { resolve, reject });
      this.worker.postMessage({ type: "query", requestId, query: normalized });
    });
  }

  status(): StoreStatus {
    return {
      path: this.path,
      state: this.state,
      ...this.facts,
      newestRecordId: this.facts.newestRecordId,
      queued: this.queue.length + (this.inFlight?.length ?? 0),
      dropped: this.dropped,
      rejected: this.rejected,
      retired: this.retired,
    };
  }

  newestRecordId(): number {
    return this.lastAccepted;
  }

  async close(): Promise<void> {
    if (this.closed) return this.exited;
    if (!this.state.startsWith("failed")) {
      try {
        await this.flush();
      } catch {
        // Failing while closing: what is still queued cannot be written; it is counted below.
      }
    }
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.dropped += this.queue.length + (this.inFlight?.length ?? 0);
    this.queue = [];
    this.inFlight = null;
    this.worker.postMessage({ type: "close" });
    await this.exited;
    for (const request of this.requests.values()) request.reject(new SysmonTsError("SYSMONTS_E_STORE", `event store ${this.path} closed`));
    this.requests.clear();
    this.state = "closed";
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
