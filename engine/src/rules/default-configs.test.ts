// The shipped default configurations (engine/config/): they load cleanly on their platform and
// log what their comments promise.
import path from "node:path";
import { loadConfigFile } from "../config";
import { eventFromFields } from "../schema";
import { canInclude, decide } from "./index";

const dir = path.resolve(__dirname, "../../config");

describe("engine/config/default-linux.xml", () => {
  const config = loadConfigFile(path.join(dir, "default-linux.xml"), { platform: "linux" });
  const decideFor = (id: number, fields: Record<string, string>) => decide(config.rules, eventFromFields(id, fields));

  it("loads with no warnings", () => {
    expect(config.warnings).toEqual([]);
  });

  it("switches on only the sensors Linux has", () => {
    expect([1, 3, 5, 9, 10, 11, 23, 100].filter((id) => canInclude(config.rules, id))).toEqual([1, 3, 5, 9, 10, 11, 23, 100]);
    expect([2, 6, 7, 8, 12, 22, 24, 25, 26].filter((id) => canInclude(config.rules, id))).toEqual([]);
  });

  it("logs process starts but not shell-prompt helpers", () => {
    expect(decideFor(1, { Image: "/usr/bin/curl" }).include).toBe(true);
    expect(decideFor(1, { Image: "/usr/bin/tput" }).include).toBe(false);
  });

  it("logs outbound connections, not loopback", () => {
    expect(decideFor(3, { DestinationIp: "93.184.216.34" }).include).toBe(true);
    expect(decideFor(3, { DestinationIp: "127.0.0.53" }).include).toBe(false);
  });

  it("logs file creation in persistence locations with the technique as RuleName, nothing elsewhere", () => {
    expect(decideFor(11, { TargetFilename: "/etc/systemd/system/evil.service" })).toEqual({ include: true, ruleName: "technique_id=T1543.002,technique_name=Systemd Service" });
    expect(decideFor(11, { TargetFilename: "/home/ann/.ssh/authorized_keys" }).include).toBe(true);
    expect(decideFor(11, { TargetFilename: "/home/ann/notes.txt" }).include).toBe(false);
    expect(decideFor(23, { TargetFilename: "/var/log/auth.log" }).include).toBe(true);
    expect(decideFor(23, { TargetFilename: "/tmp/x" }).include).toBe(false);
  });
});

describe("engine/config/default-windows.xml", () => {
  const config = loadConfigFile(path.join(dir, "default-windows.xml"), { platform: "windows" });
  const decideFor = (id: number, fields: Record<string, string>) => decide(config.rules, eventFromFields(id, fields));

  it("loads with no warnings", () => {
    expect(config.warnings).toEqual([]);
    expect(config.options.hashAlgorithms).toEqual(["SHA256", "IMPHASH"]);
  });

  it("decides typical events", () => {
    expect(decideFor(1, { Image: "C:\\Windows\\System32\\conhost.exe" }).include).toBe(false);
    expect(decideFor(1, { Image: "C:\\Windows\\System32\\whoami.exe" }).include).toBe(true);
    expect(decideFor(3, { Image: "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe" })).toEqual({ include: true, ruleName: "technique_id=T1059.001,technique_name=PowerShell" });
    expect(decideFor(10, { TargetImage: "C:\\Windows\\system32\\lsass.exe" }).include).toBe(true);
    expect(decideFor(13, { TargetObject: "HKU\\S-1-5-21\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\x", Details: "c:\\x.exe" }).include).toBe(true);
    expect(decideFor(14, { TargetObject: "HKLM\\System\\CurrentControlSet\\Services\\x" }).include).toBe(true);
    expect(decideFor(22, { QueryName: "ctldl.windowsupdate.com" }).include).toBe(false);
    expect(decideFor(22, { QueryName: "example.org" }).include).toBe(true);
  });
});
