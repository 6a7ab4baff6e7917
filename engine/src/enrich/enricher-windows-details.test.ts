import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eventToFields, type SysmonEvent } from "../schema";
import { createWindowsDetails, type RawRecord, type WindowsDetails } from "../sensor";
import { createEnricher, type Enricher } from "./index";

// The Windows details resolver is the real one: version strings are read from a real PE (a Wine
// program) here on Linux; signatures, account names and tokens need Windows, so off Windows they
// answer "Unavailable" / nothing, which is also what this checks the enricher copes with. Their
// Windows answers are checked under Wine by test/windows/enrichment-wine.test.ts.
const WINE_PE = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/dism.exe";
const MACHINE = 0x924935dc;
const T0 = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
const NO_UID = 4294967295;

describe("enricher with Windows details", () => {
  let dir: string;
  let image: string;
  let details: WindowsDetails;
  let enricher: Enricher;
  let events: SysmonEvent[];
  const emit = (e: SysmonEvent): void => {
    events.push(e);
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "enricher-windows"));
    image = path.join(dir, "dism.exe");
    copyFileSync(WINE_PE, image);
    writeFileSync(path.join(dir, "passwd"), "");
    details = createWindowsDetails();
    enricher = createEnricher({
      hashAlgorithms: [], machineId: MACHINE, procRoot: path.join(dir, "noproc"), selfPid: 999_999, passwdPath: path.join(dir, "passwd"),
      utmpPath: path.join(dir, "utmp"), windowsDetails: details,
    });
    events = [];
  });
  afterEach(() => {
    enricher.close();
    details.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function windowsExec(pid: number, extra: Partial<Extract<RawRecord, { kind: "exec" }>> = {}): RawRecord {
    return {
      kind: "exec", timeMs: T0 + 1, actor: { pid: 4, tid: 8, uid: NO_UID }, process: { pid, startTimeMs: T0, processKey: 0x1234n },
      parentPid: 4, image, argv: [], commandLine: `"${image}" /online`, argvTruncated: false, cwd: "C:\\Windows\\system32\\", sessionId: 0,
      ttyIndex: -1, loginUid: NO_UID, userSid: "S-1-5-18", integrityLevel: "System", logonId: 0x3e7n, ...extra,
    };
  }

  it("fills event 1's version strings, Windows user, LogonId, LogonGuid and IntegrityLevel", () => {
    enricher.enrich(windowsExec(500), emit);
    expect(events.map((e) => e.id)).toEqual([1]);
    expect(eventToFields(events[0]!)).toMatchObject({
      FileVersion: "10.0.18362.900",
      Description: "Wine dism",
      Product: "Wine",
      Company: "Microsoft Corporation",
      OriginalFileName: "dism.exe",
      // LookupAccountSidW is not there off Windows: the well-known name is the fallback.
      User: "NT AUTHORITY\\SYSTEM",
      LogonId: "0x3e7",
      // No LSA here either: logon time 0, the LUID in Data4 (spec/cli-and-output.md §7.2).
      LogonGuid: "{924935dc-0000-0000-e703-000000000000}",
      IntegrityLevel: "System",
      TerminalSessionId: "0",
    });
    expect(details.stats()).toMatchObject({ versionReads: 1 });
  });

  it("fills event 7's version and signature fields, reading the image once for both loads", () => {
    enricher.enrich(windowsExec(500), emit);
    const load: RawRecord = { kind: "image-load", timeMs: T0 + 10, actor: { pid: 500, tid: 501, uid: NO_UID }, path: image };
    enricher.enrich(load, emit);
    enricher.enrich({ ...load, timeMs: T0 + 20 }, emit);
    expect(events.map((e) => e.id)).toEqual([1, 7, 7]);
    expect(eventToFields(events[1]!)).toMatchObject({
      ImageLoaded: image, OriginalFileName: "dism.exe", Description: "Wine dism", User: "NT AUTHORITY\\SYSTEM",
      // Off Windows WinVerifyTrust is unavailable, and the fields say so as Sysmon would for an unreadable file.
      Signed: "false", Signature: "-", SignatureStatus: "Unavailable",
    });
    expect(details.stats()).toMatchObject({ images: 1, versionReads: 1, signatureChecks: 1 });
  });

  it("fills event 6's signature fields for a driver with a path", () => {
    enricher.enrich({ kind: "module-load", timeMs: T0, actor: { pid: 4, tid: 8, uid: NO_UID }, name: "dism.exe", path: image }, emit);
    expect(eventToFields(events[0]!)).toMatchObject({ ImageLoaded: image, Signed: "false", Signature: "-", SignatureStatus: "Unavailable" });
  });

  it("an image that is not a PE keeps '-' in every version field", () => {
    const script = path.join(dir, "run.cmd");
    writeFileSync(script, "@echo off\r\n");
    enricher.enrich(windowsExec(600, { image: script }), emit);
    expect(eventToFields(events[0]!)).toMatchObject({ FileVersion: "-", Description: "-", Product: "-", Company: "-", OriginalFileName: "-" });
    expect(details.stats()).toMatchObject({ versionErrors: 1 });
  });
});
