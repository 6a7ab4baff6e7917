// The archive stage on real files in a temporary folder (the copy, naming and failure handling
// are the same code on Windows; only the folder's ACL differs, proven under Wine).
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type SysmonEvent, eventDef, eventFromFields } from "../schema";
import { Archiver } from "./archiver";

const F23 = eventDef(23).fieldIndex;
const F24 = eventDef(24).fieldIndex;

function deleteEvent(target: string): SysmonEvent {
  return eventFromFields(23, { UtcTime: "2024-01-01 00:00:00.000", TargetFilename: target, Hashes: "-", IsExecutable: "false", Archived: "false" });
}

function published(archiver: Archiver, event: SysmonEvent): Promise<SysmonEvent> {
  return new Promise((resolve) => archiver.submit(event, resolve));
}

describe("Archiver", () => {
  let dir: string;
  let archive: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "archiver-"));
    archive = path.join(dir, "Sysmon");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const make = (options: { maxFileBytes?: number; queueLimit?: number; folder?: string } = {}): { archiver: Archiver; logged: string[] } => {
    const logged: string[] = [];
    const archiver = new Archiver({
      archiveDirectory: "\\Sysmon\\", hashAlgorithms: ["SHA1", "SHA256"], folderFor: () => options.folder ?? archive,
      maxFileBytes: options.maxFileBytes, queueLimit: options.queueLimit, log: (m) => logged.push(m),
    });
    return { archiver, logged };
  };

  it("copies a deleted file under its Hashes name, fills Hashes and says Archived true", async () => {
    const target = path.join(dir, "dropper.ps1");
    const content = Buffer.from("Invoke-Something -Now\n");
    writeFileSync(target, content);
    const { archiver } = make();
    const event = await published(archiver, deleteEvent(target));
    const sha1 = createHash("sha1").update(content).digest("hex").toUpperCase();
    const sha256 = createHash("sha256").update(content).digest("hex").toUpperCase();
    const hashes = `SHA1=${sha1},SHA256=${sha256}`;
    expect(event.values[F23.get("Hashes")!]).toBe(hashes);
    expect(event.values[F23.get("Archived")!]).toBe("true");
    expect(readdirSync(archive)).toEqual([`${hashes}.ps1`]);
    expect(readFileSync(path.join(archive, `${hashes}.ps1`))).toEqual(content);
    // Created like the protected folder's Linux stand-in: owner only.
    expect(statSync(archive).mode & 0o777).toBe(0o700);
    expect(archiver.stats()).toMatchObject({ archived: 1, bytesWritten: content.length, queued: 0 });
  });

  it("says Archived false and counts why when the file is gone or too big", async () => {
    const big = path.join(dir, "big.iso");
    writeFileSync(big, Buffer.alloc(2048));
    const { archiver, logged } = make({ maxFileBytes: 1024 });
    const gone = await published(archiver, deleteEvent(path.join(dir, "already-deleted.exe")));
    const tooBig = await published(archiver, deleteEvent(big));
    expect(gone.values[F23.get("Archived")!]).toBe("false");
    expect(gone.values[F23.get("Hashes")!]).toBe("-");
    expect(tooBig.values[F23.get("Archived")!]).toBe("false");
    expect(archiver.stats().failed).toMatchObject({ sourceGone: 1, tooLarge: 1 });
    expect(logged.join("\n")).toMatch(/sourceGone: .*already-deleted\.exe/);
    expect(logged.join("\n")).toMatch(/tooLarge: .*2048 bytes/);
    expect(existsSync(archive) ? readdirSync(archive) : []).toEqual([]);
  });

  it("still publishes with Archived false when the folder cannot be created, and retries it later", async () => {
    // A regular file where the folder's parent should be: mkdir fails even for root.
    const blocker = path.join(dir, "not-a-dir");
    writeFileSync(blocker, "x");
    const target = path.join(dir, "a.txt");
    writeFileSync(target, "a");
    const { archiver } = make({ folder: path.join(blocker, "Sysmon") });
    const event = await published(archiver, deleteEvent(target));
    expect(event.values[F23.get("Archived")!]).toBe("false");
    expect(archiver.stats().failed.directoryUnavailable).toBe(1);
    rmSync(blocker);
    const again = await published(archiver, deleteEvent(target));
    expect(again.values[F23.get("Archived")!]).toBe("true");
  });

  it("keeps the drain free: a full queue publishes at once with Archived false", async () => {
    const target = path.join(dir, "f.txt");
    writeFileSync(target, "f");
    const { archiver } = make({ queueLimit: 1 });
    const order: string[] = [];
    const first = new Promise<void>((resolve) => archiver.submit(deleteEvent(target), (e) => { order.push(`first:${e.values[F23.get("Archived")!]}`); resolve(); }));
    archiver.submit(deleteEvent(target), (e) => order.push(`second:${e.values[F23.get("Archived")!]}`));
    // The overflow was published synchronously inside submit(), before any copy finished.
    expect(order).toEqual(["second:false"]);
    await first;
    await archiver.close();
    expect(order).toEqual(["second:false", "first:true"]);
    expect(archiver.stats().failed.queueFull).toBe(1);
  });

  it("archives clipboard text as CLIP-<Hashes> in UTF-16LE, and only text the enricher left for it", async () => {
    const { archiver } = make();
    const text = "secret ✓";
    const bytes = Buffer.from(text, "utf16le");
    const hashes = `SHA1=${createHash("sha1").update(bytes).digest("hex").toUpperCase()},SHA256=${createHash("sha256").update(bytes).digest("hex").toUpperCase()}`;
    archiver.clipboardTexts.put(hashes, text);
    const event = await published(archiver, eventFromFields(24, { Hashes: hashes, Archived: "false" }));
    expect(event.values[F24.get("Archived")!]).toBe("true");
    expect(readFileSync(path.join(archive, `CLIP-${hashes}`))).toEqual(bytes);
    const orphan = await published(archiver, eventFromFields(24, { Hashes: "SHA1=00", Archived: "false" }));
    expect(orphan.values[F24.get("Archived")!]).toBe("false");
    expect(archiver.stats().failed.contentMissing).toBe(1);
    expect(archiver.clipboardTexts.size).toBe(0);
  });

  it("follows a new config's folder and algorithms", async () => {
    const target = path.join(dir, "n.bin");
    writeFileSync(target, "n");
    const other = path.join(dir, "Other");
    const archiver = new Archiver({ archiveDirectory: "\\Sysmon\\", hashAlgorithms: ["SHA1"], folderFor: (name) => path.join(dir, name.replace(/\\/g, "")) });
    archiver.configure({ archiveDirectory: "\\Other\\", hashAlgorithms: ["MD5"] });
    expect(archiver.folder).toBe(other);
    const event = await published(archiver, deleteEvent(target));
    expect(event.values[F23.get("Hashes")!]).toBe(`MD5=${createHash("md5").update("n").digest("hex").toUpperCase()}`);
    expect(readdirSync(other)).toHaveLength(1);
  });
});
