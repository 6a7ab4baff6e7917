import { ProcessCache, type ProcessFacts } from "./process-cache";

function facts(pid: number, createTimeMs: number, image: string, extra: Partial<ProcessFacts> = {}): ProcessFacts {
  return {
    pid, guid: `{guid-${image}}`, createTimeMs, createSlackMs: 0, image, commandLine: image, currentDirectory: "/",
    uid: 0, parentPid: 1, sessionId: 1, ttyIndex: -1, loginUid: 0, ...extra,
  };
}

// The cases of spec/config.md §13.7 (SysmonCommon UnitTests/processcache.cpp) and §8.
describe("ProcessCache", () => {
  it("gives nothing when empty", () => {
    const cache = new ProcessCache();
    expect(cache.lookup(10, 1000)).toBeUndefined();
    expect(cache.newest(10)).toBeUndefined();
  });

  it("matches pid and time when time ≥ createTime and the entry is live", () => {
    const cache = new ProcessCache();
    cache.add(facts(10, 1000, "a"), 1000);
    expect(cache.lookup(10, 999)).toBeUndefined();
    expect(cache.lookup(10, 1000)?.image).toBe("a");
    expect(cache.lookup(10, 1e12)?.image).toBe("a");
    expect(cache.lookup(11, 1000)).toBeUndefined();
  });

  it("keeps a removed entry visible for less than 0.5 s after its removal", () => {
    const cache = new ProcessCache();
    cache.add(facts(10, 1000, "a"), 1000);
    cache.markExited(10, 5000);
    expect(cache.lookup(10, 5499)?.image).toBe("a");
    expect(cache.lookup(10, 5500)).toBeUndefined();
    // A lookup for a time before the removal still finds it (the parent of an older child).
    expect(cache.lookup(10, 2000)?.image).toBe("a");
    // Without a time: the newest entry, removed or not.
    expect(cache.newest(10)?.image).toBe("a");
  });

  it("marks older entries removed when a new one is added and prefers the newest qualifying", () => {
    const cache = new ProcessCache();
    cache.add(facts(10, 1000, "old"), 1000);
    cache.add(facts(10, 3000, "new"), 3000); // PID reuse
    expect(cache.lookup(10, 2000)?.image).toBe("old"); // late event of the old process
    expect(cache.lookup(10, 3000)?.image).toBe("new");
    expect(cache.lookup(10, 3200)?.image).toBe("new");
    expect(cache.newest(10)?.image).toBe("new");
    // exec in the same PID keeps the start time: both qualify, the newest wins.
    cache.add(facts(10, 3000, "after-exec"), 4000);
    expect(cache.lookup(10, 4100)?.image).toBe("after-exec");
    expect(cache.lookup(10, 3600)?.image).toBe("after-exec");
  });

  it("purges removed entries when a removal happens more than 60 s after theirs", () => {
    const cache = new ProcessCache();
    cache.add(facts(10, 1000, "a"), 1000);
    cache.add(facts(20, 1000, "b"), 1000);
    cache.markExited(10, 2000);
    cache.markExited(20, 61_999);
    expect(cache.newest(10)?.image).toBe("a"); // exactly 59.999 s: still there
    cache.markExited(30, 62_001); // any later removal purges what expired
    expect(cache.newest(10)).toBeUndefined();
    expect(cache.newest(20)?.image).toBe("b");
    expect(cache.stats()).toMatchObject({ pids: 1, entries: 1, added: 2, purged: 1 });
  });

  it("purges only the expired entries of a reused PID", () => {
    const cache = new ProcessCache();
    cache.add(facts(10, 1000, "old"), 1000);
    cache.markExited(10, 2000);
    cache.add(facts(10, 3000, "new"), 3000);
    cache.markExited(99, 100_000);
    expect(cache.newest(10)?.image).toBe("new");
    expect(cache.lookup(10, 100_000)?.image).toBe("new");
    expect(cache.stats().entries).toBe(1);
  });

  it("honours the create-time slack of /proc-derived entries", () => {
    const cache = new ProcessCache();
    cache.add(facts(10, 5000, "seeded", { createSlackMs: 1000 }), 5000);
    expect(cache.lookup(10, 4200)?.image).toBe("seeded");
    expect(cache.lookup(10, 3900)).toBeUndefined();
  });

  it("bounds the entries kept for one PID", () => {
    const cache = new ProcessCache();
    for (let i = 0; i < 50; i++) cache.add(facts(10, 1000, `exec${i}`), 1000 + i);
    expect(cache.stats().entries).toBeLessThanOrEqual(8);
    expect(cache.newest(10)?.image).toBe("exec49");
  });
});
