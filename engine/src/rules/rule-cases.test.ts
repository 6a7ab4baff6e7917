// The 191 decision cases of spec/rule-cases.json (SysmonCommon UnitTests/rules.cpp
// ruleMatches[], config.md §13.1), each compiled and decided for real.
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadConfig, loadConfigFile } from "../config";
import type { LoadedConfig } from "../config";
import { ALL_EVENTS, eventFromFields } from "../schema";
import { decide } from "./index";

interface RuleCase {
  group: string;
  case: string;
  config: string;
  event: string;
  fields: Record<string, string>;
  expected: "include" | "exclude";
  ruleName: string;
}

const shared = path.resolve(__dirname, "../../../../shared");
const cases = JSON.parse(readFileSync(path.join(shared, "spec/rule-cases.json"), "utf8")) as RuleCase[];
const loaded = new Map<string, LoadedConfig>();

function configFor(source: string): LoadedConfig {
  let config = loaded.get(source);
  if (!config) {
    // A few cases name a SysmonCommon fixture file instead of inline XML.
    const file = /^\(file (.+)\)$/.exec(source)?.[1];
    config = file
      ? loadConfigFile(path.join(shared, file), { platform: "windows" })
      : loadConfig(source, { file: "case.xml", platform: "windows" });
    loaded.set(source, config);
  }
  return config;
}

function eventIdOf(symbol: string): number {
  const def = ALL_EVENTS.find((e) => e.symbol === symbol);
  if (!def) throw new Error(`no event with symbol ${symbol}`);
  return def.id;
}

describe("spec/rule-cases.json", () => {
  it("holds the 191 upstream cases", () => {
    expect(cases).toHaveLength(191);
  });

  describe.each([...new Set(cases.map((c) => c.group))])("%s", (group) => {
    it.each(cases.filter((c) => c.group === group).map((c) => [c.case, c] as const))("%s", (_name, c) => {
      const config = configFor(c.config);
      const decision = decide(config.rules, eventFromFields(eventIdOf(c.event), c.fields));
      expect(decision).toEqual({ include: c.expected === "include", ruleName: c.ruleName });
    });
  });
});
