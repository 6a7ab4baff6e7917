import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { XMLValidator } from "fast-xml-parser";
import { eventFromFields } from "../schema";
import { openStore } from "../store";
import { parseQueryArgs, queryCommand } from "./query";

async function runQuery(args: string[]): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on("data", (c: Buffer) => chunks.push(c));
  const code = await queryCommand.run({ args, stdout, stderr: new PassThrough() });
  return { code, out: Buffer.concat(chunks).toString("utf8") };
}

describe("sysmonts query --store", () => {
  let dir: string;
  let path: string;
  const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sysmonts-query-"));
    path = join(dir, "events.db");
    const store = openStore(path);
    for (let i = 1; i <= 300; i++) {
      const id = i % 3 === 0 ? 3 : i % 3 === 1 ? 1 : 5;
      store.append({ recordId: i, timeCreated: T0 + i * 1000, computer: "box", event: eventFromFields(id, { Image: i % 2 ? "/usr/bin/bash" : "/usr/bin/curl", CommandLine: `cmd ${i}`, DestinationIp: "10.0.0.9", ProcessId: i }) });
    }
    await store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints newest-first JSON lines of the asked IDs, filtered, across pages", async () => {
    const { code, out } = await runQuery(["--store", path, "--id", "1,5", "--where", "Image=*bash", "--format", "json", "--max", "1000"]);
    expect(code).toBe(0);
    const events = out.trim().split("\n").map((l) => JSON.parse(l) as { EventID: number; EventRecordID: number; Image: string });
    expect(events).toHaveLength(100);
    expect(events.every((e) => (e.EventID === 1 || e.EventID === 5) && e.Image === "/usr/bin/bash")).toBe(true);
    expect(events[0]!.EventRecordID).toBe(299);
  });

  it("prints Linux syslog-style XML oldest first within a time range", async () => {
    const { out } = await runQuery(["--store", path, "--since", String(T0 + 10_000), "--until", "2026-11-21T12:00:12Z", "--oldest", "--format", "xml"]);
    const lines = out.trim().split("\n");
    expect(lines.map((l) => /<EventRecordID>(\d+)</.exec(l)![1])).toEqual(["10", "11", "12"]);
    for (const line of lines) expect(XMLValidator.validate(line)).toBe(true);
  });

  it("prints a table within 120 columns", async () => {
    const { out } = await runQuery(["--store", path, "--max", "5", "--id", "3"]);
    const lines = out.trimEnd().split("\n");
    expect(lines).toHaveLength(6);
    expect(lines[1]).toMatch(/^2026-11-21 12:05:00\.000 +3 +300  \/usr\/bin\/curl +\?:\? -> 10\.0\.0\.9:\?$/);
    expect(lines.every((l) => l.length <= 120)).toBe(true);
  });

  it("refuses bad arguments with usage or query errors", () => {
    expect(() => parseQueryArgs(["--format", "yaml"])).toThrow(expect.objectContaining({ code: "SYSMONTS_E_USAGE" }));
    expect(() => parseQueryArgs(["--where", "Nope=1"])).toThrow(expect.objectContaining({ code: "SYSMONTS_E_QUERY" }));
    expect(() => parseQueryArgs(["--since", "someday"])).toThrow(/is not ISO-8601/);
    expect(() => parseQueryArgs(["--id", "x"])).toThrow(/not an event ID/);
  });

  it("fails with SYSMONTS_E_STORE for a missing store file", async () => {
    await expect(runQuery(["--store", join(dir, "missing.db")])).rejects.toMatchObject({ code: "SYSMONTS_E_STORE" });
  });
});
