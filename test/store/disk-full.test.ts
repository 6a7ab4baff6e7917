import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SysmonTsError } from "../../engine/src/base";
import { eventFromFields } from "../../engine/src/schema";
import { openStore } from "../../engine/src/store";
import type { EventStore } from "../../engine/src/store";

// Real conditions, as root: a 2 MiB tmpfs that a filler file nearly fills.
describe("the event store on a full disk", () => {
  let dir: string;
  let store: EventStore | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "sysmonts-full-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", dir]);
  });
  afterAll(async () => {
    await store?.close();
    execFileSync("umount", [dir]);
    rmdirSync(dir);
  });

  it("reports failed: <reason>, keeps accepting into its bounded queue, and recovers when space returns", async () => {
    const errors: SysmonTsError[] = [];
    store = openStore(join(dir, "events.db"), { retryDelayMs: 50, queueCapacity: 2000, batchSize: 200, onError: (e) => errors.push(e) });
    writeFileSync(join(dir, "filler"), Buffer.alloc(1536 * 1024));
    let next = store.newestRecordId() + 1;
    const accepted: number[] = [];
    const deadline = Date.now() + 20_000;
    while (!store.status().state.startsWith("failed") && Date.now() < deadline) {
      for (let i = 0; i < 50; i++) {
        const recordId = next++;
        const event = eventFromFields(1, { Image: "/usr/bin/fill", CommandLine: `${recordId} ${"y".repeat(500)}` });
        if (store.append({ recordId, timeCreated: Date.now(), computer: "full-host", event })) accepted.push(recordId);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const failing = store.status();
    expect(failing.state).toMatch(/^failed: .*full/);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe("SYSMONTS_E_STORE");
    expect(errors[0]!.message).toMatch(/disk is full/);
    await expect(store.flush()).rejects.toMatchObject({ code: "SYSMONTS_E_STORE" });

    // The monitor keeps running: appends still return at once, and past capacity they are counted drops.
    let dropped = 0;
    for (let i = 0; i < 3000; i++) {
      const recordId = next++;
      if (store.append({ recordId, timeCreated: Date.now(), computer: "full-host", event: eventFromFields(5, { Image: "/x" }) })) accepted.push(recordId);
      else dropped++;
    }
    expect(dropped).toBeGreaterThan(0);
    expect(store.status().dropped).toBe(dropped);
    expect(store.status().queued).toBe(2000);

    rmSync(join(dir, "filler"));
    const recoverBy = Date.now() + 20_000;
    while (store.status().state !== "ok" && Date.now() < recoverBy) await new Promise((r) => setTimeout(r, 20));
    expect(store.status().state).toBe("ok");
    await store.flush();
    // Every accepted event is stored; nothing that append() accepted was lost.
    const status = store.status();
    expect(status.eventCount).toBe(accepted.length);
    const page = await store.query({ order: "oldest", max: 10000 });
    expect(page.events.map((e) => e.recordId)).toEqual(accepted.slice(0, 10000));
  }, 60_000);
});
