import { loadConfig } from "./load";
import type { Platform } from "./options";
import { formatWarning } from "./warnings";

function warningsOf(body: string, options: { platform?: Platform; schema?: string } = {}) {
  const xml = `<Sysmon schemaversion="${options.schema ?? "4.90"}">\n<EventFiltering>\n${body}\n</EventFiltering>\n</Sysmon>`;
  return loadConfig(xml, { file: "l.xml", platform: options.platform ?? "linux" }).warnings;
}

const codes = (body: string, options: { platform?: Platform; schema?: string } = {}) => warningsOf(body, options).map((w) => w.code);
const or = (inner: string) => `<RuleGroup groupRelation="or">${inner}</RuleGroup>`;

describe("lintConfig: Sysmon traps (config.md §6, §8, §13)", () => {
  it("two exclude elements for one type (§6.2, Q1)", () => {
    const warnings = warningsOf(`${or('<ProcessCreate onmatch="exclude"><Image>a</Image></ProcessCreate>')}\n${or('<ProcessCreate onmatch="exclude"><Image>b</Image></ProcessCreate>')}`);
    expect(warnings).toHaveLength(1);
    expect(formatWarning(warnings[0] as never)).toMatch(/^l\.xml:4:31: warning: second <ProcessCreate onmatch="exclude"> \(first at line 3\): .*dropped, not logged/);
  });

  it("an include element next to an exclude one is fine", () => {
    expect(codes(or('<ProcessCreate onmatch="include"><Image>a</Image></ProcessCreate><ProcessCreate onmatch="exclude"><Image>b</Image></ProcessCreate>'))).toEqual([]);
  });

  it("empty list items (§8, Q3–Q5)", () => {
    expect(codes(or('<ProcessCreate onmatch="include"><Image condition="contains any">a;b;</Image></ProcessCreate>'))).toEqual(["empty-list-item"]);
    expect(codes(or('<ProcessCreate onmatch="include"><Image condition="is any">a;;b</Image></ProcessCreate>'))).toEqual(["empty-list-item"]);
    expect(codes(or('<ProcessCreate onmatch="include"><Image condition="contains any">a;b</Image></ProcessCreate>'))).toEqual([]);
  });

  it("less than / more than on numbers (§8, Q9, Q10)", () => {
    expect(codes('<NetworkConnect onmatch="include"><DestinationPort condition="more than">1024</DestinationPort></NetworkConnect>')).toEqual(["text-comparison"]);
    expect(codes(or('<ProcessCreate onmatch="include"><CommandLine condition="less than">m</CommandLine></ProcessCreate>'))).toEqual([]);
  });

  it("image condition without a backslash on Linux (§8, Q11)", () => {
    expect(codes(or('<ProcessCreate onmatch="include"><Image condition="image">bash</Image></ProcessCreate>'))).toEqual(["image-linux-path"]);
    expect(codes(or('<ProcessCreate onmatch="include"><Image condition="image">bash</Image></ProcessCreate>'), { platform: "windows" })).toEqual([]);
  });

  it("a registry filter that cannot match the group's other events (§5.3, Q8)", () => {
    const warnings = warningsOf(or('<RegistryEvent onmatch="include"><User condition="is">bob</User></RegistryEvent>'), { platform: "windows" });
    expect(warnings.map((w) => w.code)).toEqual(["group-field-index"]);
    expect(warnings[0]?.message).toMatch(/never matches event 13 \(where index 7 is Details\), 14 \(where index 7 is NewName\)/);
  });

  it("events the platform never produces", () => {
    expect(codes(or('<FileBlockShredding onmatch="include"/>'))).toEqual(["platform-event"]);
    expect(codes(or('<eBPFEvent onmatch="include"/>'), { platform: "windows" })).toEqual(["platform-event"]);
    expect(codes(or('<RegistryEvent onmatch="include"/>'))).toEqual(["platform-event"]);
  });

  it("a bare element whose different fields are AND-combined by default (§2.3, Q13)", () => {
    expect(codes('<ProcessCreate onmatch="include"><Image condition="end with">a</Image><User>root</User></ProcessCreate>')).toEqual(["and-by-default"]);
    expect(codes('<ProcessCreate onmatch="include"><Image condition="end with">a</Image><User>root</User></ProcessCreate>', { schema: "4.10" })).toEqual([]);
  });

  it("an AND Rule that needs one field to equal two values (§6.4)", () => {
    expect(codes(or('<ImageLoad onmatch="include"><Rule groupRelation="and"><ImageLoaded condition="is">a.dll</ImageLoaded><ImageLoaded condition="is">b.dll</ImageLoaded></Rule></ImageLoad>'), { platform: "windows" })).toEqual(["and-rule-same-field"]);
  });

  it("duplicate RuleGroups, empty values, environment variables on Linux, old schemas", () => {
    const group = or('<ProcessCreate onmatch="include"><Image>a</Image></ProcessCreate>');
    expect(codes(`${group}\n${group}`)).toContain("duplicate-rulegroup");
    expect(codes(or('<ProcessCreate onmatch="include"><Image condition="contains"></Image></ProcessCreate>'))).toEqual(["empty-value"]);
    expect(codes(or('<ProcessCreate onmatch="include"><Image condition="is">%SystemRoot%\\x.exe</Image></ProcessCreate>'))).toEqual(["env-var-linux"]);
    expect(codes('<ProcessCreate onmatch="include"/>', { schema: "3.30" })).toEqual(["old-schema"]);
  });

  it("never changes a decision: warnings are data on the loaded config only", () => {
    const config = loadConfig('<Sysmon schemaversion="4.90"><EventFiltering><ProcessCreate onmatch="include"><Image condition="contains any">a;</Image></ProcessCreate></EventFiltering></Sysmon>', { file: "l.xml", platform: "linux" });
    expect(config.warnings).toHaveLength(1);
    expect(config.rules.entries).toHaveLength(1);
  });
});
