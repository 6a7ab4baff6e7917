/**
 * The MSI under Wine, as SCCM would run it: install with CONFIGFILE=, the service RUNNING through
 * the SCM, the driver loaded by winedevice with each registration's NTSTATUS recorded, a second
 * `SysmonTs.exe status` process talking JSON-RPC to the service over \\.\pipe\SysmonTs, a major
 * upgrade, and an uninstall that leaves nothing behind.
 *
 * What Wine cannot show (README "Windows"): real ETW events, driver callbacks firing (Wine's
 * registration routines are stubs), signature enforcement. The exe is built on Node 22 because
 * Wine 8 cannot run Node >= 24 (harness.ts).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadConfigFile } from "../../engine/src/config";
import { EVENTLOG_RESOURCE_DLL } from "../../engine/src/output/windows-eventlog/manifest";
import { type WindowsBuild, WinePrefix, ensureWindowsBuild, packageVersion, winePath } from "./harness";

const SERVICE_RUNNING = 4;
const STATUS_SUCCESS = "0x0";
// Wine's ntoskrnl has no CmRegisterCallbackEx; the driver resolves it at run time and records
// STATUS_PROCEDURE_NOT_FOUND instead of failing to load.
const STATUS_PROCEDURE_NOT_FOUND = "0xc000007a";

const TEST_CONFIG = `<Sysmon schemaversion="4.90">
  <HashAlgorithms>MD5,SHA256</HashAlgorithms>
  <EventFiltering>
    <RuleGroup name="smoke" groupRelation="or">
      <ProcessCreate onmatch="include"><Image condition="end with">\\cmd.exe</Image></ProcessCreate>
      <NetworkConnect onmatch="exclude"/>
    </RuleGroup>
  </EventFiltering>
</Sysmon>
`;

/** msiexec writes its log in UTF-16LE with a BOM, or in the ANSI code page. */
function readLog(file: string): string {
  const bytes = readFileSync(file);
  return bytes[0] === 0xff && bytes[1] === 0xfe ? bytes.subarray(2).toString("utf16le") : bytes.toString("latin1");
}

describe("SysmonTs MSI under Wine", () => {
  let build: WindowsBuild;
  let wine: WinePrefix;
  let configFile: string;
  let expectedHash: string;
  const driverKey = "HKLM\\SYSTEM\\CurrentControlSet\\Services\\SysmonTsDrv";
  const installDir = () => path.join(wine.driveC, "Program Files", "SysmonTs");
  const dataDir = () => path.join(wine.driveC, "ProgramData", "SysmonTs");

  beforeAll(() => {
    build = ensureWindowsBuild();
    wine = WinePrefix.create();
    configFile = wine.scratchFile("smoke-config.xml").unix;
    writeFileSync(configFile, TEST_CONFIG);
    expectedHash = loadConfigFile(configFile, { platform: "windows" }).hash;
  }, 900_000);

  afterAll(() => wine?.close(), 120_000);

  function msiexec(args: string[], logName: string): { code: number | null; log: string } {
    const log = wine.scratchFile(logName);
    const result = wine.run(["msiexec", ...args, "/qn", "/l*v", log.windows], { timeoutMs: 240_000 });
    return { code: result.code, log: existsSync(log.unix) ? readLog(log.unix) : "" };
  }

  function status(): { config: { file: string; hash: string }; platform: string; version: string } {
    // A second console process (its output goes to a file: node.exe under Wine cannot write to a pipe).
    const result = wine.run([build.exe, "status", "--json"], { timeoutMs: 60_000 });
    const text = result.output;
    if (result.code !== 0) throw new Error(`status exited ${result.code}: ${text}`);
    return JSON.parse(text.slice(text.indexOf("{"))) as ReturnType<typeof status>;
  }

  it("installs silently with CONFIGFILE= (exit 0)", () => {
    const result = msiexec(["/i", winePath(build.msi), `CONFIGFILE=${winePath(configFile)}`], "install.log");
    expect(result.log).toMatch(/Action ended [\d:]+: INSTALL\. Return value 1\./);
    expect(result.code).toBe(0);
    expect(readdirSync(installDir()).sort()).toEqual(["SysmonTs.Events.dll", "SysmonTs.exe", "SysmonTs.man", "sysmonts-default.xml", "sysmonts.sys"]);
    expect(readFileSync(path.join(dataDir(), "config.xml"), "utf8")).toBe(TEST_CONFIG);
  }, 300_000);

  it("runs `wevtutil im` with the installed manifest, whose resource and message files are the installed DLL", () => {
    // Wine's wevtutil is a stub that exits 0 and registers nothing, so this shows the action ran and
    // succeeded, not that the Event Log knows the channel (confirm-on-windows.ps1 checks that).
    expect(readLog(wine.scratchFile("install.log").unix)).toMatch(/caEventLogInstall\. Return value 1\./);
    const manifest = readFileSync(path.join(installDir(), "SysmonTs.man"), "utf8");
    const programFiles = path.join(wine.driveC, "Program Files");
    for (const attribute of ["resourceFileName", "messageFileName"]) {
      const value = new RegExp(`${attribute}="([^"]+)"`).exec(manifest)?.[1] ?? "";
      expect(value.replace(/^%ProgramFiles%/i, programFiles).replace(/\\/g, "/")).toBe(path.join(installDir(), EVENTLOG_RESOURCE_DLL));
    }
  });

  it("runs the service and the minifilter driver", () => {
    expect(wine.serviceState("SysmonTs")).toBe(SERVICE_RUNNING);
    expect(wine.serviceState("SysmonTsDrv")).toBe(SERVICE_RUNNING);
    expect(wine.regValue("HKLM\\SYSTEM\\CurrentControlSet\\Services\\SysmonTs", "ImagePath")).toMatch(/SysmonTs\\SysmonTs\.exe"? service$/i);
    expect(wine.regValue(driverKey, "Group")).toBe("FSFilter Activity Monitor");
    expect(wine.regValue(`${driverKey}\\Instances\\SysmonTsDrv Instance`, "Altitude")).toBe("385211");
  });

  it("ran DriverEntry: device, ring and every registration recorded under Results", () => {
    const result = (name: string) => wine.regValue(`${driverKey}\\Results`, name);
    expect(result("DriverEntry")).toBe(STATUS_SUCCESS);
    expect(result("RingInitialize")).toBe(STATUS_SUCCESS);
    expect(result("IoCreateDevice")).toBe(STATUS_SUCCESS);
    expect(result("IoCreateSymbolicLink")).toBe(STATUS_SUCCESS);
    expect(result("PsSetCreateProcessNotifyRoutineEx")).toBe(STATUS_SUCCESS);
    expect(result("PsSetCreateThreadNotifyRoutine")).toBe(STATUS_SUCCESS);
    expect(result("PsSetLoadImageNotifyRoutine")).toBe(STATUS_SUCCESS);
    expect(result("ObRegisterCallbacks")).toBe(STATUS_SUCCESS);
    expect(result("FltRegisterFilter")).toBe(STATUS_SUCCESS);
    expect(result("FltStartFiltering")).toBe(STATUS_SUCCESS);
    expect(result("CmRegisterCallbackEx")).toBe(STATUS_PROCEDURE_NOT_FOUND);
    // process | thread | image | object | minifilter, without registry.
    expect(result("Callbacks")).toBe("0x37");
  });

  it("answers `status` over \\\\.\\pipe\\SysmonTs with the installed config's hash", () => {
    const answer = status();
    expect(answer.platform).toBe("windows");
    expect(answer.version).toBe(packageVersion);
    expect(answer.config.hash).toBe(expectedHash);
    expect(answer.config.file).toMatch(/ProgramData\\SysmonTs\\config\.xml$/i);
    expect(wine.regValue(`${driverKey}\\Parameters`, "ConfigHash")).toBe(expectedHash);
  }, 120_000);

  it("upgrades to a newer build in place with the same command line", () => {
    // Given CONFIGFILE again, as an SCCM deployment of the new version is. Keeping the config
    // without it relies on UPGRADINGPRODUCTCODE being set while the old product is removed, which
    // Wine's RemoveExistingProducts does not do (it runs `msiexec /i {old} REMOVE=ALL`): only
    // Windows can show that (README "Windows").
    const result = msiexec(["/i", winePath(build.upgradeMsi), `CONFIGFILE=${winePath(configFile)}`], "upgrade.log");
    expect(result.code).toBe(0);
    expect(result.log).toMatch(/WIX_UPGRADE_DETECTED = \{/);
    expect(result.log).toMatch(/RemoveExistingProducts\. Return value 1/);
    expect(wine.regValue("HKLM\\SOFTWARE\\SysmonTs", "Version")).toBe(build.upgradeVersion);
    expect(wine.serviceState("SysmonTs")).toBe(SERVICE_RUNNING);
    expect(wine.serviceState("SysmonTsDrv")).toBe(SERVICE_RUNNING);
    expect(status().config.hash).toBe(expectedHash);
  }, 300_000);

  it("uninstalls without leaving files, services or registry keys", () => {
    const result = msiexec(["/x", winePath(build.upgradeMsi)], "uninstall.log");
    expect(result.code).toBe(0);
    expect(result.log).toMatch(/caEventLogUninstall\. Return value 1\./);
    expect(wine.serviceState("SysmonTs")).toBeNull();
    expect(wine.serviceState("SysmonTsDrv")).toBeNull();
    expect(existsSync(installDir())).toBe(false);
    expect(existsSync(dataDir())).toBe(false);
    expect(wine.run(["reg", "query", "HKLM\\SOFTWARE\\SysmonTs"]).code).not.toBe(0);
    expect(wine.run(["reg", "query", driverKey]).code).not.toBe(0);
  }, 300_000);
});
