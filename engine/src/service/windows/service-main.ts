/**
 * `SysmonTs.exe service`: the installed engine as a Windows service. Config and settings come from
 * ProgramData\SysmonTs (the MSI's CONFIGFILE lands there through `config install`), falling back to
 * the default config the MSI put beside the exe; the control channel is \\.\pipe\SysmonTs.
 */
import { appendFileSync, existsSync, mkdirSync } from "node:fs";
import { asSysmonTsError } from "../../base";
import { ClipboardSensor, CompositeSensor, DriverClient, EtwSensor, type Sensor, createProtectedDirectory, createWindowsDetails } from "../../sensor";
import { Archiver, archiveDirectoryPath } from "../../enrich";
import { ClipboardAgentLauncher, ClipboardAgentSwitch } from "./clipboard-agents";
import { writeFileAtomic } from "../linux/install";
import { runEngine } from "../run";
import { DEFAULT_SETTINGS, type EngineSettings, loadSettingsFile } from "../settings";
import { installedLayout } from "./install";
import type { WindowsLayout } from "./layout";
import { runAsWindowsService } from "./scm-host";
import { win32 } from "./win32-api";

/** The settings an installed Windows engine runs with when settings.json does not say otherwise. */
export function windowsDefaultSettings(layout: WindowsLayout): EngineSettings {
  return { ...DEFAULT_SETTINGS, store: { ...DEFAULT_SETTINGS.store, path: layout.storeFile }, control: { endpoint: layout.controlPipe } };
}

/** The config the service loads: the installed one, else the MSI's default, else the built-in. */
export function activeConfigFile(layout: WindowsLayout, exists: (file: string) => boolean = existsSync): string | null {
  if (exists(layout.configFile)) return layout.configFile;
  if (exists(layout.defaultConfigFile)) return layout.defaultConfigFile;
  return null;
}

function serviceLog(layout: WindowsLayout): (level: "info" | "warn" | "error", message: string) => void {
  // Service start-up and shutdown lines only, never per event: a synchronous append is fine here.
  return (level, message) => {
    try {
      appendFileSync(layout.logFile, `${new Date().toISOString()} [${process.pid}] ${level}: ${message}\n`);
    } catch {
      // The log is a convenience; a full disk must not stop the monitor.
    }
  };
}

export async function windowsServiceMain(args: readonly string[]): Promise<number> {
  const layout = installedLayout();
  mkdirSync(layout.dataDir, { recursive: true });
  const log = serviceLog(layout);
  log("info", `starting ${process.execPath} service ${args.join(" ")}`.trim());
  return runAsWindowsService(layout.serviceName, {
    log,
    start: async () => {
      const settings = existsSync(layout.settingsFile) ? loadSettingsFile(layout.settingsFile, windowsDefaultSettings(layout)) : windowsDefaultSettings(layout);
      const configPath = activeConfigFile(layout);
      const windowsDetails = createWindowsDetails({ log: (message) => log("warn", message) });
      // Sensors are opened before the config is known to the service; the clipboard reader waits
      // idle until the config asks for CaptureClipboard, and follows every later config change.
      const clipboard = new ClipboardSensor({ log });
      const agents = new ClipboardAgentSwitch(() => new ClipboardAgentLauncher({ exe: process.execPath, sensor: clipboard, log }));
      const archiver = new Archiver({
        archiveDirectory: "\\Sysmon\\",
        hashAlgorithms: ["SHA1"],
        folderFor: (name) => archiveDirectoryPath(name, process.env["SystemDrive"] ?? "C:"),
        prepareDirectory: createProtectedDirectory,
        log: (message) => log("warn", message),
      });
      const running = await runEngine({
        platform: "windows",
        configPath,
        settings,
        persistConfig: (xml) => writeFileAtomic(layout.configFile, xml),
        openSensor: (enabledEvents) => new CompositeSensor([openWindowsSensor(enabledEvents, log), clipboard]),
        windowsDetails,
        archiver,
        onConfigApplied: (config) => agents.set(config.options.captureClipboard),
        log,
      });
      recordActiveConfig(layout, { file: configPath ?? "Defaults", hash: running.engine.loadedConfig.hash }, log);
      log("info", `engine running with ${configPath ?? "the built-in default config"} (hash ${running.engine.loadedConfig.hash})`);
      agents.set(running.engine.loadedConfig.options.captureClipboard);
      void running.stopped.then(() => {
        agents.close();
        windowsDetails.close();
      });
      return { stop: () => running.stop(), stopped: running.stopped };
    },
  });
}

/**
 * The driver client and the ETW sessions as one sensor. Without the driver (not installed, not
 * loaded, refused START) the service runs on ETW alone, whose Kernel-Process fallback then covers
 * events 1, 5 and 7, and says so in its log.
 */
export function openWindowsSensor(enabledEvents: ReadonlySet<number>, log: (level: "info" | "warn", message: string) => void): Sensor {
  let driver: DriverClient | undefined;
  try {
    // The service always has the archive stage: deletions are held for it whenever 23 can be included.
    driver = DriverClient.open({ enabledEvents, archiveDeletes: true, log });
    log("info", "reading records from the SysmonTs driver");
  } catch (error) {
    log("warn", `${asSysmonTsError(error).message}; running on ETW alone, with its Kernel-Process fallback for events 1, 5 and 7`);
  }
  const etw = new EtwSensor({ driverPresent: driver !== undefined });
  try {
    etw.setEnabledEvents(enabledEvents);
  } catch (error) {
    log("warn", `ETW sessions could not start: ${asSysmonTsError(error).message}`);
  }
  return driver ? new CompositeSensor([driver, etw]) : etw;
}

/** ConfigFile and ConfigHash under the driver's Parameters key, where Sysmon keeps them (§10). */
function recordActiveConfig(layout: WindowsLayout, config: { file: string; hash: string }, log: (level: "warn", message: string) => void): void {
  const rc = win32().setRegistryValues(layout.driverParametersKey, { ConfigFile: config.file, ConfigHash: config.hash });
  if (rc !== 0) log("warn", `could not record the config under HKLM\\${layout.driverParametersKey}: Win32 error ${rc}`);
}
