import { escapeForEventLog, expandEnvironmentVariables, nativeToDosPath, registryDisplayPath } from "./windows-paths";

describe("environment expansion in rule values (config.md §7.3)", () => {
  const env = { SystemRoot: "C:\\Windows", APPDATA: "C:\\Users\\ann\\AppData\\Roaming" };
  test("expands names case-insensitively", () => {
    expect(expandEnvironmentVariables("%SystemRoot%\\notepad.exe", env)).toBe("C:\\Windows\\notepad.exe");
    expect(expandEnvironmentVariables("%appdata%\\file.log", env)).toBe("C:\\Users\\ann\\AppData\\Roaming\\file.log");
  });
  test("leaves unknown names and lone percent signs as written", () => {
    expect(expandEnvironmentVariables("%NoSuchVar%\\x", env)).toBe("%NoSuchVar%\\x");
    expect(expandEnvironmentVariables("100% sure", env)).toBe("100% sure");
    expect(expandEnvironmentVariables("no variables", env)).toBe("no variables");
  });
});

describe("native paths", () => {
  const options = { devices: { "C:": "\\Device\\HarddiskVolume3", "D:": "\\Device\\HarddiskVolume10" }, systemRoot: "C:\\Windows" };
  test("convert to DOS form", () => {
    expect(nativeToDosPath("\\??\\C:\\x\\y.exe", options)).toBe("C:\\x\\y.exe");
    expect(nativeToDosPath("\\??\\UNC\\srv\\share\\x", options)).toBe("\\\\srv\\share\\x");
    expect(nativeToDosPath("\\SystemRoot\\System32\\drivers\\x.sys", options)).toBe("C:\\Windows\\System32\\drivers\\x.sys");
    expect(nativeToDosPath("\\Device\\HarddiskVolume3\\Windows\\notepad.exe", options)).toBe("C:\\Windows\\notepad.exe");
    expect(nativeToDosPath("\\Device\\HarddiskVolume10\\a", options)).toBe("D:\\a");
  });
  test("a volume prefix must end at a separator, and unknown devices are kept", () => {
    expect(nativeToDosPath("\\Device\\HarddiskVolume30\\a", options)).toBe("\\Device\\HarddiskVolume30\\a");
    expect(nativeToDosPath("\\Device\\Mup\\srv\\x", options)).toBe("\\Device\\Mup\\srv\\x");
  });
  test("registry paths get Sysmon's hive names", () => {
    expect(registryDisplayPath("\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\x")).toBe("HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\x");
    expect(registryDisplayPath("\\REGISTRY\\USER\\S-1-5-21-1\\Software\\x")).toBe("HKU\\S-1-5-21-1\\Software\\x");
    expect(registryDisplayPath("\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Hardware Profiles\\Current\\x")).toBe("HKCC\\x");
    expect(registryDisplayPath("\\REGISTRY\\A\\x")).toBe("\\REGISTRY\\A\\x");
  });
  test("event-log escaping doubles percent signs", () => {
    expect(escapeForEventLog("cmd /c echo %PATH%")).toBe("cmd /c echo %%PATH%%");
  });
});
