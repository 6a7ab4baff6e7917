// The engine's answer to a file operation the Windows driver holds (events 27/28): the real rule
// engine decides on the enriched event, and the record's answer() carries that decision back.
// The sensor here is a plain in-memory record source standing in for the driver, which needs Windows.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { StampedEvent } from "../schema";
import type { RawRecord } from "../sensor";
import { Engine } from "./engine";
import { RecordSource } from "./record-source.test-support";
import { DEFAULT_SETTINGS } from "./settings";

const CONFIG = `<Sysmon schemaversion="4.90">
  <EventFiltering>
    <RuleGroup groupRelation="or">
      <FileBlockExecutable onmatch="include">
        <TargetFilename name="downloads" condition="contains">\\Downloads\\</TargetFilename>
      </FileBlockExecutable>
    </RuleGroup>
  </EventFiltering>
</Sysmon>`;

describe("engine: block decisions for the Windows driver", () => {
  let dir: string;
  let engine: Engine | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "engine-block"));
  });
  afterEach(async () => {
    await engine?.stop({ quiet: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it("blocks what a FileBlockExecutable rule includes, allows the rest, and logs only the blocked one", async () => {
    const configPath = path.join(dir, "config.xml");
    writeFileSync(configPath, CONFIG);
    const sensor = new RecordSource();
    const kept: StampedEvent[] = [];
    engine = await Engine.start({ platform: "windows", configPath, settings: DEFAULT_SETTINGS, openSensor: (enabled) => {
      sensor.setEnabledEvents(enabled);
      return sensor;
    }, onEvent: (e) => kept.push(e), drainIntervalMs: 60_000 });
    expect(sensor.enabled.has(27)).toBe(true);

    const answers: [string, boolean][] = [];
    const request = (file: string): RawRecord => ({
      kind: "file-block", timeMs: Date.now(), actor: { pid: 4242, tid: 1, uid: 4294967295 }, operation: "executable",
      path: file, answer: (block) => answers.push([file, block]),
    });
    sensor.pending.push(request("C:\\Users\\a\\Downloads\\setup.exe"), request("C:\\Program Files\\App\\app.exe"));
    expect(engine.drain()).toBe(2);

    expect(answers).toEqual([["C:\\Users\\a\\Downloads\\setup.exe", true], ["C:\\Program Files\\App\\app.exe", false]]);
    const blocked = kept.filter((e) => e.event.id === 27);
    expect(blocked).toHaveLength(1);
    expect(blocked[0]?.event.values).toContain("downloads");
  });
});
