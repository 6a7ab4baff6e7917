import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SysmonTsError } from "../base";
import { eventFromFields } from "../schema";
import type { StampedEvent } from "../schema";
import { StoreDatabase } from "./database";
import { openStore } from "./store";
import type { EventStore } from "./types";

const T0 = Date.UTC(2026, 10, 21, 15, 0, 0);

function processCreate(recordId: number, image: string, guid: string, parentGuid = "{00000000-0000-0000-0000-000000000000}"): StampedEvent {
  return {
    recordId,
    timeCreated: T0 + recordId * 1000,
    computer: "host-a",
    event: eventFromFields(1, { Image: image, ProcessGuid: guid, ParentProcessGuid: parentGuid, CommandLine: `${image} --run ${recordId}`, ProcessId: recordId }),
  };
}

function guid(n: number): string {
  return `{aaaaaaaa-0000-0000-0000-${n.toString(16).padStart(12, "0")}}`;
}

describe("openStore", () => {
  let dir: string;
  let store: EventStore | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sysmonts-store-"));
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it("commits appended events and reads them back with every value intact", async () => {
    store = openStore(join(dir, "events.db"));
    expect(store.newestRecordId()).toBe(0);
    const hostile = "line1\nline2 \"q\" <x> & \u0001 \ud800 end";
    const events = [processCreate(1, "/usr/bin/bash", guid(1)), { ...processCreate(2, hostile, guid(2)) }];
    for (const e of events) expect(store.append(e)).toBe(true);
    await store.flush();
    const page = await store.query({ order: "oldest" });
    expect(page.cursor).toBeNull();
    expect(page.events).toEqual(events);
    const status = store.status();
    expect(status).toMatchObject({ state: "ok", eventCount: 2, oldestRecordId: 1, newestRecordId: 2, queued: 0, dropped: 0 });
    expect(status.sizeBytes).toBeGreaterThan(0);
  });

  it("continues record ids after reopening and refuses ids that are not above the newest", async () => {
    const path = join(dir, "events.db");
    store = openStore(path);
    store.append(processCreate(41, "/bin/a", guid(1)));
    store.append(processCreate(42, "/bin/b", guid(2)));
    await store.close();
    const errors: SysmonTsError[] = [];
    store = openStore(path, { onError: (e) => errors.push(e) });
    expect(store.newestRecordId()).toBe(42);
    expect(store.append(processCreate(42, "/bin/c", guid(3)))).toBe(false);
    expect(store.append(processCreate(7, "/bin/c", guid(3)))).toBe(false);
    expect(store.append(processCreate(43, "/bin/c", guid(3)))).toBe(true);
    await store.flush();
    expect(store.status()).toMatchObject({ rejected: 2, eventCount: 3, newestRecordId: 43 });
    expect(errors.map((e) => e.code)).toEqual(["SYSMONTS_E_STORE", "SYSMONTS_E_STORE"]);
  });

  it("drops and counts when the bounded queue is full, without blocking", async () => {
    store = openStore(join(dir, "events.db"), { queueCapacity: 10 });
    const accepted = Array.from({ length: 25 }, (_, i) => store!.append(processCreate(i + 1, "/bin/x", guid(i))));
    expect(accepted.filter(Boolean)).toHaveLength(10);
    expect(store.status()).toMatchObject({ dropped: 15, queued: 10 });
    await store.flush();
    expect(store.status()).toMatchObject({ eventCount: 10, queued: 0 });
  });

  it("answers ids, time range, where-filters, process GUIDs and pages with a cursor", async () => {
    store = openStore(join(dir, "events.db"));
    let id = 1;
    for (let i = 0; i < 50; i++) store.append(processCreate(id++, i % 2 ? "/usr/bin/Bash" : "/usr/bin/curl", guid(i), guid(i === 0 ? 999 : i - 1)));
    store.append({ recordId: id++, timeCreated: T0 + 60_000, computer: "host-a", event: eventFromFields(5, { Image: "/usr/bin/curl", ProcessGuid: guid(3) }) });
    store.append({ recordId: id++, timeCreated: T0 + 61_000, computer: "host-a", event: eventFromFields(3, { Image: "/usr/bin/curl", ProcessGuid: guid(7), DestinationIp: "10.0.0.1" }) });
    await store.flush();

    const newest5 = await store.query({ ids: [5] });
    expect(newest5.events.map((e) => e.recordId)).toEqual([51]);

    const bash = await store.query({ where: [{ field: "image", op: "eq", value: "/USR/BIN/BASH" }], max: 100 });
    expect(bash.events).toHaveLength(25);
    expect(bash.events[0]!.recordId).toBe(50);

    const wild = await store.query({ ids: [1], where: [{ field: "CommandLine", op: "wildcard", value: "*curl --run ?" }], order: "oldest" });
    expect(wild.events.map((e) => e.recordId)).toEqual([1, 3, 5, 7, 9]);

    const notCurl = await store.query({ where: [{ field: "Image", op: "ne", value: "/usr/bin/curl" }], max: 1000 });
    expect(notCurl.events).toHaveLength(25);

    const ranged = await store.query({ since: T0 + 10_000, until: T0 + 12_000, order: "oldest" });
    expect(ranged.events.map((e) => e.recordId)).toEqual([10, 11, 12]);

    const proc = await store.query({ processGuid: guid(3).toUpperCase(), order: "oldest" });
    // its own create (record 4), its child's create (record 5, parent = guid 3), its termination (51)
    expect(proc.events.map((e) => e.recordId)).toEqual([4, 5, 51]);

    const tree = await store.query({ processGuid: guid(45), descendants: true, order: "oldest" });
    expect(tree.events.map((e) => e.recordId)).toEqual([46, 47, 48, 49, 50]);

    const pages: number[][] = [];
    let cursor: string | null | undefined;
    do {
      const page: Awaited<ReturnType<EventStore["query"]>> = await store.query({ ids: [1], max: 20, ...(cursor ? { cursor } : {}) });
      pages.push(page.events.map((e) => e.recordId));
      cursor = page.cursor;
    } while (cursor);
    expect(pages.map((p) => p.length)).toEqual([20, 20, 10]);
    expect(pages.flat()).toEqual(Array.from({ length: 50 }, (_, i) => 50 - i));
  });

  it("rejects bad queries with SYSMONTS_E_QUERY naming the problem", async () => {
    store = openStore(join(dir, "events.db"));
    await expect(store.query({ where: [{ field: "Imagee", op: "eq", value: "x" }] })).rejects.toThrow(/no event has a field named 'Imagee'/);
    await expect(store.query({ ids: [77] })).rejects.toMatchObject({ code: "SYSMONTS_E_QUERY" });
    await expect(store.query({ cursor: "garbage!" })).rejects.toMatchObject({ code: "SYSMONTS_E_QUERY" });
    await expect(store.query({ max: 0 })).rejects.toMatchObject({ code: "SYSMONTS_E_QUERY" });
  });

  it("retires the oldest events by age and by size, and keeps numbering after retention empties it", async () => {
    const path = join(dir, "events.db");
    store = openStore(path);
    const old = Date.now() - 10 * 86_400_000;
    for (let i = 1; i <= 3000; i++) {
      store.append({ ...processCreate(i, "/bin/" + "x".repeat(200), guid(i)), timeCreated: i <= 1000 ? old : Date.now() });
    }
    await store.close();
    store = openStore(path, { maxAgeDays: 5, retentionIntervalMs: 50 });
    await waitFor(() => store!.status().eventCount === 2000);
    expect(store.status().oldestRecordId).toBe(1001);
    await store.close();
    const probe = new StoreDatabase(path);
    const before = probe.sizeBytes();
    probe.close();
    store = openStore(path, { maxBytes: Math.floor(before / 2), retentionIntervalMs: 50 });
    await waitFor(() => store!.status().sizeBytes <= Math.floor(before / 2) && store!.status().retired > 0);
    const status = store.status();
    expect(status.oldestRecordId).toBeGreaterThan(1001);
    expect(status.newestRecordId).toBe(3000);
    expect(status.eventCount).toBe(3000 - status.oldestRecordId! + 1);
    await store.close();
    store = openStore(path, { maxAgeDays: 0, retentionIntervalMs: 50 });
    await waitFor(() => store!.status().eventCount === 0);
    expect(store.newestRecordId()).toBe(3000);
  });

  it("throws SYSMONTS_E_STORE at open for a file that is not a store", async () => {
    const path = join(dir, "not-a-db");
    writeFileSync(path, "hello, this is not sqlite".repeat(100));
    expect(() => openStore(path)).toThrow(SysmonTsError);
    expect(() => openStore(path)).toThrow(/not a usable event store|cannot open/);
  });

  it("releases its thread and handles on close", async () => {
    const path = join(dir, "events.db");
    store = openStore(path);
    store.append(processCreate(1, "/bin/a", guid(1)));
    await store.close();
    expect(store.status().state).toBe("closed");
    await expect(store.query({})).rejects.toThrow(/closed/);
    store = undefined;
    // With every connection closed the WAL is checkpointed and removed by SQLite.
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
