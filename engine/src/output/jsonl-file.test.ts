import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventFromFields } from "../schema";
import { renderJson } from "./json";
import { JsonlFileSink } from "./jsonl-file";
import { createSinks } from "./sinks";

describe("JsonlFileSink", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sysmonts-jsonl-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const events = Array.from({ length: 400 }, (_, i) => ({ recordId: i + 1, timeCreated: Date.UTC(2026, 0, 1) + i, computer: "h", event: eventFromFields(5, { Image: `/bin/p${i}`, ProcessId: i }) }));

  it("appends flat JSON lines and rotates by size, keeping N files", async () => {
    const path = join(dir, "events.jsonl");
    const [sink] = createSinks([{ kind: "jsonl", path, maxBytes: 20_000, keep: 2, batchSize: 50 }]);
    for (const e of events) sink!.write(e);
    await sink!.close();
    expect(sink!.stats()).toMatchObject({ sent: 400, dropped: 0, queued: 0, state: "closed" });
    const files = [path, `${path}.1`, `${path}.2`];
    expect(files.every(existsSync)).toBe(true);
    expect(existsSync(`${path}.3`)).toBe(false);
    const lines = files.reverse().flatMap((f) => readFileSync(f, "utf8").trimEnd().split("\n"));
    for (const f of files) expect(readFileSync(f).length).toBeLessThanOrEqual(20_000);
    // The newest lines survive rotation, in order, exactly as renderJson writes them.
    const kept = events.slice(events.length - lines.length);
    expect(lines).toEqual(kept.map(renderJson));
  });

  it("counts drops when its queue is full instead of blocking the caller", async () => {
    const sink = new JsonlFileSink({ kind: "jsonl", path: join(dir, "e.jsonl"), queueCapacity: 100 });
    for (const e of events) sink.write(e);
    expect(sink.stats()).toMatchObject({ queued: 100, dropped: 300 });
    await sink.close();
    expect(sink.stats()).toMatchObject({ sent: 100, dropped: 300 });
  });

  it("retries with backoff while the file cannot be opened, and counts what is left at close", async () => {
    const sink = new JsonlFileSink({ kind: "jsonl", path: join(dir, "missing-dir", "e.jsonl"), retryMinMs: 10 });
    sink.write(events[0]!);
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.stats().state).toMatch(/^retrying: .*ENOENT/);
    await sink.close();
    expect(sink.stats()).toMatchObject({ sent: 0, dropped: 1, state: "closed" });
  });
});
