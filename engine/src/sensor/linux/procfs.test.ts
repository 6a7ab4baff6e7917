import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  commandLineFromRaw,
  listPids,
  ownerUidOf,
  parseStatLine,
  readBootTimeMs,
  readClockTicksPerSecond,
  readMachineId,
  readProcess,
  threadGroupOf,
  ttyIndexOfDevice,
} from "./procfs";

const isLinux = process.platform === "linux";
const linuxIt = isLinux ? it : it.skip;

describe("procfs against the real /proc", () => {
  let dir: string;
  let child: ChildProcess | undefined;

  beforeAll(() => {
    dir = realpathSync(mkdtempSync(path.join(tmpdir(), "procfs test ")));
  });
  afterEach(() => {
    child?.kill("SIGKILL");
    child = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function startWaitingShell(argv0Name: string, args: string[], cwd: string): Promise<ChildProcess> {
    // A hostile name: the comm in /proc/<pid>/stat then contains ") " and digits.
    const link = path.join(dir, argv0Name);
    symlinkSync("/bin/sh", link);
    const started = spawn(link, ["-c", "read line", ...args], { cwd, stdio: ["pipe", "ignore", "ignore"] });
    await new Promise<void>((resolve, reject) => {
      started.once("spawn", () => resolve());
      started.once("error", reject);
    });
    // Wait until the exec has happened (cmdline shows the new argv).
    for (let i = 0; i < 200; i++) {
      const snap = readProcess(started.pid ?? -1);
      if (snap?.commandLine.includes("read line")) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    return started;
  }

  linuxIt("reads argv, exe, cwd, ppid, uid and start time of a child it started", async () => {
    const cwd = path.join(dir, "work dir ünï");
    mkdirSync(cwd);
    child = await startWaitingShell("evil) 1 2 (x", ["arg one", "two\nlines", "ünïcode"], cwd);
    const snap = readProcess(child.pid ?? -1);
    expect(snap).not.toBeNull();
    if (snap === null) return;
    expect(snap.pid).toBe(child.pid);
    expect(snap.ppid).toBe(process.pid);
    expect(snap.commandLine).toBe(`${path.join(dir, "evil) 1 2 (x")} -c read line arg one two\nlines ünïcode`);
    expect(snap.argv0).toBe(path.join(dir, "evil) 1 2 (x"));
    expect(snap.exe).toBe(realpathSync("/bin/sh"));
    expect(snap.cwd).toBe(cwd);
    expect(snap.uid).toBe(process.getuid?.() ?? -1);
    // The child started after us, so its start ticks are at least ours.
    const me = readProcess(process.pid);
    expect(me).not.toBeNull();
    expect(snap.startTicks).toBeGreaterThanOrEqual(me?.startTicks ?? Infinity);
    const startMs = readBootTimeMs() + (snap.startTicks * 1000) / readClockTicksPerSecond();
    expect(Math.abs(startMs - Date.now())).toBeLessThan(60_000);
    // Root may read another process's end_code; it is a user-space text address.
    if (process.getuid?.() === 0) expect(snap.endCode).toBeGreaterThan(0n);
    expect(listPids()).toContain(child.pid);
  });

  linuxIt("returns null for a process that does not exist and for invalid ids", async () => {
    child = spawn("/bin/true");
    const pid = child.pid ?? -1;
    await new Promise((r) => child?.once("exit", r));
    // Reaped now: the pid is gone (pid reuse within this instant is practically impossible).
    expect(readProcess(pid)).toBeNull();
    expect(readProcess(0)).toBeNull();
    expect(readProcess(-5)).toBeNull();
    expect(readProcess(1.5)).toBeNull();
    expect(threadGroupOf(pid)).toBeNull();
    expect(ownerUidOf(pid)).toBe(-1);
  });

  linuxIt("maps a thread id to its process and reads our own audit ids", () => {
    expect(threadGroupOf(process.pid)).toBe(process.pid);
    const me = readProcess(process.pid);
    expect(me?.sessionId).toBeGreaterThanOrEqual(0);
    expect(me?.loginUid).toBeGreaterThanOrEqual(0);
    expect(me?.cwd).toBe(process.cwd());
    expect(readClockTicksPerSecond()).toBe(100);
  });

  it("tolerates a fake proc root with missing and malformed files", () => {
    const root = path.join(dir, "fakeproc");
    mkdirSync(path.join(root, "42"), { recursive: true });
    mkdirSync(path.join(root, "43"), { recursive: true });
    mkdirSync(path.join(root, "self"), { recursive: true });
    writeFileSync(path.join(root, "42", "stat"), "42 (a) b) S 7 42 42 34817 0 0 0 0 0 0 0 0 0 0 20 0 1 0 555 0 0 0 4096 8192 0");
    writeFileSync(path.join(root, "42", "cmdline"), "prog\0-x\0\0");
    writeFileSync(path.join(root, "43", "stat"), "garbage");
    writeFileSync(path.join(root, "stat"), "cpu 1 2 3\nbtime 1700000000\n");
    const snap = readProcess(42, { procRoot: root });
    expect(snap).toMatchObject({ pid: 42, ppid: 7, startTicks: 555, endCode: 8192n, ttyIndex: 1, uid: -1, exe: "", cwd: "" });
    expect(snap?.commandLine).toBe("prog -x ");
    expect(snap?.sessionId).toBe(4294967295);
    expect(readProcess(43, { procRoot: root })).toBeNull();
    expect(listPids({ procRoot: root })).toEqual([42, 43]);
    expect(listPids({ procRoot: path.join(root, "nope") })).toEqual([]);
    expect(readBootTimeMs({ procRoot: root })).toBe(1_700_000_000_000);
    expect(readClockTicksPerSecond({ procRoot: root })).toBe(100);
  });
});

describe("procfs parsing", () => {
  it("counts stat fields from the last parenthesis", () => {
    expect(parseStatLine("1 (x) 2 3) R 9 1 1 0 -1 0")).toBeNull();
    const parsed = parseStatLine("1 (x) 2 3) R 9 1 1 34816 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 77 0 0 0 1 18446744073709551615 0");
    expect(parsed).toEqual({ ppid: 9, ttyNr: 34816, startTicks: 77, endCode: 18446744073709551615n });
    expect(parseStatLine("no paren")).toBeNull();
  });

  it("turns a tty device number into the tty index", () => {
    expect(ttyIndexOfDevice(0)).toBe(-1);
    expect(ttyIndexOfDevice((136 << 8) | 1)).toBe(1); // pts/1
    expect(ttyIndexOfDevice((137 << 8) | 44)).toBe(300); // pts/300
    expect(ttyIndexOfDevice((4 << 8) | 2)).toBe(2); // tty2
  });

  it("joins cmdline arguments with spaces", () => {
    expect(commandLineFromRaw("a\0b c\0")).toBe("a b c");
    expect(commandLineFromRaw("")).toBe("");
    expect(commandLineFromRaw("noterm")).toBe("noterm");
  });

  it("reads the machine id's first 8 hex characters", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "machine-id"));
    try {
      writeFileSync(path.join(dir, "ok"), "924935dcabcdef0123456789abcdef01\n");
      writeFileSync(path.join(dir, "bad"), "zz\n");
      expect(readMachineId(path.join(dir, "ok"))).toBe(0x924935dc);
      expect(readMachineId(path.join(dir, "bad"))).toBe(0);
      expect(readMachineId(path.join(dir, "missing"))).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
