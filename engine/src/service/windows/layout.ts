/**
 * Where SysmonTs lives on Windows: the MSI installs under Program Files (installer/wix), the
 * service keeps its state under ProgramData, and the driver is a file-system minifilter service
 * (spec/cli-and-output.md §3.1, §10: config storage under the driver's Parameters key).
 */
import path from "node:path";

export interface WindowsLayout {
  readonly serviceName: string;
  readonly driverName: string;
  /** Where the MSI put SysmonTs.exe, sysmonts.sys and the default config. */
  readonly installDir: string;
  readonly defaultConfigFile: string;
  readonly driverFile: string;
  /** Service state: the active config, settings, the event store. */
  readonly dataDir: string;
  readonly configFile: string;
  readonly settingsFile: string;
  readonly storeFile: string;
  readonly logFile: string;
  readonly controlPipe: string;
  /** HKLM-relative keys. */
  readonly driverServiceKey: string;
  readonly driverParametersKey: string;
  readonly productKey: string;
  /** Minifilter altitude: FSFilter Activity Monitor range, beside Sysmon's 385201. */
  readonly altitude: string;
}

/**
 * The layout for an install directory (the running exe's) and the machine's ProgramData folder,
 * which callers get from SHGetKnownFolderPath: the environment variable differs between a service
 * and a custom action under Wine, and can be changed by anyone on Windows.
 */
export function windowsLayout(options: { installDir: string; programData: string }): WindowsLayout {
  const join = path.win32.join;
  const dataDir = join(options.programData, "SysmonTs");
  const driverName = "SysmonTsDrv";
  return {
    serviceName: "SysmonTs",
    driverName,
    installDir: options.installDir,
    defaultConfigFile: join(options.installDir, "sysmonts-default.xml"),
    driverFile: join(options.installDir, "sysmonts.sys"),
    dataDir,
    configFile: join(dataDir, "config.xml"),
    settingsFile: join(dataDir, "settings.json"),
    storeFile: join(dataDir, "events.db"),
    logFile: join(dataDir, "service.log"),
    controlPipe: "\\\\.\\pipe\\SysmonTs",
    driverServiceKey: `SYSTEM\\CurrentControlSet\\Services\\${driverName}`,
    driverParametersKey: `SYSTEM\\CurrentControlSet\\Services\\${driverName}\\Parameters`,
    productKey: "SOFTWARE\\SysmonTs",
    altitude: "385211",
  };
}
