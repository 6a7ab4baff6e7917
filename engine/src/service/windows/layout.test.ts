import { minifilterRegistryValues } from "./driver-service";
import { windowsLayout } from "./layout";
import { activeConfigFile, windowsDefaultSettings } from "./service-main";

describe("Windows install layout", () => {
  const layout = windowsLayout({ installDir: "C:\\Program Files\\SysmonTs", programData: "D:\\Data" });

  it("keeps binaries under the install dir and state under ProgramData", () => {
    expect(layout.driverFile).toBe("C:\\Program Files\\SysmonTs\\sysmonts.sys");
    expect(layout.defaultConfigFile).toBe("C:\\Program Files\\SysmonTs\\sysmonts-default.xml");
    expect(layout.configFile).toBe("D:\\Data\\SysmonTs\\config.xml");
    expect(layout.driverParametersKey).toBe("SYSTEM\\CurrentControlSet\\Services\\SysmonTsDrv\\Parameters");
  });

  it("registers the minifilter instance at our altitude in the activity-monitor range", () => {
    const values = minifilterRegistryValues(layout);
    expect(values["SYSTEM\\CurrentControlSet\\Services\\SysmonTsDrv\\Instances"]).toEqual({ DefaultInstance: "SysmonTsDrv Instance" });
    const altitude = Number(values["SYSTEM\\CurrentControlSet\\Services\\SysmonTsDrv\\Instances\\SysmonTsDrv Instance"]?.["Altitude"]);
    expect(altitude).toBeGreaterThanOrEqual(360000);
    expect(altitude).toBeLessThanOrEqual(389999);
    expect(altitude).not.toBe(385201); // Sysmon's own
  });

  it("loads the installed config, else the MSI default, else the built-in one", () => {
    expect(activeConfigFile(layout, () => true)).toBe(layout.configFile);
    expect(activeConfigFile(layout, (f) => f === layout.defaultConfigFile)).toBe(layout.defaultConfigFile);
    expect(activeConfigFile(layout, () => false)).toBeNull();
  });

  it("serves the control channel on the named pipe and stores events under ProgramData", () => {
    const settings = windowsDefaultSettings(layout);
    expect(settings.control.endpoint).toBe("\\\\.\\pipe\\SysmonTs");
    expect(settings.store.path).toBe("D:\\Data\\SysmonTs\\events.db");
  });
});
