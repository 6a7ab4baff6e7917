// The engine routes only included events 23 and 24 to the archive stage. The sensor is an
// in-memory record source standing in for the Windows driver and clipboard agent (Windows only);
// the rules, enricher, archiver and files are real.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Archiver } from "../enrich";
import { type StampedEvent, eventDef } from "../schema";
import { Engine } from "./engine";
import { RecordSource } from "./record-source.test-support";
import { DEFAULT_SETTINGS } from "./settings";

const CONFIG = `<Sysmon schemaversion="4.90">
  <HashAlgorithms>sha256</HashAlgorithms>
  <CaptureClipboard/>
  <EventFiltering>
    <RuleGroup groupRelation="or">
      <FileDelete onmatch="include">
        <TargetFilename condition="contains">keep</TargetFilename>
      </FileDelete>
    </RuleGroup>
    <FileDeleteDetected onmatch="exclude"/>
    <ClipboardChange onmatch="exclude"/>
  </EventFiltering>
</Sysmon>`;

const field = (e: StampedEvent, name: string): string | undefined => e.event.values[eventDef(e.event.id).fieldIndex.get(name)!];

describe("engine: ArchiveDirectory for events 23 and 24", () => {
  let dir: string;
  let engine: Engine | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "engine-archive"));
  });
  afterEach(async () => {
    await engine?.stop({ quiet: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it("archives included deletions and clipboard text, never excluded deletions or event 26", async () => {
    const configPath = path.join(dir, "config.xml");
    writeFileSync(configPath, CONFIG);
    const archive = path.join(dir, "archive");
    const archiver = new Archiver({ archiveDirectory: "\\Sysmon\\", hashAlgorithms: ["SHA1"], folderFor: () => archive });
    const sensor = new RecordSource();
    const kept: StampedEvent[] = [];
    engine = await Engine.start({ platform: "windows", configPath, settings: DEFAULT_SETTINGS, openSensor: () => sensor, onEvent: (e) => kept.push(e), drainIntervalMs: 60_000, archiver });
    const keep = path.join(dir, "keep-me.dll");
    const skip = path.join(dir, "ignore-me.dll");
    writeFileSync(keep, "keep content");
    writeFileSync(skip, "skip content");
    const actor = { pid: 4242, tid: 1, uid: 4294967295 };
    sensor.pending.push(
      { kind: "file-delete", timeMs: Date.now(), actor, path: keep, executable: false },
      { kind: "file-delete", timeMs: Date.now(), actor, path: skip, executable: false },
      { kind: "clipboard", timeMs: Date.now(), actor, sessionId: 1, clientInfo: "user: HOST\\alice", text: "pasted text" },
    );
    engine.drain();
    await archiver.close();

    const deletes = kept.filter((e) => e.event.id === 23);
    expect(deletes.map((e) => field(e, "TargetFilename"))).toEqual([keep]);
    const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex").toUpperCase();
    expect(field(deletes[0]!, "Hashes")).toBe(`SHA256=${sha256(Buffer.from("keep content"))}`);
    expect(field(deletes[0]!, "Archived")).toBe("true");
    // 26 was included too (exclude-nothing) and carries no Archived field at all.
    expect(kept.filter((e) => e.event.id === 26)).toHaveLength(2);
    expect(eventDef(26).fieldIndex.has("Archived")).toBe(false);

    const clip = kept.find((e) => e.event.id === 24)!;
    const clipHashes = `SHA256=${sha256(Buffer.from("pasted text", "utf16le"))}`;
    expect({ hashes: field(clip, "Hashes"), archived: field(clip, "Archived"), session: field(clip, "Session"), client: field(clip, "ClientInfo") })
      .toEqual({ hashes: clipHashes, archived: "true", session: "1", client: "user: HOST\\alice" });
    expect(readdirSync(archive).sort()).toEqual([`CLIP-${clipHashes}`, `SHA256=${sha256(Buffer.from("keep content"))}.dll`].sort());
    expect(existsSync(path.join(archive, `SHA256=${sha256(Buffer.from("skip content"))}.dll`))).toBe(false);
  });
});
