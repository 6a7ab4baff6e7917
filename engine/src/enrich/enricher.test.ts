import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eventToFields, type SysmonEvent } from "../schema";
import type { RawRecord, RecordActor } from "../sensor";
import { createEnricher, type Enricher } from "./index";

const MACHINE = 0x924935dc;
const T0 = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

function actor(pid: number, uid = 1000, tid = pid): RecordActor {
  return { pid, tid, uid };
}

describe("enricher", () => {
  let dir: string;
  let image: string;
  let enricher: Enricher;
  let events: SysmonEvent[];
  const emit = (e: SysmonEvent): void => {
    events.push(e);
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "enricher"));
    image = path.join(dir, "tool");
    writeFileSync(image, "#!/bin/sh\necho hi\n");
    writeFileSync(path.join(dir, "passwd"), "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n");
    const utmp = Buffer.alloc(384);
    utmp.writeInt16LE(7, 0);
    utmp.write("pts/3", 8);
    utmp.write("alice", 44);
    utmp.writeUInt32LE(0x647dfbf9, 340);
    writeFileSync(path.join(dir, "utmp"), utmp);
    // An empty proc root: nothing resolves through /proc unless a test asks for the real one.
    enricher = createEnricher({
      hashAlgorithms: ["SHA256", "MD5"], machineId: MACHINE, procRoot: path.join(dir, "noproc"), selfPid: 999_999,
      passwdPath: path.join(dir, "passwd"), utmpPath: path.join(dir, "utmp"), dnsTimeoutMs: 5000,
    });
    events = [];
  });
  afterEach(() => {
    enricher.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function exec(pid: number, parentPid: number, startTimeMs: number, extra: Partial<Extract<RawRecord, { kind: "exec" }>> = {}): RawRecord {
    return {
      kind: "exec", timeMs: startTimeMs + 1, actor: actor(pid), process: { pid, startTimeMs, processKey: 0x000056378badc4f6n + BigInt(pid) },
      parentPid, image, argv: [image, "--flag", "a b"], argvTruncated: false, cwd: "/home/alice", sessionId: 4, ttyIndex: 3, loginUid: 1000,
      ...extra,
    };
  }

  it("builds ProcessCreate with every field in manifest order and links the child to its parent", () => {
    enricher.enrich(exec(100, 1, T0), emit);
    enricher.enrich(exec(200, 100, T0 + 2000, { argv: ["child"], ttyIndex: -1, sessionId: 4294967295, actor: actor(200, 0) }), emit);
    const content = readFileSync(image);
    const hashes = `MD5=${createHash("md5").update(content).digest("hex")},SHA256=${createHash("sha256").update(content).digest("hex")}`;
    expect(events.map((e) => e.id)).toEqual([1, 1]);
    expect(events[0]?.values).toEqual([
      "-", "2024-01-02 03:04:05.678", "{924935dc-7d25-6593-5ac5-ad8b37560000}", "100", image,
      "-", "-", "-", "-", "-", `${image} --flag a b`, "/home/alice", "alice",
      "{924935dc-fbf9-647d-e803-000003000000}", "1000", "4", "no level", hashes,
      "{00000000-0000-0000-0000-000000000000}", "1", "-", "-", "-",
    ]);
    const child = eventToFields(events[1] as SysmonEvent);
    expect(child).toMatchObject({
      ProcessGuid: "{924935dc-7d27-6593-bec5-ad8b37560000}", User: "root", CommandLine: "child",
      LogonGuid: "{924935dc-0000-0000-0000-000000000000}", LogonId: "0", TerminalSessionId: "4294967295",
      ParentProcessGuid: events[0]?.values[2], ParentProcessId: "100", ParentImage: image,
      ParentCommandLine: `${image} --flag a b`, ParentUser: "alice",
    });
    expect(enricher.stats().hashes).toMatchObject({ hashed: 1, cacheHits: 1 });
  });

  it("fills PID-only events from the cache and ends the process on exit", () => {
    enricher.enrich(exec(100, 1, T0), emit);
    const guid = events[0]?.values[2];
    events = [];
    const a = actor(100);
    enricher.enrich({ kind: "file-create", timeMs: T0 + 10, actor: a, path: "/tmp/x\n<evil>&" }, emit);
    enricher.enrich({ kind: "file-delete", timeMs: T0 + 11, actor: a, path: "/tmp/./x" }, emit);
    enricher.enrich({ kind: "raw-access", timeMs: T0 + 12, actor: a, device: "/dev/sda" }, emit);
    enricher.enrich({ kind: "file-time", timeMs: T0 + 14, actor: a, path: "/tmp/x", newTimeMs: Date.UTC(2001, 0, 1), previousTimeMs: T0 - 0.5 }, emit);
    enricher.enrich({ kind: "file-time", timeMs: T0 + 15, actor: actor(100, 0), path: "/tmp/y", newTimeMs: Date.UTC(2001, 0, 1, 0, 0, 0, 250), previousTimeMs: null }, emit);
    enricher.enrich({ kind: "bpf", timeMs: T0 + 13, actor: actor(100, 4242), command: 5, programType: 2, programFd: 7, programName: "" }, emit);
    enricher.enrich({ kind: "exit", timeMs: T0 + 20, actor: a, process: { pid: 100, startTimeMs: T0, processKey: 0n }, exitCode: 0 }, emit);
    enricher.enrich({ kind: "file-create", timeMs: T0 + 1000, actor: a, path: "/late" }, emit);
    expect(events.map((e) => [e.id, ...e.values])).toEqual([
      [11, "-", "2024-01-02 03:04:05.688", guid, "100", image, "/tmp/x\n<evil>&", "2024-01-02 03:04:05.688", "alice"],
      [23, "-", "2024-01-02 03:04:05.689", guid, "100", "alice", image, "/tmp/./x", "-", "-", "-"],
      [9, "-", "2024-01-02 03:04:05.690", guid, "100", image, "/dev/sda", "alice"],
      // CreationUtcTime is the new mtime, PreviousCreationUtcTime the old one or "-" when unknown
      [2, "-", "2024-01-02 03:04:05.692", guid, "100", image, "/tmp/x", "2001-01-01 00:00:00.000", "2024-01-02 03:04:05.677", "alice"],
      [2, "-", "2024-01-02 03:04:05.693", guid, "100", image, "/tmp/y", "2001-01-01 00:00:00.250", "-", "root"],
      [100, "-", "2024-01-02 03:04:05.691", guid, "100", image, "4242", "BPF_PROG_LOAD", "KPROBE", "7", "-"],
      [5, "-", "2024-01-02 03:04:05.698", guid, "100", image, "alice"],
      // 0.98 s after the exit: outside the 0.5 s window, and /proc knows nothing.
      [11, "-", "2024-01-02 03:04:06.678", "{00000000-0000-0000-0000-000000000000}", "100", "-", "/late", "2024-01-02 03:04:06.678", "alice"],
    ]);
  });

  it("reports network connections, de-duplicating UDP flows for 30 minutes until the process exits", () => {
    enricher.enrich(exec(100, 1, T0), emit);
    events = [];
    const udp = (timeMs: number): RawRecord => ({
      kind: "network", timeMs, actor: actor(100), protocol: "udp", initiated: true, ipv6: false,
      sourceIp: "10.0.0.2", sourcePort: 40000, destinationIp: "10.0.0.53", destinationPort: 53,
    });
    enricher.enrich(udp(T0 + 1), emit);
    enricher.enrich(udp(T0 + 2), emit);
    enricher.enrich(udp(T0 + 30 * 60_000 + 1), emit);
    enricher.enrich({
      kind: "network", timeMs: T0 + 3, actor: actor(100), protocol: "tcp", initiated: false, ipv6: true,
      sourceIp: "fe80:0:0:0:1:2:3:4", sourcePort: 5555, destinationIp: "0:0:0:0:0:0:0:1", destinationPort: 22,
    }, emit);
    expect(events.map((e) => e.values.slice(1))).toEqual([
      ["2024-01-02 03:04:05.679", events[0]?.values[2], "100", image, "alice", "udp", "true", "false", "10.0.0.2", "-", "40000", "-", "false", "10.0.0.53", "-", "53", "-"],
      ["2024-01-02 03:34:05.679", events[0]?.values[2], "100", image, "alice", "udp", "true", "false", "10.0.0.2", "-", "40000", "-", "false", "10.0.0.53", "-", "53", "-"],
      ["2024-01-02 03:04:05.681", events[0]?.values[2], "100", image, "alice", "tcp", "false", "true", "fe80:0:0:0:1:2:3:4", "-", "5555", "-", "true", "0:0:0:0:0:0:0:1", "-", "22", "-"],
    ]);
    expect(enricher.stats().udpDuplicates).toBe(1);
    enricher.enrich({ kind: "exit", timeMs: T0 + 30 * 60_000 + 5, actor: actor(100), process: { pid: 100, startTimeMs: T0, processKey: 0n }, exitCode: 0 }, emit);
    enricher.enrich(udp(T0 + 30 * 60_000 + 1005), emit); // flow forgotten with its process, which is gone
    expect(events.filter((e) => e.id === 3)).toHaveLength(4);
    expect(events.at(-1)?.values[4]).toBe("<unknown process>");
  });

  it("reports DNS on response, de-duplicates per process, and times out unanswered queries", () => {
    enricher.enrich(exec(100, 1, T0), emit);
    events = [];
    const q = Uint8Array.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0x77, 0x77, 0x77, 2, 0x61, 0x62, 0, 0, 1, 0, 1]);
    const r = Uint8Array.from([0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 3, 0x77, 0x77, 0x77, 2, 0x61, 0x62, 0, 0, 1, 0, 1,
      0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4]);
    const dns = (timeMs: number, outgoing: boolean, message: Uint8Array): RawRecord => ({ kind: "dns", timeMs, actor: actor(100), transport: "udp", outgoing, message });
    enricher.enrich(dns(T0 + 1, true, q), emit);
    enricher.enrich(dns(T0 + 2, false, r), emit);
    enricher.enrich(dns(T0 + 3, true, q), emit);
    enricher.enrich(dns(T0 + 4, false, r), emit); // same answer again: logged once
    enricher.enrich(dns(T0 + 5, true, q), emit);
    enricher.tick(T0 + 4000, emit);
    expect(events).toHaveLength(1);
    enricher.tick(T0 + 5005, emit);
    expect(events.map((e) => e.values)).toEqual([
      ["-", "2024-01-02 03:04:05.680", events[0]?.values[2], "100", "www.ab", "0", "::ffff:1.2.3.4;", image, "alice"],
      ["-", "2024-01-02 03:04:10.683", events[0]?.values[2], "100", "www.ab", "1460", "-", image, "alice"],
    ]);
    expect(enricher.stats()).toMatchObject({ dnsDuplicates: 1 });
  });

  it("maps process access, tampering, image and module loads", () => {
    enricher.enrich(exec(100, 1, T0), emit);
    enricher.enrich(exec(200, 1, T0, { actor: actor(200, 0), image: "/usr/bin/target-missing" }), emit);
    events = [];
    enricher.enrich({ kind: "process-access", timeMs: T0 + 5, actor: actor(100, 1000, 101), targetPid: 200, operation: "ptrace-attach", grantedAccess: 0 }, emit);
    enricher.enrich({ kind: "tampering", timeMs: T0 + 6, actor: actor(200, 0), process: { pid: 200, startTimeMs: T0, processKey: 1n }, type: "Image is replaced" }, emit);
    enricher.enrich({ kind: "image-load", timeMs: T0 + 7, actor: actor(100), path: image }, emit);
    enricher.enrich({ kind: "module-load", timeMs: T0 + 8, actor: actor(100, 0), name: "nf_tables", path: null }, emit);
    const [g100, g200] = [events[0]?.values[2], events[0]?.values[6]];
    expect(g100).toMatch(/^\{924935dc-/);
    expect(events.map((e) => e.values)).toEqual([
      ["-", "2024-01-02 03:04:05.683", g100, "100", "101", image, g200, "200", "/usr/bin/target-missing", "0x0", "-", "alice", "root"],
      ["-", "2024-01-02 03:04:05.684", g200, "200", "/usr/bin/target-missing", "Image is replaced", "root"],
      ["-", "2024-01-02 03:04:05.685", g100, "100", image, image, "-", "-", "-", "-", "-", events[2]?.values[11], "-", "-", "-", "alice"],
      ["-", "2024-01-02 03:04:05.686", "nf_tables", "-", "-", "-", "-"],
    ]);
    expect(events[2]?.values[11]).toMatch(/^MD5=[0-9a-f]{32},SHA256=[0-9a-f]{64}$/);
  });

  it("drops its own records and directory removals, and does nothing after close", () => {
    enricher.enrich({ kind: "file-create", timeMs: T0, actor: actor(999_999), path: "/x" }, emit);
    enricher.enrich({ kind: "file-delete", timeMs: T0, actor: actor(5), path: "/d", directory: true } as RawRecord, emit);
    expect(events).toEqual([]);
    expect(enricher.stats()).toMatchObject({ selfDropped: 1, directoriesDropped: 1 });
    enricher.close();
    enricher.enrich(exec(1, 0, T0), emit);
    expect(events).toEqual([]);
    expect(enricher.stats().cache.entries).toBe(0);
  });
});

describe("enricher against the real /proc", () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill("SIGKILL");
    child = undefined;
  });
  const linuxIt = process.platform === "linux" ? it : it.skip;

  linuxIt("seeds processes that started earlier and resolves a lazy miss with a stable GUID", async () => {
    using seeded = createEnricher({ hashAlgorithms: [], selfPid: process.pid });
    expect(seeded.seedFromProc()).toBeGreaterThan(0);
    const events: SysmonEvent[] = [];
    // Our parent (jest's runner) started before the seed: its events carry its real image.
    const parentPid = process.ppid;
    seeded.enrich({ kind: "file-create", timeMs: Date.now(), actor: actor(parentPid, 0), path: "/x" }, (e) => events.push(e));
    const parentImage = realpathSync(`/proc/${parentPid}/exe`);
    expect(events[0]?.values[4]).toBe(parentImage);
    expect(events[0]?.values[2]).toMatch(/^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/);

    // A process started after the seed is read from /proc on its first event; its GUID stays the same.
    child = spawn("/bin/sleep", ["30"]);
    await new Promise((r) => child?.once("spawn", r));
    for (let i = 0; i < 200 && !readFileSync(`/proc/${child.pid}/cmdline`, "latin1").startsWith("/bin/sleep"); i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const pid = child.pid ?? -1;
    seeded.enrich({ kind: "raw-access", timeMs: Date.now(), actor: actor(pid, 0), device: "/dev/sda" }, (e) => events.push(e));
    seeded.enrich({ kind: "raw-access", timeMs: Date.now(), actor: actor(pid, 0), device: "/dev/sdb" }, (e) => events.push(e));
    expect(events[1]?.values[4]).toBe(realpathSync("/bin/sleep"));
    expect(events[1]?.values[2]).not.toBe("{00000000-0000-0000-0000-000000000000}");
    expect(events[2]?.values[2]).toBe(events[1]?.values[2]);
    expect(seeded.stats().procLookups).toBe(1);
    // A child exec'd by that process names it as the parent, with the same GUID.
    seeded.enrich({
      kind: "exec", timeMs: Date.now(), actor: actor(pid + 100000, 0), process: { pid: pid + 100000, startTimeMs: Date.now(), processKey: 1n },
      parentPid: pid, image: "/bin/true", argv: ["true"], argvTruncated: false, cwd: "/", sessionId: 1, ttyIndex: -1, loginUid: 0,
    }, (e) => events.push(e));
    expect(eventToFields(events[3] as SysmonEvent)).toMatchObject({ ParentProcessGuid: events[1]?.values[2], ParentImage: realpathSync("/bin/sleep"), ParentCommandLine: "/bin/sleep 30" });
  });
});
