import { readFileSync } from "node:fs";
import path from "node:path";
import { ALL_EVENTS, eventDef, eventFromFields, eventToFields, eventsForRuleName, findEvent, formatUtcTime } from "./index";

interface SpecEvent {
  id: number;
  ruleName: string | null;
  ruleDefault: string | null;
  version: number;
  fields: { name: string; inType: string }[];
}

const specPath = path.resolve(__dirname, "../../../../shared/spec/events.json");

describe("event catalogue", () => {
  it("agrees with every event of the manifest in spec/events.json, fields in order", () => {
    const spec = JSON.parse(readFileSync(specPath, "utf8")) as SpecEvent[];
    const inTypes: Record<string, string> = {
      "win:UnicodeString": "string", "win:GUID": "guid", "win:UInt32": "uint32", "win:UInt16": "uint16",
      "win:UInt64": "uint64", "win:HexInt32": "hex32", "win:HexInt64": "hex64", "win:Boolean": "bool",
    };
    expect(spec.length).toBeGreaterThan(25);
    for (const s of spec) {
      const def = eventDef(s.id);
      expect(def.ruleName).toBe(s.ruleName);
      expect(def.ruleDefault).toBe(s.ruleDefault);
      expect(def.version).toBe(s.version);
      expect(def.fields.map((f) => [f.name, f.type])).toEqual(s.fields.map((f) => [f.name, inTypes[f.inType]]));
    }
  });

  it("holds the Windows-only 27-29 and Linux 100 beside the manifest's events", () => {
    expect(ALL_EVENTS.map((e) => e.id)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 100, 255,
    ]);
    expect(eventDef(28).fields.map((f) => f.name)).toContain("IsExecutable");
    expect(eventDef(100).target).toBe("linux");
    expect(findEvent(42)).toBeUndefined();
  });

  it("groups registry, pipe and WMI events under one rule element", () => {
    expect(eventsForRuleName("RegistryEvent").map((e) => e.id)).toEqual([12, 13, 14]);
    expect(eventsForRuleName("pipeevent").map((e) => e.id)).toEqual([17, 18]);
    expect(eventsForRuleName("WmiEvent").map((e) => e.id)).toEqual([19, 20, 21]);
  });

  it("builds events with '-' for empty fields and names matched case-insensitively", () => {
    const e = eventFromFields(1, { image: "/bin/true", CommandLine: "", ProcessId: 42 });
    const named = eventToFields(e);
    expect(named["Image"]).toBe("/bin/true");
    expect(named["CommandLine"]).toBe("-");
    expect(named["ProcessId"]).toBe("42");
    expect(Object.keys(named)[0]).toBe("RuleName");
  });

  it("formats UtcTime with truncated milliseconds", () => {
    expect(formatUtcTime(Date.UTC(2024, 0, 2, 3, 4, 5, 678) + 0.9)).toBe("2024-01-02 03:04:05.678");
    expect(formatUtcTime(Date.UTC(1999, 11, 31, 23, 59, 59, 999))).toBe("1999-12-31 23:59:59.999");
  });
});
