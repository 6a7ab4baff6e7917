/**
 * What the MSI's custom actions (and an administrator) run: place the configuration, install or
 * remove the driver. Each is idempotent, so repair, upgrade and a second uninstall are harmless.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { getRawAsset, isSea } from "node:sea";
import { SysmonTsError } from "../../base";
import { loadConfigFile } from "../../config";
import { type DriverInstallResult, type DriverRemoveResult, installDriverService, removeDriverService, removeProductRegistry } from "./driver-service";
import { type WindowsLayout, windowsLayout } from "./layout";
import { win32 } from "./win32-api";

/** The layout of the running executable's installation. */
export function installedLayout(): WindowsLayout {
  return windowsLayout({ installDir: path.dirname(process.execPath), programData: win32().programDataDir() });
}

/**
 * Validates `source` as a Sysmon configuration (a bad one fails the install with its
 * file:line:col) and copies it to ProgramData\SysmonTs\config.xml, which the service loads.
 */
export function installWindowsConfig(source: string, layout: WindowsLayout = installedLayout()): { target: string; hash: string } {
  const trimmed = source.trim();
  if (trimmed === "") throw new SysmonTsError("SYSMONTS_E_USAGE", "config install needs the path of a configuration file");
  const loaded = loadConfigFile(trimmed, { platform: "windows" });
  mkdirSync(layout.dataDir, { recursive: true });
  const partial = `${layout.configFile}.${process.pid}.tmp`;
  copyFileSync(trimmed, partial);
  rmSync(layout.configFile, { force: true });
  copyFileSync(partial, layout.configFile);
  rmSync(partial, { force: true });
  return { target: layout.configFile, hash: loaded.hash };
}

/** The driver file: the MSI's copy beside the exe, else the one embedded in the exe. */
function driverFile(layout: WindowsLayout): string {
  if (existsSync(layout.driverFile)) return layout.driverFile;
  if (!isSea()) throw new SysmonTsError("SYSMONTS_E_NOT_INSTALLED", `no driver at ${layout.driverFile} and this is not the single executable that embeds it`);
  const target = path.win32.join(process.env["SystemRoot"] ?? "C:\\Windows", "System32", "drivers", "sysmonts.sys");
  writeFileSync(target, Buffer.from(getRawAsset("sysmonts.sys")));
  return target;
}

export function installWindowsDriver(layout: WindowsLayout = installedLayout()): DriverInstallResult & { sysFile: string } {
  const sysFile = driverFile(layout);
  return { ...installDriverService(layout, { sysFile }), sysFile };
}

/** Removes the driver service; with `purge`, also ProgramData\SysmonTs and the product's keys. */
export function removeWindowsDriver(options: { purge: boolean }, layout: WindowsLayout = installedLayout()): DriverRemoveResult {
  const result = removeDriverService(layout);
  if (options.purge) {
    removeProductRegistry(layout);
    rmSync(layout.dataDir, { recursive: true, force: true });
  }
  return result;
}
