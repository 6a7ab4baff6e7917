import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { BPF_LOAD_SCRIPT, DNS_EXCHANGE_SCRIPT, DNS_TCP_EXCHANGE_SCRIPT, FILELESS_EXEC_SCRIPT, PROCESS_ACCESS_SCRIPT, TCP_LOOPBACK_SCRIPT, runPython } from "../support/activity";
import { REPO_ROOT, SHARED, requireRoot, waitFor } from "../support/cli";

// `sysmonts run` with MSTIC's collect-all config (plus DnsQuery, eBPFEvent, FileCreateTime and ProcessTampering,
// which that config predates or leaves out) as a user runs it: real kernel activity in, Sysmon events out on stdout,
// one XML line each, with the fields and formats of spec/events.md.

type Fields = Record<string, string>;

function parseEvent(line: string): { id: number; fields: Fields } {
  const id = Number(/<EventID>(\d+)<\/EventID>/.exec(line)?.[1]);
  const fields: Fields = {};
  for (const m of line.matchAll(/<Data Name="([^"]+)">([^<]*)<\/Data>/g)) {
    fields[m[1]!] = m[2]!
      .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
      .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
  }
  return { id, fields };
}

describe("sysmonts run with collect-all shows live events", () => {
  let dir: string;
  let engine: ChildProcess;
  let stdout = "";
  const events = (): { id: number; fields: Fields; line: string }[] =>
    stdout.split("\n").filter((l) => l.startsWith("<Event>")).map((line) => ({ ...parseEvent(line), line }));
  const find = (what: string, match: (e: { id: number; fields: Fields }) => boolean) =>
    waitFor(() => {
      const found = events().filter(match);
      return found.length > 0 ? found : undefined;
    }, { what, timeoutMs: 15_000 });

  beforeAll(async () => {
    requireRoot("the live events test");
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), "sysmonts-live-")));
    const collectAll = readFileSync(path.join(SHARED, "corpora/configs-linux-mstic/collect-all.xml"), "utf8");
    const config = collectAll.replace(
      "</EventFiltering>",
      '  <RuleGroup name="" groupRelation="or"><DnsQuery onmatch="exclude"/></RuleGroup>\n    <RuleGroup name="" groupRelation="or"><eBPFEvent onmatch="exclude"/></RuleGroup>\n' +
        '    <RuleGroup name="" groupRelation="or"><FileCreateTime onmatch="exclude"/></RuleGroup>\n' +
        '    <RuleGroup name="" groupRelation="or"><ProcessTampering onmatch="exclude"/></RuleGroup>\n' +
        '    <RuleGroup name="" groupRelation="or"><ImageLoad onmatch="include"><ImageLoaded name="probe-library" condition="contains">sysmonts-live-</ImageLoaded></ImageLoad></RuleGroup>\n  </EventFiltering>',
    );
    // FieldSizes trims after the decision: the rules see the whole value, the output the cut one.
    writeFileSync(path.join(dir, "config.xml"), config.replace("<EventFiltering>", "<FieldSizes>CommandLine:60</FieldSizes>\n  <HashAlgorithms>sha256</HashAlgorithms>\n  <EventFiltering>"));
    engine = spawn(process.execPath, [path.join(REPO_ROOT, "bin", "sysmonts.cjs"), "run", "--config", path.join(dir, "config.xml"), "--no-store", "--no-control"], { stdio: ["ignore", "pipe", "pipe"] });
    engine.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    await find("event 4 'Started'", (e) => e.id === 4 && e.fields["State"] === "Started");
  });
  afterAll(async () => {
    engine?.kill("SIGINT");
    if (engine) await new Promise((r) => engine.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts with event 16 naming the config and its hash, then event 4", () => {
    const [first, second] = events();
    expect(first?.id).toBe(16);
    expect(first?.fields["ConfigurationFileHash"]).toMatch(/^SHA256=[0-9a-f]{64}$/);
    expect(second?.id).toBe(4);
  });

  it("ProcessCreate and ProcessTerminate carry Sysmon's fields and one ProcessGuid", async () => {
    // The shell execs sleep in the same process: two ProcessCreate events for one pid.
    const child = spawnSync("/bin/sh", ["-c", "exec /bin/sleep 0.1"], { cwd: dir });
    const [create] = await find("event 1 for sleep", (e) => e.id === 1 && e.fields["ProcessId"] === String(child.pid) && e.fields["Image"] === "/usr/bin/sleep");
    const f = create!.fields;
    expect(f).toMatchObject({ Image: "/usr/bin/sleep", CommandLine: "/bin/sleep 0.1", CurrentDirectory: dir, User: "root", IntegrityLevel: "no level", FileVersion: "-", LogonId: "0" });
    expect(f["ProcessGuid"]).toMatch(/^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/);
    expect(f["UtcTime"]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    // The shell exec'd sleep in its own process, so the parent is this test's node process.
    expect(f["ParentProcessId"]).toBe(String(process.pid));
    expect(f["ParentImage"]).toBe(realpathSync(process.execPath));
    const [terminate] = await find("event 5 for sleep", (e) => e.id === 5 && e.fields["ProcessGuid"] === f["ProcessGuid"]);
    expect(terminate!.fields["Image"]).toBe("/usr/bin/sleep");
  });

  it("trims fields to FieldSizes after deciding", async () => {
    const long = `trim-me-${"x".repeat(200)}`;
    const child = spawnSync("/bin/echo", [long], { stdio: "ignore" });
    const [create] = await find("event 1 for the long command line", (e) => e.id === 1 && e.fields["ProcessId"] === String(child.pid));
    expect(create!.fields["CommandLine"]).toBe(`/bin/echo ${long}`.slice(0, 57) + "...");
  });

  it("NetworkConnect for both ends of a TCP connection", async () => {
    const { pid, output } = runPython<{ server: number; client: number }>(TCP_LOOPBACK_SCRIPT, { cwd: dir });
    const [outbound] = await find("the outbound connect", (e) => e.id === 3 && e.fields["ProcessId"] === String(pid) && e.fields["Initiated"] === "true");
    expect(outbound!.fields).toMatchObject({ Protocol: "tcp", SourceIp: "127.0.0.1", SourcePort: String(output.client), DestinationIp: "127.0.0.1", DestinationPort: String(output.server), SourceIsIpv6: "false" });
    const [inbound] = await find("the accepted connection", (e) => e.id === 3 && e.fields["ProcessId"] === String(pid) && e.fields["Initiated"] === "false");
    expect(inbound!.fields).toMatchObject({ SourcePort: String(output.client), DestinationPort: String(output.server) });
  });

  it("FileCreate and FileDelete with absolute paths, hostile names as well-formed XML", async () => {
    const hostile = "we<ird> \"quoted\" & 'new\nline'.txt";
    const { pid } = runPython(`import os, sys\nopen(sys.argv[1], "w").close()\nos.unlink(sys.argv[1])`, { cwd: dir, args: [hostile] });
    const [created] = await find("event 11", (e) => e.id === 11 && e.fields["ProcessId"] === String(pid));
    expect(created!.fields["TargetFilename"]).toBe(path.join(dir, hostile));
    expect(XMLValidator.validate(created!.line)).toBe(true);
    expect(created!.line).not.toContain("\n");
    const [deleted] = await find("event 23", (e) => e.id === 23 && e.fields["ProcessId"] === String(pid));
    expect(deleted!.fields["TargetFilename"]).toBe(path.join(dir, hostile));
  });

  it("FileCreateTime when touch sets a file's modification time back to 2001", async () => {
    const before = Date.now();
    const touch = spawnSync("touch", ["-d", "2001-01-01 00:00:00 UTC", "stomped.txt"], { cwd: dir });
    expect(touch.status).toBe(0);
    const [stomped] = await find("event 2", (e) => e.id === 2 && e.fields["ProcessId"] === String(touch.pid));
    expect(stomped!.fields).toMatchObject({ TargetFilename: path.join(dir, "stomped.txt"), CreationUtcTime: "2001-01-01 00:00:00.000", Image: "/usr/bin/touch", User: "root" });
    // touch created the file a moment before: that is the time it replaced
    const previous = Date.parse(`${stomped!.fields["PreviousCreationUtcTime"]!.replace(" ", "T")}Z`);
    expect(previous).toBeGreaterThanOrEqual(before - 1000);
    expect(previous).toBeLessThanOrEqual(Date.now());
    const [created] = await find("touch's event 1", (e) => e.id === 1 && e.fields["ProcessId"] === String(touch.pid));
    expect(stomped!.fields["ProcessGuid"]).toBe(created!.fields["ProcessGuid"]);
  });

  it("ProcessAccess for ptrace attach and process_vm_readv", async () => {
    const { pid, output } = runPython<{ target: number }>(PROCESS_ACCESS_SCRIPT, { cwd: dir });
    const [access] = await find("event 10", (e) => e.id === 10 && e.fields["SourceProcessId"] === String(pid));
    expect(access!.fields).toMatchObject({ TargetProcessId: String(output.target), GrantedAccess: "0x0", CallTrace: "-" });
  });

  it("RawAccessRead for a read of a block device", async () => {
    writeFileSync(path.join(dir, "disk.img"), Buffer.alloc(1024 * 1024));
    const device = execFileSync("losetup", ["--find", "--show", path.join(dir, "disk.img")], { encoding: "utf8" }).trim();
    try {
      const reader = spawnSync("dd", [`if=${device}`, "of=/dev/null", "bs=512", "count=1"]);
      const [read] = await find("event 9", (e) => e.id === 9 && e.fields["ProcessId"] === String(reader.pid));
      expect(read!.fields["Device"]).toBe(device);
      expect(read!.fields["Image"]).toBe("/usr/bin/dd");
    } finally {
      execFileSync("losetup", ["--detach", device]);
    }
  });

  it("DnsQuery with the name, status and results, attributed to the querying process", async () => {
    const { pid } = runPython(DNS_EXCHANGE_SCRIPT, { cwd: dir });
    const [query] = await find("event 22", (e) => e.id === 22 && e.fields["ProcessId"] === String(pid));
    expect(query!.fields).toMatchObject({ QueryName: "example.com", QueryStatus: "9501" });
  });

  it("DnsQuery for queries over TCP port 53, one event per query", async () => {
    const { pid } = runPython(DNS_TCP_EXCHANGE_SCRIPT, { cwd: dir });
    const queries = await find("two events 22 over TCP", (e) => e.id === 22 && e.fields["ProcessId"] === String(pid));
    expect(queries.map((q) => [q.fields["QueryName"], q.fields["QueryStatus"], q.fields["QueryResults"]])).toEqual([
      ["tcp-one.example", "0", "::ffff:127.0.0.53;"],
      ["tcp-two.example", "0", "::ffff:127.0.0.53;"],
    ]);
  });

  it("ProcessTampering for an exec of a memfd and of a deleted file", async () => {
    const { output } = runPython<{ memfd: number; deleted: number; deletedPath: string }>(FILELESS_EXEC_SCRIPT, { cwd: dir, args: [dir] });
    const [memfd] = await find("event 25 for the memfd exec", (e) => e.id === 25 && e.fields["ProcessId"] === String(output.memfd));
    expect(memfd!.fields).toMatchObject({ Type: "Image is replaced", Image: "/memfd:sysmonts-payload", User: "root" });
    const [deleted] = await find("event 25 for the deleted-file exec", (e) => e.id === 25 && e.fields["ProcessId"] === String(output.deleted));
    expect(deleted!.fields).toMatchObject({ Type: "Image is replaced", Image: output.deletedPath });
    // the create event of the same process carries the same ProcessGuid
    const [create] = await find("event 1 of the memfd exec", (e) => e.id === 1 && e.fields["ProcessId"] === String(output.memfd));
    expect(create!.fields["ProcessGuid"]).toBe(memfd!.fields["ProcessGuid"]);
    // an ordinary exec is not tampering
    expect(events().filter((e) => e.id === 25 && e.fields["Image"] === "/usr/bin/python3.11")).toEqual([]);
  });

  it("ImageLoad for a library mapped executable, with its hash and the rule's name", async () => {
    const library = path.join(dir, "libprobe.so");
    copyFileSync("/usr/lib/x86_64-linux-gnu/libz.so.1", library);
    const { pid } = runPython("import ctypes, sys; ctypes.CDLL(sys.argv[1])", { cwd: dir, args: [library] });
    const [load] = await find("event 7", (e) => e.id === 7 && e.fields["ProcessId"] === String(pid));
    // Sysmon for Linux writes hashes in lowercase hex (spec/events.md, Hashes)
    const sha256 = createHash("sha256").update(readFileSync(library)).digest("hex");
    expect(load!.fields).toMatchObject({ RuleName: "probe-library", ImageLoaded: library, User: "root" });
    expect(load!.fields["Hashes"]).toBe(`SHA256=${sha256}`);
    // only the included library: the loader's other mappings of the same process are not logged
    expect(events().filter((e) => e.id === 7 && e.fields["ProcessId"] === String(pid))).toHaveLength(1);
  });

  it("eBPFEvent for a program load", async () => {
    const { pid, output } = runPython<{ fd: number }>(BPF_LOAD_SCRIPT, { cwd: dir });
    const [load] = await find("event 100", (e) => e.id === 100 && e.fields["ProcessId"] === String(pid));
    expect(load!.fields).toMatchObject({ BpfCommand: "BPF_PROG_LOAD", BpfProgramType: "SOCKET_FILTER", BpfProgramId: String(output.fd), BpfProgramName: "sysmonts_probe" });
  });

  it("every line it printed is one well-formed XML event", () => {
    const lines = stdout.split("\n").filter((l) => l !== "");
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(XMLValidator.validate(line)).toBe(true);
  });
});
