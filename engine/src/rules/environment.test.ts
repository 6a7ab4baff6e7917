// Environment variables in Windows rule values (config.md §7.3), decided end to end.
import { loadConfig } from "../config";
import { eventFromFields } from "../schema";
import { decide } from "./index";

describe("environment variables in rule values", () => {
  const xml = '<Sysmon schemaversion="4.90"><EventFiltering><RuleGroup groupRelation="or"><ProcessCreate onmatch="include"><Image condition="is">%SystemRoot%\\notepad.exe</Image><CommandLine condition="contains">%AppData%\\file.log</CommandLine></ProcessCreate></RuleGroup></EventFiltering></Sysmon>';

  it("matches the expanded value on Windows, in any case, and keeps the written value for the dump", () => {
    const config = loadConfig(xml, { file: "e.xml", platform: "windows", environment: { SystemRoot: "C:\\Windows", AppData: "C:\\Users\\ann\\AppData\\Roaming" } });
    expect(decide(config.rules, eventFromFields(1, { Image: "C:\\WINDOWS\\NOTEPAD.EXE" })).include).toBe(true);
    expect(decide(config.rules, eventFromFields(1, { CommandLine: "type C:\\Users\\ann\\AppData\\Roaming\\file.log" })).include).toBe(true);
    expect(decide(config.rules, eventFromFields(1, { CommandLine: "/something:else" })).include).toBe(false);
    const first = config.rules.entries[0]?.items[0];
    expect(first?.kind === "filter" ? first.value : "").toBe("%SystemRoot%\\notepad.exe");
  });

  it("does not expand on Linux", () => {
    const config = loadConfig(xml, { file: "e.xml", platform: "linux", environment: { SystemRoot: "C:\\Windows" } });
    expect(decide(config.rules, eventFromFields(1, { Image: "C:\\Windows\\notepad.exe" })).include).toBe(false);
    expect(decide(config.rules, eventFromFields(1, { Image: "%SystemRoot%\\notepad.exe" })).include).toBe(true);
  });
});
