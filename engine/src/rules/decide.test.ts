// config.md §13.10 derived cases Q1–Q18 and §13.2 IdHasIncludeRules, on Linux semantics
// (the schema-4.90 reference evaluator) unless a case says otherwise.
import { loadConfig } from "../config";
import type { Platform } from "../config";
import { eventFromFields } from "../schema";
import { canInclude, decide, idHasIncludeRules } from "./index";

function rulesOf(body: string, options: { schema?: string; platform?: Platform } = {}) {
  const xml = `<Sysmon schemaversion="${options.schema ?? "4.90"}"><EventFiltering>${body}</EventFiltering></Sysmon>`;
  return loadConfig(xml, { file: "q.xml", platform: options.platform ?? "linux" }).rules;
}

const Q: readonly [id: string, body: string, schema: string, eventId: number, fields: Record<string, string>, include: boolean, ruleName: string][] = [
  ["Q1", '<RuleGroup groupRelation="or"><ProcessCreate onmatch="exclude"><Image condition="is">a</Image></ProcessCreate></RuleGroup><RuleGroup groupRelation="or"><ProcessCreate onmatch="exclude"><Image condition="is">b</Image></ProcessCreate></RuleGroup>', "4.90", 1, { Image: "c" }, false, ""],
  ["Q2", '<RuleGroup groupRelation="or"><ProcessCreate onmatch="exclude"><Image condition="is">a</Image></ProcessCreate></RuleGroup>', "4.90", 1, { Image: "c" }, true, ""],
  ["Q3", '<ProcessCreate onmatch="include"><Image condition="contains any">foo;bar;</Image></ProcessCreate>', "4.90", 1, { Image: "zzz" }, true, ""],
  ["Q4", '<ProcessCreate onmatch="include"><Image condition="excludes any">foo;bar;</Image></ProcessCreate>', "4.90", 1, { Image: "zzz" }, false, ""],
  ["Q5", '<ProcessCreate onmatch="include"><CommandLine condition="contains any">x;;y</CommandLine></ProcessCreate>', "4.90", 1, { CommandLine: "q;y" }, true, ""],
  ["Q6", '<RuleGroup groupRelation="and"><ProcessCreate onmatch="exclude"><Image name="EXCL" condition="is">x</Image><CommandLine condition="is">nope</CommandLine></ProcessCreate></RuleGroup><RuleGroup groupRelation="or"><ProcessCreate onmatch="include"><Image condition="is">x</Image></ProcessCreate></RuleGroup>', "4.90", 1, { Image: "x", CommandLine: "y" }, true, "EXCL"],
  ["Q7", '<RuleGroup groupRelation="or"><RegistryEvent onmatch="include"><User condition="is">bob</User></RegistryEvent></RuleGroup>', "4.90", 12, { User: "bob" }, true, ""],
  ["Q8", '<RuleGroup groupRelation="or"><RegistryEvent onmatch="include"><User condition="is">bob</User></RegistryEvent></RuleGroup>', "4.90", 13, { User: "bob" }, false, ""],
  ["Q9", '<NetworkConnect onmatch="include"><DestinationPort condition="more than">1024</DestinationPort></NetworkConnect>', "4.90", 3, { DestinationPort: "443" }, true, ""],
  ["Q10", '<NetworkConnect onmatch="include"><DestinationPort condition="less than">1024</DestinationPort></NetworkConnect>', "4.90", 3, { DestinationPort: "80" }, false, ""],
  ["Q11", '<ProcessCreate onmatch="include"><Image condition="image">bash</Image></ProcessCreate>', "4.90", 1, { Image: "/usr/bin/bash" }, false, ""],
  ["Q12", '<ProcessCreate onmatch="include"><ParentCommandLine condition="is">-</ParentCommandLine></ProcessCreate>', "4.90", 1, {}, true, ""],
  ["Q13", '<ProcessCreate onmatch="include"><Image condition="end with">a</Image><User condition="is">root</User></ProcessCreate>', "4.90", 1, { Image: "/x/a", User: "bob" }, false, ""],
  ["Q14", '<ProcessCreate onmatch="include"><Image condition="end with">a</Image><User condition="is">root</User></ProcessCreate>', "4.10", 1, { Image: "/x/a", User: "bob" }, true, ""],
  ["Q15", '<ProcessCreate onmatch="include"><Rule groupRelation="and"><CommandLine condition="contains">a</CommandLine><CommandLine condition="contains">b</CommandLine></Rule></ProcessCreate>', "4.90", 1, { CommandLine: "a only" }, false, ""],
  ["Q16", '<ProcessCreate onmatch="include"><Rule><CommandLine condition="contains">a</CommandLine><User condition="is">root</User></Rule></ProcessCreate>', "4.90", 1, { CommandLine: "xyz", User: "root" }, true, ""],
  ["Q17", '<ProcessCreate onmatch="include"><Image condition="begin with"></Image></ProcessCreate>', "4.90", 1, { Image: "/bin/ls" }, true, ""],
  ["Q18", '<ProcessCreate onmatch="include"/><ProcessCreate onmatch="include"><Image name="N" condition="is">x</Image></ProcessCreate>', "4.90", 1, { Image: "x" }, true, "N"],
];

describe("decide: config.md §13.10 derived cases", () => {
  it.each(Q)("%s", (_id, body, schema, eventId, fields, include, ruleName) => {
    expect(decide(rulesOf(body, { schema }), eventFromFields(eventId, fields))).toEqual({ include, ruleName });
  });
});

describe("decide: events without a configuration entry", () => {
  const rules = rulesOf('<ProcessCreate onmatch="include"><Image condition="is">x</Image></ProcessCreate>');

  it("uses the manifest default: ProcessTerminate logged, NetworkConnect not", () => {
    expect(decide(rules, eventFromFields(5, {})).include).toBe(true);
    expect(decide(rules, eventFromFields(3, {})).include).toBe(false);
  });

  it("always logs events that have no rule element (4, 16, 255)", () => {
    expect(decide(rules, eventFromFields(4, {})).include).toBe(true);
    expect(decide(rules, eventFromFields(16, {})).include).toBe(true);
    expect(decide(rules, eventFromFields(255, {})).include).toBe(true);
  });

  it("reads each event's own values, not a previous event's cached ones", () => {
    expect(decide(rules, eventFromFields(1, { Image: "x" })).include).toBe(true);
    expect(decide(rules, eventFromFields(1, { Image: "y" })).include).toBe(false);
  });
});

describe("case folding per platform (config.md §7.2)", () => {
  const body = '<ProcessCreate onmatch="include"><Image condition="is">ÉCOLE</Image></ProcessCreate>';
  it("Windows folds every letter", () => {
    expect(decide(rulesOf(body, { platform: "windows" }), eventFromFields(1, { Image: "école" })).include).toBe(true);
  });
  it("Linux folds ASCII letters only", () => {
    expect(decide(rulesOf(body, { platform: "linux" }), eventFromFields(1, { Image: "école" })).include).toBe(false);
    expect(decide(rulesOf(body, { platform: "linux" }), eventFromFields(1, { Image: "École" })).include).toBe(true);
  });
});

describe("IdHasIncludeRules and canInclude (config.md §13.2)", () => {
  it.each([
    ['<DriverLoad onmatch="include"><Signature condition="contains">Microsoft</Signature></DriverLoad>', 1, false],
    ['<DriverLoad onmatch="include"><Signature condition="contains">Microsoft</Signature></DriverLoad>', 9, false],
    ['<ProcessCreate onmatch="include"><Image condition="contains">iexplore.exe</Image></ProcessCreate>', 1, true],
    ['<RawAccessRead onmatch="exclude"/>', 9, true],
    ['<RawAccessRead onmatch="include"><Image condition="contains">System32</Image></RawAccessRead>', 9, true],
    ['<RawAccessRead onmatch="include"><Image condition="contains">System32</Image></RawAccessRead><RawAccessRead onmatch="exclude"><Image condition="contains">Config</Image></RawAccessRead>', 9, true],
    // The first filterless entry in evaluation order (exclude half first) decides.
    ['<RawAccessRead onmatch="include"/><RawAccessRead onmatch="exclude"><Image condition="contains">Config</Image></RawAccessRead>', 9, false],
    ['<RawAccessRead onmatch="include"/><RawAccessRead onmatch="exclude"/>', 9, true],
    ['<RawAccessRead onmatch="include"/>', 9, false],
  ] as const)("%s → event %i: %s", (body, eventId, expected) => {
    expect(idHasIncludeRules(rulesOf(body, { schema: "4.50" }), eventId)).toBe(expected);
  });

  it("canInclude falls back to the manifest default where the config says nothing", () => {
    const rules = rulesOf('<DriverLoad onmatch="include"><Signature condition="contains">Microsoft</Signature></DriverLoad>');
    expect(canInclude(rules, 1)).toBe(true); // ProcessCreate is logged by default
    expect(canInclude(rules, 9)).toBe(false); // RawAccessRead is not
    expect(canInclude(rules, 16)).toBe(true); // always logged
    expect(canInclude(rules, 6)).toBe(true);
    expect(canInclude(rulesOf('<ProcessCreate onmatch="include"/>'), 1)).toBe(false);
  });
});

describe("decide: per-field caches", () => {
  const body =
    '<RuleGroup groupRelation="or"><ProcessCreate onmatch="include"><CommandLine name="ENC" condition="contains">-encodedcommand</CommandLine><CommandLine name="RUN" condition="begin with">c:\\windows\\system32\\rundll32.exe</CommandLine></ProcessCreate></RuleGroup>';

  it("decides a repeated long value from the cache exactly as the first time", () => {
    const rules = rulesOf(body, { platform: "windows" });
    const value = "C:\\Windows\\System32\\rundll32.exe shell32.dll,Control_RunDLL -EncodedCommand abc";
    const first = decide(rules, eventFromFields(1, { CommandLine: value }));
    // A different string object with the same text, as the next event brings.
    const again = decide(rules, eventFromFields(1, { CommandLine: Buffer.from(value).toString() }));
    expect(first).toEqual({ include: true, ruleName: "ENC" });
    expect(again).toEqual(first);
  });

  it("reuses a long value's verdict whatever the event's other fields hold (§6.3, §9)", () => {
    // The compound rule comes first and needs both fields; its failing first filter still names
    // the decision (§9). The remembered CommandLine verdict must not skip it.
    const ordered =
      '<RuleGroup groupRelation="or"><ProcessCreate onmatch="include">' +
      '<Rule name="PAIR" groupRelation="and"><CommandLine name="CMD" condition="contains">-encodedcommand</CommandLine><Image condition="end with">\\powershell.exe</Image></Rule>' +
      '<CommandLine name="ENC" condition="contains">-encodedcommand</CommandLine>' +
      "</ProcessCreate></RuleGroup>";
    const rules = rulesOf(ordered, { platform: "windows" });
    const commandLine = "powershell.exe -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIAA=";
    const expected = [
      ["C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "PAIR"],
      ["C:\\Windows\\System32\\cmd.exe", "ENC"],
      ["C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\PowerShell.exe", "PAIR"],
    ] as const;
    for (let round = 0; round < 2; round++) {
      for (const [image, ruleName] of expected) {
        const decision = decide(rules, eventFromFields(1, { Image: image, CommandLine: Buffer.from(commandLine).toString() }));
        expect(decision).toEqual({ include: true, ruleName });
      }
    }
    const quiet = decide(rules, eventFromFields(1, { Image: expected[0][0], CommandLine: "powershell.exe -File C:\\scripts\\nightly-backup.ps1" }));
    expect(quiet).toEqual({ include: false, ruleName: "" });
  });

  it("stays bounded however many distinct long values pass", () => {
    const rules = rulesOf(body, { platform: "windows" });
    const caches = rules.plans.get(1)?.fieldCaches ?? [];
    for (let i = 0; i < 2000; i++) {
      const encoded = i % 3 === 0;
      const decision = decide(rules, eventFromFields(1, { CommandLine: `powershell.exe ${encoded ? "-encodedcommand" : "-file"} script-${i}.ps1` }));
      expect(decision).toEqual(encoded ? { include: true, ruleName: "ENC" } : { include: false, ruleName: "" });
    }
    const sizes = caches.flatMap((cache) => (cache ? [cache.memo.size] : []));
    expect(sizes.length).toBeGreaterThan(0);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(512);
  });
});
