import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { buildSync } from "esbuild";
import { StoreDatabase, openStore } from "../../engine/src/store";

const repoRoot = resolve(__dirname, "../..");
const node = join(repoRoot, "node_modules/.bin/node");

describe("the event store survives kill -9 under load", () => {
  let dir: string;
  let writer: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "sysmonts-crash-"));
    // Bundled like the shipped engine, so the child's writer thread loads the way it does in production.
    writer = join(dir, "crash-writer.cjs");
    buildSync({ entryPoints: [join(__dirname, "fixtures/crash-writer.ts")], bundle: true, platform: "node", format: "cjs", target: "node26", outfile: writer, logLevel: "silent" });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the writer until it has committed `minCommits` batches plus a random delay, then SIGKILLs it. */
  function runAndKill(store: string, delayMs: number): Promise<{ opened: number; committed: [number, number][] }> {
    return new Promise((resolvePromise, reject) => {
      const child = spawn(node, [writer, store], { stdio: ["ignore", "pipe", "inherit"] });
      const committed: [number, number][] = [];
      let opened = -1;
      let timer: NodeJS.Timeout | undefined;
      createInterface({ input: child.stdout }).on("line", (line) => {
        const open = /^open (\d+)$/.exec(line);
        if (open) {
          opened = Number(open[1]);
          return;
        }
        const [first, last] = line.split(" ").map(Number);
        committed.push([first!, last!]);
        if (!timer) timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
      });
      child.on("error", reject);
      child.on("exit", (_code, signal) => {
        if (signal !== "SIGKILL") reject(new Error(`writer exited by itself (${signal ?? _code})`));
        else resolvePromise({ opened, committed });
      });
    });
  }

  it("reopens intact after five kills: every committed id present, ids contiguous and continued", async () => {
    const path = join(dir, "events.db");
    const allCommitted: [number, number][] = [];
    let lastNewest = 0;
    for (let round = 0; round < 5; round++) {
      const { opened, committed } = await runAndKill(path, 50 + Math.floor(Math.random() * 400));
      // The child continued exactly from what the store held after the previous kill.
      expect(opened).toBe(lastNewest);
      expect(committed.length).toBeGreaterThan(0);
      allCommitted.push(...committed);

      const database = new StoreDatabase(path);
      try {
        expect(database.integrityCheck()).toBe("ok");
        const facts = database.facts();
        lastNewest = database.newestRecordId();
        // Everything reported committed is there; a batch committed just before the kill but
        // not yet printed may be there too, so newest is at least the last printed id.
        expect(lastNewest).toBeGreaterThanOrEqual(committed.at(-1)![1]);
        expect(facts.oldestRecordId).toBe(1);
        expect(facts.newestRecordId).toBe(lastNewest);
        expect(facts.eventCount).toBe(lastNewest);
      } finally {
        database.close();
      }
    }
    // Batches were contiguous and in order across all runs.
    for (let i = 1; i < allCommitted.length; i++) expect(allCommitted[i]![0]).toBeGreaterThan(allCommitted[i - 1]![1]);
    const store = openStore(path, { readOnly: true });
    try {
      for (const [first, last] of allCommitted.filter((_, i) => i % 7 === 0)) {
        const page = await store.query({ order: "oldest", max: last - first + 1, cursor: `r${(first - 1).toString(36)}` });
        expect(page.events.map((e) => e.recordId)).toEqual(Array.from({ length: last - first + 1 }, (_, k) => first + k));
      }
    } finally {
      await store.close();
    }
    expect(lastNewest).toBeGreaterThan(1000);
  }, 60_000);
});
