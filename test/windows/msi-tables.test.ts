/**
 * The MSI's tables as msitools reads them: what SCCM/Intune and Windows Installer will act on.
 * Builds through scripts/package.mjs (cached across the Windows tests of one run).
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { type WindowsBuild, buildDir, ensureWindowsBuild, packageVersion } from "./harness";

type Row = Record<string, string>;

function table(msi: string, name: string): Row[] {
  const text = execFileSync("msiinfo", ["export", msi, name], { encoding: "utf8" });
  const [header, _types, _key, ...rows] = text.split(/\r?\n/).filter((l) => l !== "");
  const columns = (header ?? "").split("\t");
  return rows.map((r) => Object.fromEntries(r.split("\t").map((v, i) => [columns[i] ?? `c${i}`, v])));
}

describe("SysmonTs MSI", () => {
  let build: WindowsBuild;
  beforeAll(() => {
    build = ensureWindowsBuild();
  }, 600_000);

  it("installs the exe, the driver, the default config and the event-log DLL and manifest under ProgramFiles64Folder\\SysmonTs", () => {
    const files = table(build.msi, "File").map((r) => r["FileName"]);
    expect(files.sort()).toEqual(["SysmonTs.Events.dll", "SysmonTs.exe", "SysmonTs.man", "sysmonts-default.xml", "sysmonts.sys"]);
    const directories = table(build.msi, "Directory");
    const installDir = directories.find((d) => d["Directory"] === "INSTALLDIR");
    expect(installDir).toMatchObject({ Directory_Parent: "ProgramFiles64Folder", DefaultDir: "SysmonTs" });
    // 256 = msidbComponentAttributes64bit: files land in the 64-bit Program Files.
    for (const component of table(build.msi, "Component")) expect(Number(component["Attributes"]) & 256).toBe(256);
  });

  it("registers an auto-start LocalSystem service running `SysmonTs.exe service`, started on install and removed on uninstall", () => {
    const [service] = table(build.msi, "ServiceInstall");
    expect(service).toMatchObject({ Name: "SysmonTs", ServiceType: "16", StartType: "2", Arguments: "service", StartName: "LocalSystem", Component_: "cmpExe" });
    const [control] = table(build.msi, "ServiceControl");
    // 1 start on install | 2 stop on install | 32 stop on uninstall | 128 delete on uninstall = 163
    expect(control).toMatchObject({ Name: "SysmonTs", Event: "163", Wait: "1" });
  });

  it("runs its custom actions deferred as LocalSystem from the installed exe, in explicit order", () => {
    const actions = Object.fromEntries(table(build.msi, "CustomAction").map((r) => [r["Action"], r]));
    // 3090 = 18 (exe from File) | 1024 deferred | 2048 no impersonation; 3154 adds 64 (ignore exit code).
    expect(actions["caDriverInstall"]).toMatchObject({ Type: "3090", Source: "filExe", Target: "driver install" });
    expect(actions["caConfigInstall"]).toMatchObject({ Type: "3090", Source: "filExe", Target: 'config install "[CONFIGFILE]"' });
    expect(actions["caDriverRemove"]).toMatchObject({ Type: "3154", Source: "filExe", Target: "driver remove --purge" });
    const sequence = Object.fromEntries(table(build.msi, "InstallExecuteSequence").map((r) => [r["Action"], r]));
    const at = (action: string) => Number(sequence[action]?.["Sequence"]);
    expect(at("caDriverRemove")).toBeGreaterThan(at("StopServices"));
    expect(at("caDriverRemove")).toBeLessThan(at("DeleteServices"));
    expect(sequence["caDriverRemove"]?.["Condition"]).toBe('REMOVE="ALL" AND NOT UPGRADINGPRODUCTCODE');
    expect(at("caConfigInstall")).toBeGreaterThan(at("InstallFiles"));
    expect(at("caDriverInstall")).toBeGreaterThan(at("caConfigInstall"));
    expect(at("caDriverInstall")).toBeLessThan(at("StartServices"));
    expect(sequence["caConfigInstall"]?.["Condition"]).toBe('CONFIGFILE AND NOT REMOVE="ALL"');
  });

  it("registers the event-log manifest with System32's wevtutil at install and unregisters it at uninstall", () => {
    const actions = Object.fromEntries(table(build.msi, "CustomAction").map((r) => [r["Action"], r]));
    // 51 sets a property; 3122 = 50 (exe named by a property) | 1024 deferred | 2048 no impersonation; 3186 adds 64.
    expect(actions["caFindWevtutil"]).toMatchObject({ Source: "WEVTUTIL", Target: "[System64Folder]wevtutil.exe" });
    expect(Number(actions["caFindWevtutil"]?.["Type"]) & 63).toBe(51);
    expect(actions["caEventLogInstall"]).toMatchObject({ Type: "3122", Source: "WEVTUTIL", Target: 'im "[#filManifest]" /rf:"[#filEventsDll]" /mf:"[#filEventsDll]"' });
    expect(actions["caEventLogUninstall"]).toMatchObject({ Type: "3186", Source: "WEVTUTIL", Target: 'um "[#filManifest]"' });
    const files = Object.fromEntries(table(build.msi, "File").map((r) => [r["File"], r["FileName"]]));
    expect([files["filManifest"], files["filEventsDll"]]).toEqual(["SysmonTs.man", "SysmonTs.Events.dll"]);
    const sequence = Object.fromEntries(table(build.msi, "InstallExecuteSequence").map((r) => [r["Action"], r]));
    const at = (action: string) => Number(sequence[action]?.["Sequence"]);
    expect(at("caFindWevtutil")).toBeGreaterThan(at("CostFinalize"));
    expect(at("caEventLogInstall")).toBeGreaterThan(at("InstallFiles"));
    expect(at("caEventLogInstall")).toBeLessThan(at("StartServices"));
    expect(at("caEventLogUninstall")).toBeGreaterThan(at("StopServices"));
    expect(at("caEventLogUninstall")).toBeLessThan(at("RemoveFiles"));
    expect(sequence["caEventLogInstall"]?.["Condition"]).toBe('NOT REMOVE="ALL"');
    expect(sequence["caEventLogUninstall"]?.["Condition"]).toBe('REMOVE="ALL"');
    // No WINEVT rows: wevtutil alone owns the registration (installer/wix/SysmonTs.wxs says why).
    expect(table(build.msi, "Registry").filter((r) => /WINEVT/i.test(r["Key"] ?? ""))).toEqual([]);
  });

  it("upgrades in place: a fixed UpgradeCode, the package version, downgrades refused", () => {
    const properties = Object.fromEntries(table(build.msi, "Property").map((r) => [r["Property"], r["Value"]]));
    expect(properties["ProductVersion"]).toBe(packageVersion);
    expect(properties["UpgradeCode"]).toBe("{3F1C9B2E-6D4A-4E8B-9C27-5A1D0E7B4F63}");
    expect(properties["ProductName"]).toBe("SysmonTs");
    const upgrade = table(build.msi, "Upgrade");
    expect(upgrade.map((u) => u["ActionProperty"]).sort()).toEqual(["WIX_DOWNGRADE_DETECTED", "WIX_UPGRADE_DETECTED"]);
    expect(upgrade.every((u) => u["UpgradeCode"] === properties["UpgradeCode"])).toBe(true);
    const second = Object.fromEntries(table(build.upgradeMsi, "Property").map((r) => [r["Property"], r["Value"]]));
    expect(second["ProductVersion"]).toBe(build.upgradeVersion);
    expect(second["UpgradeCode"]).toBe(properties["UpgradeCode"]);
    expect(second["ProductCode"]).not.toBe(properties["ProductCode"]);
  });

  it("is Authenticode-signed, as are the exe and the driver inside it", () => {
    const certificate = process.env["SYSMONTS_SIGN_CERT"] ?? path.join(buildDir, ".package/sign/throwaway.crt");
    for (const file of [build.msi, build.exe, build.driver]) {
      expect(execFileSync("osslsigncode", ["verify", "-CAfile", certificate, "-in", file], { encoding: "utf8" })).toMatch(/Signature verification: ok/);
    }
  });
});
