/**
 * The real eBPF sensor on the real kernel: loads driver/linux's object, causes real activity in
 * child processes (the test process itself is the sensor's "engine" and must stay invisible),
 * and checks the decoded records. Needs root, kernel BTF, clang/bpftool (to build the object),
 * python3, util-linux; a missing capability fails with the sensor's own message, never skips.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { BPF_LOAD_SCRIPT, DNS_EXCHANGE_SCRIPT, DNS_TCP_EXCHANGE_SCRIPT, PROCESS_ACCESS_SCRIPT } from "../support/activity";
import { closeSync, copyFileSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { openLinuxSensor, type RawRecord, type Sensor } from "../../engine/src/sensor";

const repoRoot = path.resolve(__dirname, "../..");
const objectPath = path.join(repoRoot, "driver/linux/build/sysmonts.bpf.o");
const PYTHON = "/usr/bin/python3";

let sensor: Sensor & Disposable;
let workDir: string;
const seen: RawRecord[] = [];

function drainAll(): void {
  sensor.drain((record) => seen.push(record));
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Drains until some record satisfies `match`; fails naming what was awaited. */
async function waitFor<T extends RawRecord>(what: string, match: (record: RawRecord) => record is T, timeoutMs = 5000): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    drainAll();
    const found = seen.filter(match);
    if (found.length > 0) return found;
    await sleep(20);
  }
  throw new Error(`no record for ${what} within ${timeoutMs} ms (${seen.length} records seen)`);
}

/** Runs a python3 script in a child; returns its pid and its stdout parsed as JSON. */
function python<T = Record<string, unknown>>(script: string, options: { cwd?: string; args?: string[] } = {}): { pid: number; output: T } {
  const result = spawnSync(PYTHON, ["-c", script, ...(options.args ?? [])], { cwd: options.cwd ?? workDir, encoding: "utf8", timeout: 20_000 });
  if (result.status !== 0) throw new Error(`python3 failed (${result.status}): ${result.stderr}`);
  return { pid: result.pid ?? -1, output: (result.stdout.trim() ? JSON.parse(result.stdout) : {}) as T };
}

function fdTargets(): string[] {
  const targets: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      targets.push(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // the fd of readdir itself is gone by now
    }
  }
  return targets;
}

function bpfResources(): { programs: number; links: number; maps: number; mappings: number } {
  const targets = fdTargets();
  return {
    programs: targets.filter((t) => t === "anon_inode:bpf-prog").length,
    // tracepoint attachments are perf events (libbpf may add a bpf-link on top)
    links: targets.filter((t) => t === "anon_inode:bpf-link" || t === "anon_inode:[perf_event]").length,
    maps: targets.filter((t) => t === "anon_inode:bpf-map").length,
    mappings: readFileSync("/proc/self/maps", "utf8").split("\n").filter((line) => line.includes("anon_inode:bpf-map")).length,
  };
}

const is =
  <K extends RawRecord["kind"]>(kind: K, test: (record: Extract<RawRecord, { kind: K }>) => boolean) =>
  (record: RawRecord): record is Extract<RawRecord, { kind: K }> =>
    record.kind === kind && test(record as Extract<RawRecord, { kind: K }>);

beforeAll(() => {
  execFileSync("make", ["-s", "-C", path.join(repoRoot, "driver/linux")], { stdio: "pipe" });
  workDir = realpathSync(mkdtempSync(path.join(os.tmpdir(), "sysmonts-sensor-")));
  sensor = openLinuxSensor({ objectPath });
});

afterAll(() => {
  sensor?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe("Linux eBPF sensor on the running kernel", () => {
  it("reports an exec with image, argv, cwd, parent and start time, then its exit code", async () => {
    const before = Date.now();
    const child = spawnSync("/bin/sh", ["-c", 'exit 3', "sysmonts-argv0", "two words", "tag-exec"], { cwd: workDir });
    const [exec] = await waitFor("the exec of /bin/sh", is("exec", (r) => r.actor.pid === child.pid));
    expect(exec!.image).toBe(realpathSync("/bin/sh"));
    expect(exec!.argv).toEqual(["/bin/sh", "-c", "exit 3", "sysmonts-argv0", "two words", "tag-exec"]);
    expect(exec!.argvTruncated).toBe(false);
    expect(exec!.cwd).toBe(workDir);
    expect(exec!.parentPid).toBe(process.pid);
    expect(exec!.actor.uid).toBe(0);
    expect(exec!.process.pid).toBe(child.pid);
    expect(exec!.process.processKey).toBeGreaterThan(0n);
    expect(exec!.process.startTimeMs).toBeGreaterThan(before - 2000);
    expect(exec!.process.startTimeMs).toBeLessThanOrEqual(exec!.timeMs + 1);
    expect(exec!.timeMs).toBeLessThan(Date.now() + 1000);
    // /proc/<pid>/stat's start time is the same clock (spec/events.md §5.3): whole seconds agree
    const [exit] = await waitFor("the exit of /bin/sh", is("exit", (r) => r.actor.pid === child.pid));
    expect(exit!.exitCode).toBe(3);
    expect(Math.abs(exit!.process.startTimeMs - exec!.process.startTimeMs)).toBeLessThan(1);
  });

  it("cuts argv at 16 KiB and says so", async () => {
    const long = "x".repeat(20_000);
    const child = spawnSync("/bin/true", [long], { cwd: workDir });
    const [exec] = await waitFor("the long exec", is("exec", (r) => r.actor.pid === child.pid));
    expect(exec!.argvTruncated).toBe(true);
    expect(exec!.argv[0]).toBe("/bin/true");
    expect(exec!.argv[1]).toBe("x".repeat(16384 - "/bin/true".length - 1));
  });

  it("reports files really created (absolute, cwd-relative, dirfd-relative) and deleted with absolute paths", async () => {
    writeFileSync(path.join(workDir, "existing.txt"), "already here");
    const { pid } = python(`
import os
open(os.path.join(os.getcwd(), "abs.txt"), "w").close()
open("rel.txt", "w").close()
os.mkdir("sub")
d = os.open("sub", os.O_RDONLY | os.O_DIRECTORY)
os.close(os.open("viadir.txt", os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=d))
os.close(os.open("existing.txt", os.O_CREAT | os.O_WRONLY))
os.unlink(os.path.join(os.getcwd(), "abs.txt"))
os.unlink("rel.txt")
os.unlink("viadir.txt", dir_fd=d)
os.rmdir("sub")
os.unlink("./existing.txt")
`);
    await waitFor("the last delete", is("file-delete", (r) => r.actor.pid === pid && r.path.endsWith("existing.txt")));
    drainAll();
    const created = seen.filter(is("file-create", (r) => r.actor.pid === pid)).map((r) => r.path);
    expect(created).toEqual([`${workDir}/abs.txt`, `${workDir}/rel.txt`, `${workDir}/sub/viadir.txt`]);
    const deleted = seen.filter(is("file-delete", (r) => r.actor.pid === pid)).map((r) => [r.path, r.directory]);
    expect(deleted).toEqual([
      [`${workDir}/abs.txt`, false],
      [`${workDir}/rel.txt`, false],
      [`${workDir}/sub/viadir.txt`, false],
      [`${workDir}/sub`, true],
      // not normalised, as Sysmon (spec/events.md §5.9)
      [`${workDir}/./existing.txt`, false],
    ]);
  });

  it("decodes hostile file names and 4 KiB paths without corruption", async () => {
    const { pid, output } = python<{ deep: string }>(`
import os, json
base = os.getcwd().encode()
for name in [b"new\\nline", b'quo"te\\'s', b"<tag>&amp;", b"bad\\xff\\xfeutf8", "ünï".encode()]:
    open(base + b"/" + name, "wb").close()
deep = base
while len(deep) < 3900:
    deep = deep + b"/" + b"d" * 200
    os.mkdir(deep)
open(deep + b"/f", "wb").close()
print(json.dumps({"deep": (deep + b"/f").decode()}))
`);
    await waitFor("the deep file", is("file-create", (r) => r.actor.pid === pid && r.path.endsWith("/f")));
    const paths = seen.filter(is("file-create", (r) => r.actor.pid === pid)).map((r) => r.path);
    expect(paths).toEqual([
      `${workDir}/new\nline`,
      `${workDir}/quo"te's`,
      `${workDir}/<tag>&amp;`,
      `${workDir}/bad\ufffd\ufffdutf8`,
      `${workDir}/ünï`,
      output.deep,
    ]);
    expect(output.deep.length).toBeGreaterThan(3900);
  });

  it("reports TCP connects and accepts with the owning process, IPv4 and IPv6", async () => {
    const { pid, output } = python<Record<string, [string, number, string, number]>>(`
import socket, json
out = {}
for fam, host in [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")]:
    srv = socket.socket(fam, socket.SOCK_STREAM); srv.bind((host, 0)); srv.listen()
    cli = socket.socket(fam, socket.SOCK_STREAM); cli.connect(srv.getsockname()[:2])
    conn, peer = srv.accept()
    out[host] = [cli.getsockname()[0], cli.getsockname()[1], srv.getsockname()[0], srv.getsockname()[1]]
    conn.close(); cli.close(); srv.close()
print(json.dumps(out))
`);
    for (const [host, expectedIp] of [
      ["127.0.0.1", "127.0.0.1"],
      ["::1", "0:0:0:0:0:0:0:1"],
    ] as const) {
      const [, clientPort, , serverPort] = output[host]!;
      const [out] = await waitFor(`connect over ${host}`, is("network", (r) => r.actor.pid === pid && r.initiated && r.sourcePort === clientPort));
      expect(out).toMatchObject({ protocol: "tcp", ipv6: host === "::1", sourceIp: expectedIp, destinationIp: expectedIp, destinationPort: serverPort });
      const [inbound] = await waitFor(`accept over ${host}`, is("network", (r) => r.actor.pid === pid && !r.initiated && r.destinationPort === serverPort));
      expect(inbound).toMatchObject({ protocol: "tcp", ipv6: host === "::1", sourceIp: expectedIp, sourcePort: clientPort, destinationIp: expectedIp });
    }
  });

  it("reports the first UDP datagram of a flow once", async () => {
    const { pid, output } = python<{ port: number }>(`
import socket, json
rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); rx.bind(("127.0.0.1", 0))
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3): tx.sendto(b"hello", rx.getsockname())
print(json.dumps({"port": rx.getsockname()[1]}))
`);
    await sleep(100);
    const flows = await waitFor("the UDP send", is("network", (r) => r.actor.pid === pid && r.protocol === "udp" && r.destinationPort === output.port));
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatchObject({ initiated: true, ipv6: false, destinationIp: "127.0.0.1" });
  });

  it("captures DNS queries and responses exchanged with port 53", async () => {
    const { pid, output } = python<{ query: string; answer: string }>(DNS_EXCHANGE_SCRIPT);
    const [query] = await waitFor("the DNS query", is("dns", (r) => r.actor.pid === pid && r.outgoing));
    expect(Buffer.from(query!.message).toString("hex")).toBe(output.query);
    expect(query!.transport).toBe("udp");
    const [answer] = await waitFor("the DNS answer", is("dns", (r) => r.actor.pid === pid && !r.outgoing));
    expect(Buffer.from(answer!.message).toString("hex")).toBe(output.answer);
  });

  it("captures DNS over TCP port 53, reassembled from the stream's segments", async () => {
    const { pid, output } = python<{ queries: string[]; answers: string[] }>(DNS_TCP_EXCHANGE_SCRIPT);
    // The python child has exited, so every record it caused is already in the ring.
    const queries = await waitFor("the DNS-over-TCP queries", is("dns", (r) => r.actor.pid === pid && r.transport === "tcp" && r.outgoing));
    expect(queries.map((q) => Buffer.from(q.message).toString("hex"))).toEqual(output.queries);
    const answers = await waitFor("the DNS-over-TCP answers", is("dns", (r) => r.actor.pid === pid && r.transport === "tcp" && !r.outgoing));
    expect(answers.map((a) => Buffer.from(a.message).toString("hex"))).toEqual(output.answers);
  });

  it("reports ptrace attach and process_vm_readv on another process", async () => {
    const { pid, output } = python<{ target: number }>(PROCESS_ACCESS_SCRIPT);
    const [read] = await waitFor("process_vm_readv", is("process-access", (r) => r.actor.pid === pid && r.operation === "vm-readv"));
    expect(read).toMatchObject({ targetPid: output.target, grantedAccess: 0 });
    const [attach] = await waitFor("ptrace attach", is("process-access", (r) => r.actor.pid === pid && r.operation === "ptrace-attach"));
    expect(attach!.targetPid).toBe(output.target);
  });

  it("reports reads of a block device (a loop device over a small file)", async () => {
    const image = path.join(workDir, "disk.img");
    writeFileSync(image, Buffer.alloc(1024 * 1024));
    const device = execFileSync("losetup", ["--find", "--show", image], { encoding: "utf8" }).trim();
    try {
      const reader = spawnSync("dd", [`if=${device}`, "of=/dev/null", "bs=512", "count=1"]);
      expect(reader.status).toBe(0);
      const [access] = await waitFor(`the read of ${device}`, is("raw-access", (r) => r.actor.pid === reader.pid));
      expect(access!.device).toBe(device);
    } finally {
      execFileSync("losetup", ["--detach", device]);
    }
  });

  it("reports a library mapped executable (dlopen) with its absolute path, once", async () => {
    const library = path.join(workDir, "libsysmonts-probe.so");
    copyFileSync("/usr/lib/x86_64-linux-gnu/libz.so.1", library);
    const { pid } = python(`import ctypes, sys; ctypes.CDLL(sys.argv[1])`, { args: [library] });
    const loads = await waitFor("the image load of the copied library", is("image-load", (r) => r.actor.pid === pid && r.path === library));
    expect(loads).toHaveLength(1);
    // the loader's own libraries show up for the same process, read-only mappings do not
    expect(seen.some((r) => r.kind === "image-load" && r.actor.pid === pid && /\/libc\.so\.6$/.test(r.path))).toBe(true);
  });

  it("reports bpf(BPF_PROG_LOAD) with program type, fd and name", async () => {
    const { pid, output } = python<{ fd: number }>(BPF_LOAD_SCRIPT);
    const [load] = await waitFor("the BPF program load", is("bpf", (r) => r.actor.pid === pid));
    expect(load).toMatchObject({ command: 5, programType: 1, programFd: output.fd, programName: "sysmonts_probe" });
  });

  it("reports mtimes set backwards: exact times through an fd, requested ones by path; never 'now' or forwards", async () => {
    // 2001-01-01 00:00:00 UTC. x86-64 still has the utimes and utime syscalls; glibc's
    // wrappers use utimensat, so they are called by number there.
    const T = 978307200;
    const x64 = os.arch() === "x64";
    const { pid, output } = python<{ fdBefore: number }>(`
import ctypes, json, os, sys, time
T = ${T}
for name in ["rel.txt", "fd.txt", "now.txt", "sub/viadir.txt", "utimes.txt", "utime.txt"]:
    os.makedirs(os.path.dirname(name) or ".", exist_ok=True)
    open(name, "w").close()
os.utime("rel.txt", (T, T))
fd = os.open("fd.txt", os.O_RDONLY)
before = os.fstat(fd).st_mtime_ns
os.utime(fd, ns=(T * 10**9 + 250000000, T * 10**9 + 250000000))
os.utime(fd, (T + 3600, T + 3600))
os.close(fd)
d = os.open("sub", os.O_RDONLY | os.O_DIRECTORY)
os.utime("viadir.txt", (T, T), dir_fd=d)
os.utime("now.txt")
now = time.time()
os.utime("now.txt", (now, now))
os.utime("now.txt", ns=(T * 10**9, os.stat("now.txt").st_mtime_ns))
if sys.argv[1] == "x64":
    libc = ctypes.CDLL(None, use_errno=True)
    timeval = (ctypes.c_long * 4)(T, 0, T, 500000)
    assert libc.syscall(235, b"utimes.txt", timeval) == 0
    utimbuf = (ctypes.c_long * 2)(T, T)
    assert libc.syscall(132, b"utime.txt", utimbuf) == 0
os.utime("rel.txt", (T, T + 7200))
print(json.dumps({"fdBefore": before}))
`, { args: [x64 ? "x64" : "other"] });
    await waitFor("the last mtime set", is("file-time", (r) => r.actor.pid === pid && r.newTimeMs === (T + 7200) * 1000));
    drainAll();
    const records = seen.filter(is("file-time", (r) => r.actor.pid === pid));
    expect(records.map((r) => [r.path, r.newTimeMs, r.previousTimeMs === null ? null : "known"])).toEqual([
      [`${workDir}/rel.txt`, T * 1000, null],
      [`${workDir}/fd.txt`, T * 1000 + 250, "known"],
      [`${workDir}/sub/viadir.txt`, T * 1000, null],
      ...(x64 ? [[`${workDir}/utimes.txt`, T * 1000 + 500, null], [`${workDir}/utime.txt`, T * 1000, null]] : []),
      // by path the previous mtime is unknown: a past time counts even when it moves forwards
      [`${workDir}/rel.txt`, (T + 7200) * 1000, null],
    ]);
    // the fd's file: its mtime when the call started, read from the inode
    expect(records[1]!.previousTimeMs).toBeCloseTo(output.fdBefore / 1e6, 3);

    // touch -d opens (creating) the file and sets the time through the fd: exact both ways
    const before = Date.now();
    const touch = spawnSync("touch", ["-d", `@${T}`, "touched.txt"], { cwd: workDir });
    expect(touch.status).toBe(0);
    const [touched] = await waitFor("touch -d", is("file-time", (r) => r.actor.pid === touch.pid));
    expect(touched).toMatchObject({ path: `${workDir}/touched.txt`, newTimeMs: T * 1000, actor: { uid: 0 } });
    expect(touched!.previousTimeMs).toBeGreaterThan(before - 1000);
    expect(touched!.previousTimeMs).toBeLessThanOrEqual(Date.now());
  });

  it("never reports the engine's own activity", async () => {
    const own = path.join(workDir, "own-file.txt");
    closeSync(openSync(own, "w"));
    unlinkSync(own);
    const server = createServer((socket) => socket.end()).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => createConnection(port, "127.0.0.1").on("close", () => resolve()).on("error", () => resolve()));
    server.close();
    // a child's activity after ours proves the sensor was draining all along
    const marker = spawnSync("/bin/true", ["own-activity-marker"]);
    await waitFor("the marker exec", is("exec", (r) => r.actor.pid === marker.pid));
    expect(seen.filter((r) => r.actor.pid === process.pid)).toEqual([]);
  });

  it("turns kinds off and on with setEnabledEvents", async () => {
    const allOn = bpfResources().links;
    sensor.setEnabledEvents(new Set([1, 5, 23]));
    try {
      // mmap, read, write and writev programs (enter and exit) are detached with ImageLoad and DNS
      expect(bpfResources().links).toBe(allOn - 8);
      const { pid } = python(`open("off.txt", "w").close()\nimport os\nos.unlink("off.txt")`);
      await waitFor("the delete while creates are off", is("file-delete", (r) => r.actor.pid === pid));
      expect(seen.filter(is("file-create", (r) => r.actor.pid === pid))).toEqual([]);
    } finally {
      sensor.setEnabledEvents(new Set([1, 2, 3, 5, 7, 9, 10, 11, 22, 23, 100]));
    }
    expect(bpfResources().links).toBe(allOn);
    const { pid } = python(`open("on.txt", "w").close()`);
    await waitFor("the create once re-enabled", is("file-create", (r) => r.actor.pid === pid && r.path.endsWith("on.txt")));
  });

  it("counts produced records and those lost to a full ring buffer, and releases everything on close", async () => {
    expect(sensor.counters().produced).toBeGreaterThan(0);
    expect(sensor.counters().malformed).toBe(0);
    const baseline = bpfResources();
    const small = openLinuxSensor({ objectPath, ringBufferBytes: 4096, enabledEvents: new Set([1, 5]) });
    const open = bpfResources();
    expect(open.programs).toBeGreaterThan(baseline.programs);
    expect(open.links).toBeGreaterThan(baseline.links);
    expect(open.mappings).toBe(baseline.mappings + 2);
    // a 4 KiB ring holds a few exec records: 40 undrained execs must overflow it
    const children = Array.from({ length: 40 }, () => spawn("/bin/true", ["overflow"]));
    await Promise.all(children.map((child) => new Promise((resolve) => child.on("exit", resolve))));
    await sleep(50);
    const counters = small.counters();
    expect(counters.lostRingBuffer).toBeGreaterThan(0);
    expect(counters.produced).toBeGreaterThan(0);
    let drained = 0;
    small.drain(() => (drained += 1));
    // every produced record is drained (a small exit record may still have fit since counters())
    expect(drained).toBeGreaterThanOrEqual(counters.produced);
    expect(drained).toBeLessThanOrEqual(small.counters().produced);
    small.close();
    small.close();
    expect(bpfResources()).toEqual(baseline);
    expect(small.drain(() => {})).toBe(0);
  });

  it("fails with SYSMONTS_E_SENSOR naming a missing object, and rejects a bad ring size", () => {
    expect(() => openLinuxSensor({ objectPath: "/nonexistent/sysmonts.bpf.o" })).toThrow(
      expect.objectContaining({ code: "SYSMONTS_E_SENSOR", message: expect.stringContaining("/nonexistent/sysmonts.bpf.o") }),
    );
    expect(() => openLinuxSensor({ objectPath, ringBufferBytes: 5000 })).toThrow(/power of two/);
  });
});


