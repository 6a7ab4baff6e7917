// A deletion the Windows driver holds until its file is archived: the engine answers (releases
// the hold) only once the real archiver's copy exists, at once when nothing is to be copied, and
// always, even when the copy fails. The record source stands in for the driver (Windows only);
// the rules, enricher, archiver and files are real.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Archiver } from "../enrich";
import { type StampedEvent, eventDef } from "../schema";
import type { RawRecord } from "../sensor";
import { Engine } from "./engine";
import { RecordSource } from "./record-source.test-support";
import { DEFAULT_SETTINGS } from "./settings";

const CONFIG = `<Sysmon schemaversion="4.90">
  <HashAlgorithms>sha256</HashAlgorithms>
  <EventFiltering>
    <RuleGroup groupRelation="or">
      <FileDelete onmatch="include">
        <TargetFilename condition="contains">keep</TargetFilename>
      </FileDelete>
    </RuleGroup>
    <FileDeleteDetected onmatch="exclude"/>
  </EventFiltering>
</Sysmon>`;

const archived = (e: StampedEvent): string | undefined => e.event.values[eventDef(23).fieldIndex.get("Archived")!];

describe("engine: deletions held by the driver until archived", () => {
  let dir: string;
  let archive: string;
  let engine: Engine | undefined;
  let sensor: RecordSource;
  let kept: StampedEvent[];
  /** What was in the archive folder each time a hold was released, by file. */
  let releases: { file: string; archiveFiles: string[] }[];

  async function start(archiver: Archiver): Promise<void> {
    const configPath = path.join(dir, "config.xml");
    writeFileSync(configPath, CONFIG);
    engine = await Engine.start({ platform: "windows", configPath, settings: DEFAULT_SETTINGS, openSensor: () => sensor, onEvent: (e) => kept.push(e), drainIntervalMs: 60_000, archiver });
  }

  function heldDelete(file: string, options: { holdUnavailable?: boolean } = {}): RawRecord {
    const base = { kind: "file-delete", timeMs: Date.now(), actor: { pid: 4242, tid: 1, uid: 4294967295 }, path: file, executable: false } as const;
    if (options.holdUnavailable === true) return { ...base, holdUnavailable: true };
    return { ...base, hold: { release: () => releases.push({ file, archiveFiles: existsSync(archive) ? readdirSync(archive) : [] }) } };
  }

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "engine-hold"));
    archive = path.join(dir, "archive");
    sensor = new RecordSource();
    kept = [];
    releases = [];
  });
  afterEach(async () => {
    await engine?.stop({ quiet: true });
    engine = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it("releases an included deletion only after its copy is in the archive, and an excluded one at once", async () => {
    const archiver = new Archiver({ archiveDirectory: "\\Sysmon\\", hashAlgorithms: ["SHA256"], folderFor: () => archive });
    await start(archiver);
    const keep = path.join(dir, "keep.dll");
    const skip = path.join(dir, "skip.dll");
    writeFileSync(keep, "held content");
    writeFileSync(skip, "other content");
    sensor.pending.push(heldDelete(keep), heldDelete(skip));
    engine!.drain();

    // The drain returned: the excluded deletion is already answered, the included one waits on its copy.
    expect(releases.map((r) => r.file)).toEqual([skip]);
    await archiver.close();
    expect(releases.map((r) => r.file)).toEqual([skip, keep]);
    const copied = releases[1]!.archiveFiles.filter((name) => !name.endsWith(".partial"));
    expect(copied).toHaveLength(1);
    expect(copied[0]).toMatch(/^SHA256=[0-9A-F]{64}\.dll$/);
    const deletes = kept.filter((e) => e.event.id === 23);
    expect(deletes.map(archived)).toEqual(["true"]);
    // The excluded 23 still yields its 26; nothing of it was copied.
    expect(kept.filter((e) => e.event.id === 26)).toHaveLength(2);
    expect(readdirSync(archive)).toEqual(copied);
  });

  it("releases the deletion when the copy fails, and the event says Archived false", async () => {
    const archiver = new Archiver({
      archiveDirectory: "\\Sysmon\\", hashAlgorithms: ["SHA256"], folderFor: () => archive,
      prepareDirectory: () => {
        throw new Error("the archive volume is offline");
      },
    });
    await start(archiver);
    const keep = path.join(dir, "keep-failing.dll");
    writeFileSync(keep, "content");
    sensor.pending.push(heldDelete(keep));
    engine!.drain();
    await archiver.close();
    expect(releases.map((r) => r.file)).toEqual([keep]);
    expect(kept.filter((e) => e.event.id === 23).map(archived)).toEqual(["false"]);
    expect(archiver.stats().failed.directoryUnavailable).toBe(1);
  });

  it("releases at once when there is no archive stage, and never copies a deletion the driver could not hold", async () => {
    const archiver = new Archiver({ archiveDirectory: "\\Sysmon\\", hashAlgorithms: ["SHA256"], folderFor: () => archive });
    await start(archiver);
    const unheld = path.join(dir, "keep-unheld.dll");
    writeFileSync(unheld, "content");
    sensor.pending.push(heldDelete(unheld, { holdUnavailable: true }));
    engine!.drain();
    await archiver.close();
    expect(kept.filter((e) => e.event.id === 23).map(archived)).toEqual(["false"]);
    expect(archiver.stats().failed.notHeld).toBe(1);
    expect(existsSync(archive)).toBe(false);
    await engine!.stop({ quiet: true });

    // An engine without an archiver (Linux, or a service without the stage) lets the deletion go in the drain.
    const configPath = path.join(dir, "config.xml");
    engine = await Engine.start({ platform: "windows", configPath, settings: DEFAULT_SETTINGS, openSensor: () => sensor, onEvent: (e) => kept.push(e), drainIntervalMs: 60_000 });
    const keep = path.join(dir, "keep-plain.dll");
    sensor.pending.push(heldDelete(keep));
    engine.drain();
    expect(releases.map((r) => r.file)).toEqual([keep]);
  });

  it("releases the deletion even when handling its events throws", async () => {
    const archiver = new Archiver({ archiveDirectory: "\\Sysmon\\", hashAlgorithms: ["SHA256"], folderFor: () => archive });
    const configPath = path.join(dir, "config.xml");
    writeFileSync(configPath, CONFIG);
    // The console consumer fails on the FileDeleteDetected (26) that follows the excluded 23.
    engine = await Engine.start({
      platform: "windows", configPath, settings: DEFAULT_SETTINGS, openSensor: () => sensor, drainIntervalMs: 60_000, archiver,
      onEvent: (e) => {
        if (e.event.id === 26) throw new Error("console write failed");
        kept.push(e);
      },
    });
    const skip = path.join(dir, "skip-broken.dll");
    sensor.pending.push(heldDelete(skip));
    engine.drain();
    expect(kept.filter((e) => e.event.id === 255).map((e) => e.event.values[eventDef(255).fieldIndex.get("ID")!])).toEqual(["PipelineFailure"]);
    expect(releases.map((r) => r.file)).toEqual([skip]);
  });

  it("tells the service of every config applied after start, so CaptureClipboard can follow it", async () => {
    const configPath = path.join(dir, "config.xml");
    writeFileSync(configPath, CONFIG);
    const capture: boolean[] = [];
    engine = await Engine.start({
      platform: "windows", configPath, settings: DEFAULT_SETTINGS, openSensor: () => sensor, drainIntervalMs: 60_000,
      onConfigApplied: (config) => capture.push(config.options.captureClipboard),
    });
    engine.applyConfig(CONFIG.replace("<EventFiltering>", "<CaptureClipboard/>\n  <EventFiltering>"), configPath);
    engine.applyDefaultConfig();
    expect(capture).toEqual([true, false]);
  });
});
