// The records the Windows driver client and ETW sessions produce (sensor/records.ts), enriched
// into the Sysmon events of spec/events.md §3 with the field values of §4.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eventToFields, type SysmonEvent } from "../schema";
import type { RawRecord } from "../sensor";
import { otrfEvents } from "../../../test/support/corpora";
import { createEnricher, type Enricher } from "./index";

const MACHINE = 0x924935dc;
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0, 123);
const NO_UID = 4294967295;
const windowsActor = (pid: number, tid = 0) => ({ pid, tid, uid: NO_UID });

describe("enricher, Windows records", () => {
  let dir: string;
  let file: string;
  let enricher: Enricher;
  let events: SysmonEvent[];
  const emit = (e: SysmonEvent): void => {
    events.push(e);
  };
  const fields = (i: number) => eventToFields(events[i] as SysmonEvent);

  function windowsExec(pid: number, parentPid: number, image: string, sid: string): RawRecord {
    return {
      kind: "exec", timeMs: T0, actor: windowsActor(pid), process: { pid, startTimeMs: T0 - 500, processKey: 0x1000n + BigInt(pid) },
      parentPid, image, argv: [], argvTruncated: false, cwd: "", sessionId: 1, ttyIndex: -1, loginUid: NO_UID,
      commandLine: `"${image}" /c echo 100%%`, userSid: sid, integrityLevel: "High", logonId: 0x1_0000_03e7n,
    };
  }

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "enricher-win"));
    file = path.join(dir, "payload.exe");
    writeFileSync(file, "MZ not really a program\n");
    enricher = createEnricher({ hashAlgorithms: ["SHA256"], machineId: MACHINE, procRoot: path.join(dir, "noproc"), selfPid: 999_999, passwdPath: path.join(dir, "passwd"), utmpPath: path.join(dir, "utmp") });
    events = [];
    enricher.enrich(windowsExec(500, 4, "C:\\Windows\\System32\\services.exe", "S-1-5-18"), emit);
    enricher.enrich(windowsExec(600, 500, "C:\\Tools\\agent.exe", "S-1-5-21-1-2-3-1001"), emit);
    events = [];
  });
  afterEach(() => {
    enricher.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const sha256 = () => `SHA256=${createHash("sha256").update("MZ not really a program\n").digest("hex")}`;

  it("ProcessCreate takes CommandLine, User, LogonId, LogonGuid and IntegrityLevel from the driver", () => {
    enricher.enrich(windowsExec(700, 600, "C:\\Windows\\System32\\cmd.exe", "S-1-5-20"), emit);
    expect(fields(0)).toMatchObject({
      ProcessId: "700", Image: "C:\\Windows\\System32\\cmd.exe", CommandLine: "\"C:\\Windows\\System32\\cmd.exe\" /c echo 100%%",
      User: "NT AUTHORITY\\NETWORK SERVICE", LogonId: "0x1000003e7", IntegrityLevel: "High", TerminalSessionId: "1",
      // Bytes 8-15 are the LUID (cli-and-output.md §7.2): low half e7 03 00 00, high half 01 00 00 00.
      LogonGuid: "{924935dc-0000-0000-e703-000001000000}",
      ParentProcessId: "600", ParentImage: "C:\\Tools\\agent.exe", ParentUser: "S-1-5-21-1-2-3-1001",
    });
  });

  it("ProcessTerminate takes User from the cached process", () => {
    enricher.enrich({ kind: "exit", timeMs: T0 + 10, actor: windowsActor(500), process: { pid: 500, startTimeMs: 0, processKey: 0n }, exitCode: 0 }, emit);
    expect(fields(0)).toMatchObject({ ProcessId: "500", Image: "C:\\Windows\\System32\\services.exe", User: "NT AUTHORITY\\SYSTEM" });
  });

  it("CreateRemoteThread (8) names both processes and prints StartAddress as 0x + 16 hex digits", () => {
    enricher.enrich({ kind: "remote-thread", timeMs: T0 + 1, actor: windowsActor(600, 604), targetPid: 500, newThreadId: 9001, startAddress: 0x7ff6_1234_abcdn }, emit);
    expect(events[0]?.id).toBe(8);
    expect(fields(0)).toMatchObject({
      SourceProcessId: "600", SourceImage: "C:\\Tools\\agent.exe", TargetProcessId: "500", TargetImage: "C:\\Windows\\System32\\services.exe",
      NewThreadId: "9001", StartAddress: "0x00007FF61234ABCD", StartModule: "-", StartFunction: "-",
      SourceUser: "S-1-5-21-1-2-3-1001", TargetUser: "NT AUTHORITY\\SYSTEM",
    });
    expect(fields(0)["SourceProcessGuid"]).not.toBe("{00000000-0000-0000-0000-000000000000}");
  });

  it("CreateRemoteThread (8) prints the StartModule and StartFunction the driver client resolved", () => {
    enricher.enrich({
      kind: "remote-thread", timeMs: T0 + 1, actor: windowsActor(600, 604), targetPid: 500, newThreadId: 9002, startAddress: 0x7ffb_5f3e_3e8an,
      startModule: "C:\\Windows\\System32\\KERNEL32.DLL", startFunction: "LoadLibraryW",
    }, emit);
    expect(fields(0)).toMatchObject({ StartModule: "C:\\Windows\\System32\\KERNEL32.DLL", StartFunction: "LoadLibraryW" });
  });

  it("RawAccessRead (9) keeps the native volume name and takes User from the reader's token", () => {
    enricher.enrich({ kind: "raw-access", timeMs: T0 + 4, actor: windowsActor(600, 604), device: "\\Device\\HarddiskVolume2" }, emit);
    expect(events[0]?.id).toBe(9);
    expect(fields(0)).toMatchObject({ ProcessId: "600", Image: "C:\\Tools\\agent.exe", Device: "\\Device\\HarddiskVolume2", User: "S-1-5-21-1-2-3-1001" });
  });

  it("ProcessTampering (25) names the tampered process, its Type and its token user", () => {
    enricher.enrich({ kind: "tampering", timeMs: T0 + 5, actor: windowsActor(600), process: { pid: 600, startTimeMs: T0 - 500, processKey: 0x1000n + 600n }, type: "Image is locked for access" }, emit);
    enricher.enrich({ kind: "tampering", timeMs: T0 + 5, actor: windowsActor(4321), process: { pid: 4321, startTimeMs: T0, processKey: 7n }, type: "Image is replaced" }, emit);
    expect(events.map((e) => e.id)).toEqual([25, 25]);
    expect(fields(0)).toMatchObject({ ProcessId: "600", Image: "C:\\Tools\\agent.exe", Type: "Image is locked for access", User: "S-1-5-21-1-2-3-1001" });
    // A process the cache never saw: Sysmon prints <unknown process> (OTRF corpus, event 25).
    expect(fields(1)).toMatchObject({ ProcessId: "4321", Image: "<unknown process>", Type: "Image is replaced", User: "-" });
  });

  it("RegistryEvent: SetValue is 13 with Details, RenameKey 14 with NewName, the rest 12", () => {
    const base = { kind: "registry", timeMs: T0 + 2, actor: windowsActor(600) } as const;
    enricher.enrich({ ...base, eventType: "SetValue", targetObject: "HKLM\\SOFTWARE\\X\\Level", details: "DWORD (0x00000064)" }, emit);
    enricher.enrich({ ...base, eventType: "RenameKey", targetObject: "HKU\\S-1\\Old", details: "New" }, emit);
    enricher.enrich({ ...base, eventType: "DeleteValue", targetObject: "HKLM\\SOFTWARE\\X\\Gone", details: "" }, emit);
    expect(events.map((e) => e.id)).toEqual([13, 14, 12]);
    expect(fields(0)).toMatchObject({ EventType: "SetValue", Image: "C:\\Tools\\agent.exe", TargetObject: "HKLM\\SOFTWARE\\X\\Level", Details: "DWORD (0x00000064)", User: "S-1-5-21-1-2-3-1001" });
    expect(fields(1)).toMatchObject({ EventType: "RenameKey", TargetObject: "HKU\\S-1\\Old", NewName: "New" });
    expect(fields(2)).toMatchObject({ EventType: "DeleteValue", TargetObject: "HKLM\\SOFTWARE\\X\\Gone", ProcessId: "600" });
  });

  it("FileCreateStreamHash (15) hashes the stream and keeps its creation time", () => {
    enricher.enrich({ kind: "file-stream", timeMs: T0 + 3, actor: windowsActor(600), path: file, creationTimeMs: T0 - 60_000 }, emit);
    expect(events[0]?.id).toBe(15);
    expect(fields(0)).toMatchObject({ TargetFilename: file, CreationUtcTime: "2026-11-21 09:59:00.123", Hash: sha256(), Contents: "-", Image: "C:\\Tools\\agent.exe" });
  });

  it("PipeEvent: CreatePipe is 17, ConnectPipe 18", () => {
    enricher.enrich({ kind: "pipe", timeMs: T0 + 4, actor: windowsActor(600), created: true, pipeName: "\\mojo.600.1" }, emit);
    enricher.enrich({ kind: "pipe", timeMs: T0 + 5, actor: windowsActor(500), created: false, pipeName: "\\lsass" }, emit);
    expect(events.map((e) => e.id)).toEqual([17, 18]);
    expect(fields(0)).toMatchObject({ EventType: "CreatePipe", PipeName: "\\mojo.600.1", Image: "C:\\Tools\\agent.exe" });
    expect(fields(1)).toMatchObject({ EventType: "ConnectPipe", PipeName: "\\lsass", User: "NT AUTHORITY\\SYSTEM" });
  });

  it("FileBlockExecutable (27) and FileBlockShredding (28) carry the target and its hashes", () => {
    const answer = () => undefined;
    enricher.enrich({ kind: "file-block", timeMs: T0 + 6, actor: windowsActor(600), operation: "executable", path: file, answer }, emit);
    enricher.enrich({ kind: "file-block", timeMs: T0 + 7, actor: windowsActor(600), operation: "shredding", path: file, answer }, emit);
    expect(events.map((e) => e.id)).toEqual([27, 28]);
    expect(fields(0)).toMatchObject({ TargetFilename: file, Hashes: sha256(), Image: "C:\\Tools\\agent.exe", User: "S-1-5-21-1-2-3-1001" });
    expect(fields(1)).toMatchObject({ TargetFilename: file, Hashes: sha256(), IsExecutable: "-" });
  });

  it("a Windows delete gives FileDelete (23, not archived) and FileDeleteDetected (26) with IsExecutable", () => {
    enricher.enrich({ kind: "file-delete", timeMs: T0 + 8, actor: windowsActor(600), path: "C:\\Temp\\x.exe", executable: true }, emit);
    expect(events.map((e) => e.id)).toEqual([23, 26]);
    expect(fields(0)).toMatchObject({ TargetFilename: "C:\\Temp\\x.exe", IsExecutable: "true", Archived: "false", Image: "C:\\Tools\\agent.exe" });
    expect(fields(1)).toMatchObject({ TargetFilename: "C:\\Temp\\x.exe", IsExecutable: "true", User: "S-1-5-21-1-2-3-1001" });
  });

  it("FileCreate takes CreationUtcTime from the driver; DriverLoad its Signed flag", () => {
    enricher.enrich({ kind: "file-create", timeMs: T0 + 9, actor: windowsActor(600), path: "C:\\new.txt", creationTimeMs: T0 - 1000 }, emit);
    enricher.enrich({ kind: "module-load", timeMs: T0 + 10, actor: windowsActor(4), name: "payload.exe", path: file, signed: false }, emit);
    expect(fields(0)).toMatchObject({ TargetFilename: "C:\\new.txt", CreationUtcTime: "2026-11-21 09:59:59.123", User: "S-1-5-21-1-2-3-1001" });
    expect(fields(1)).toMatchObject({ ImageLoaded: file, Signed: "false", Hashes: sha256() });
  });

  it("ProcessAccess (10) shows CallTrace and both users", () => {
    enricher.enrich({ kind: "process-access", timeMs: T0 + 11, actor: windowsActor(600, 604), targetPid: 500, operation: "handle-create", grantedAccess: 0x1410, callTrace: "UNKNOWN(00007FFB5F3E3E8A)" }, emit);
    expect(fields(0)).toMatchObject({ GrantedAccess: "0x1410", CallTrace: "UNKNOWN(00007FFB5F3E3E8A)", SourceUser: "S-1-5-21-1-2-3-1001", TargetUser: "NT AUTHORITY\\SYSTEM", TargetImage: "C:\\Windows\\System32\\services.exe" });
  });

  it("DnsQuery (22) from the DNS-Client provider takes Image and User from the cache", () => {
    enricher.enrich({ kind: "dns-query", timeMs: T0 + 12, actor: windowsActor(600), queryName: "example.org", queryType: 1, queryStatus: 0, queryResults: "::ffff:93.184.215.14;" }, emit);
    expect(events[0]?.id).toBe(22);
    expect(fields(0)).toMatchObject({ QueryName: "example.org", QueryStatus: "0", QueryResults: "::ffff:93.184.215.14;", Image: "C:\\Tools\\agent.exe", User: "S-1-5-21-1-2-3-1001" });
  });

  it("WMI subscription yields 19, 20 and 21 rendered as real Sysmon renders them", () => {
    // The subscription Covenant created in corpora/events-windows-otrf-open
    // (covenant_persistwmi): Sysmon recorded its 19 and 21 there, which ours must equal.
    const recorded = [19, 21].map((id) => otrfEvents().find((e) => e.id === id));
    const query = "select * from Win32_ProcessStartTrace where ProcessName='notepad.exe'";
    enricher.enrich({
      kind: "wmi-subscription", timeMs: T0, actor: windowsActor(1800), namespace: "//./root/subscription", eventNamespace: "root/cimv2",
      creatorSid: "S-1-5-18", filterName: "Evil Persistence", filterQuery: query, consumerType: "CommandLineEventConsumer",
      consumerName: "Evil Persistence", consumerDestination: "powershell -c \"iex 1\"", detail: "",
    }, emit);
    expect(events.map((e) => e.id)).toEqual([19, 20, 21]);
    const compared = ["EventType", "Operation", "EventNamespace", "Name", "Query", "Consumer", "Filter"];
    for (const [at, sysmon] of [[0, recorded[0]], [2, recorded[1]]] as const) {
      const ours = fields(at);
      const theirs = eventToFields(sysmon as SysmonEvent);
      for (const name of compared.filter((n) => n in theirs)) expect([name, ours[name]]).toEqual([name, theirs[name]]);
    }
    expect(fields(0)).toMatchObject({ UtcTime: "2026-11-21 10:00:00.123", User: "NT AUTHORITY\\SYSTEM" });
    expect(fields(1)).toMatchObject({
      EventType: "WmiConsumerEvent", Operation: "Created", Name: " \"Evil Persistence\"", Type: "Command Line",
      Destination: " \"powershell -c \\\"iex 1\\\"\"", User: "NT AUTHORITY\\SYSTEM",
    });
  });

  it("WMI subscription without a creator SID has User \"-\"", () => {
    enricher.enrich({
      kind: "wmi-subscription", timeMs: T0, actor: windowsActor(1800), namespace: "root\\subscription", eventNamespace: "root\\subscription",
      creatorSid: "", filterName: "f", filterQuery: "SELECT 1", consumerType: "LogFileEventConsumer", consumerName: "c", consumerDestination: "", detail: "",
    }, emit);
    expect(events.map((e) => fields(events.indexOf(e))["User"])).toEqual(["-", "-", "-"]);
    expect(fields(1)).toMatchObject({ Type: "LogFile", Destination: " \"\"" });
    expect(enricher.stats().unhandled).toBe(0);
  });
});
