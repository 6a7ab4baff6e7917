import { isMainThread, parentPort, workerData } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import { asSysmonTsError } from "../base";
import type { StampedEvent } from "../schema";
import { StoreDatabase } from "./database";
import type { DatabaseFacts } from "./database";
import type { NormalizedQuery } from "./query";
import type { QueryPage } from "./types";

/** workerData marks the store's thread; the same bundle is loaded in it (see thread.ts). */
export const STORE_WORKER_MARK = "sysmonts-store-worker";

export interface StoreWorkerData {
  readonly mark: typeof STORE_WORKER_MARK;
  readonly path: string;
  readonly readOnly: boolean;
  readonly maxBytes?: number;
  readonly maxAgeDays?: number;
  readonly retentionIntervalMs: number;
}

export type ToWorker =
  | { readonly type: "append"; readonly events: StampedEvent[] }
  | { readonly type: "query"; readonly requestId: number; readonly query: NormalizedQuery }
  | { readonly type: "close" };

export type FromWorker =
  | { readonly type: "ready"; readonly facts: DatabaseFacts }
  | { readonly type: "committed"; readonly firstRecordId: number; readonly lastRecordId: number; readonly count: number; readonly facts: DatabaseFacts }
  | { readonly type: "failed"; readonly code: string; readonly reason: string; readonly facts: DatabaseFacts | null }
  | { readonly type: "retained"; readonly removed: number; readonly facts: DatabaseFacts }
  | { readonly type: "answer"; readonly requestId: number; readonly page: QueryPage }
  | { readonly type: "refused"; readonly requestId: number; readonly code: string; readonly message: string }
  | { readonly type: "closed" };

function safeFacts(database: StoreDatabase): DatabaseFacts | null {
  try {
    return database.facts();
  } catch {
    return null;
  }
}

/** The store's thread: owns the connection, commits batches, answers queries, runs retention. */
function runStoreWorker(port: MessagePort, data: StoreWorkerData): void {
  const post = (message: FromWorker): void => port.postMessage(message);
  let database: StoreDatabase;
  try {
    database = new StoreDatabase(data.path, { readOnly: data.readOnly });
  } catch (thrown) {
    const error = asSysmonTsError(thrown);
    post({ type: "failed", code: error.code, reason: error.message, facts: null });
    post({ type: "closed" });
    return;
  }
  post({ type: "ready", facts: database.facts() });

  const retain = (): void => {
    if (data.readOnly || (data.maxBytes === undefined && data.maxAgeDays === undefined)) return;
    try {
      const removed = database.retain({ maxBytes: data.maxBytes, maxAgeDays: data.maxAgeDays });
      database.optimize();
      post({ type: "retained", removed, facts: database.facts() });
    } catch (thrown) {
      const error = asSysmonTsError(thrown);
      post({ type: "failed", code: error.code, reason: `retention: ${error.message}`, facts: safeFacts(database) });
    }
  };
  const timer = setInterval(retain, data.retentionIntervalMs);
  retain();

  port.on("message", (message: ToWorker) => {
    switch (message.type) {
      case "append": {
        try {
          database.insertBatch(message.events);
          const first = message.events[0];
          const last = message.events[message.events.length - 1];
          post({ type: "committed", firstRecordId: first?.recordId ?? 0, lastRecordId: last?.recordId ?? 0, count: message.events.length, facts: database.facts() });
        } catch (thrown) {
          // A full disk is also a reason to retire old events now rather than at the next tick.
          if (/full/i.test(String((thrown as Error).message))) retain();
          post({ type: "failed", code: "SYSMONTS_E_STORE", reason: String((thrown as Error).message), facts: safeFacts(database) });
        }
        break;
      }
      case "query": {
        try {
          post({ type: "answer", requestId: message.requestId, page: database.query(message.query) });
        } catch (thrown) {
          const error = asSysmonTsError(thrown);
          post({ type: "refused", requestId: message.requestId, code: error.code, message: error.message });
        }
        break;
      }
      case "close": {
        clearInterval(timer);
        database.close();
        post({ type: "closed" });
        port.close();
        break;
      }
    }
  });
}

if (!isMainThread && parentPort && (workerData as Partial<StoreWorkerData> | null)?.mark === STORE_WORKER_MARK) {
  runStoreWorker(parentPort, workerData as StoreWorkerData);
}
