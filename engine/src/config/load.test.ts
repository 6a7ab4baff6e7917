import { PositionedError } from "../base";
import { DEFAULT_CONFIG_TEXT, defaultConfig, loadConfig } from "./load";

function errorOf(xml: string): PositionedError {
  try {
    loadConfig(xml, { file: "sysmonconfig.xml", platform: "windows" });
  } catch (thrown) {
    if (thrown instanceof PositionedError) return thrown;
    throw thrown;
  }
  throw new Error("loaded");
}

const wrap = (body: string, schema = "4.90") => `<Sysmon schemaversion="${schema}">\n<EventFiltering>\n${body}\n</EventFiltering>\n</Sysmon>`;

describe("loadConfig errors name the problem and its position", () => {
  it("unknown field, with a suggestion", () => {
    const error = errorOf(wrap('<RuleGroup groupRelation="or">\n  <ProcessCreate onmatch="include">\n        <ParentImagee condition="is">x</ParentImagee>\n  </ProcessCreate>\n</RuleGroup>'));
    expect(error.code).toBe("SYSMONTS_E_CONFIG_FIELD");
    expect(error.message).toBe("sysmonconfig.xml:5:9: unknown field 'ParentImagee' for ProcessCreate; did you mean ParentImage?");
  });

  it("fields that no single event of a group has (config.md §5.3)", () => {
    const error = errorOf(wrap('<RegistryEvent onmatch="include"><Details condition="is">a</Details><NewName condition="is">b</NewName></RegistryEvent>'));
    expect(error.code).toBe("SYSMONTS_E_CONFIG_FIELD");
    expect(error.message).toMatch(/^sysmonconfig\.xml:3:1: no RegistryEvent event has all of the fields Details, NewName/);
  });

  it("unknown condition (config.md §13.6)", () => {
    const error = errorOf(wrap('<ProcessCreate onmatch="include"><Image condition="something">a</Image></ProcessCreate>'));
    expect(error.code).toBe("SYSMONTS_E_CONFIG_CONDITION");
    expect(error.message).toMatch(/^sysmonconfig\.xml:3:41: unknown condition: something; expected values are is, is not, contains/);
  });

  it("onmatch outside include/exclude, unknown attributes, RuleGroup without groupRelation, nested Rule", () => {
    expect(errorOf(wrap('<ProcessCreate onmatch="notsure"/>')).message).toMatch(/3:16: value "notsure" for attribute onmatch of <ProcessCreate> is not include or exclude/);
    expect(errorOf(wrap('<ProcessCreate onmatch="include"><Image conditon="is">a</Image></ProcessCreate>')).message).toMatch(/unknown attribute 'conditon' on <Image>; did you mean condition\?/);
    expect(errorOf(wrap('<RuleGroup name="x"><ProcessCreate onmatch="include"/></RuleGroup>')).message).toMatch(/<RuleGroup> needs groupRelation="and" or groupRelation="or"/);
    expect(errorOf(wrap('<ProcessCreate onmatch="include"><Rule><Rule><Image>a</Image></Rule></Rule></ProcessCreate>')).message).toMatch(/nested <Rule> is not supported/);
    expect(errorOf(wrap('<ProcesCreate onmatch="include"/>')).message).toMatch(/unknown element <ProcesCreate> inside <EventFiltering>; did you mean ProcessCreate\?/);
  });

  it("rule names over 255 UTF-8 bytes (config.md §5.2, §13.6); exactly 255 loads", () => {
    for (const where of ['<RuleGroup groupRelation="or" name="N"><ProcessCreate onmatch="include"/></RuleGroup>', '<ProcessCreate onmatch="include"><Rule name="N"><Image>a</Image></Rule></ProcessCreate>', '<ProcessCreate onmatch="include"><Image name="N">a</Image></ProcessCreate>']) {
      expect(errorOf(wrap(where.replace("N", "A".repeat(256)))).code).toBe("SYSMONTS_E_CONFIG_LIMIT");
      expect(() => loadConfig(wrap(where.replace("N", "A".repeat(255))), { file: "a.xml", platform: "windows" })).not.toThrow();
    }
    expect(errorOf(wrap('<ProcessCreate onmatch="include"><Image name="N">a</Image></ProcessCreate>'.replace("N", "é".repeat(128)))).code).toBe("SYSMONTS_E_CONFIG_LIMIT");
  });

  it("root and schema problems", () => {
    expect(errorOf('<sysmon schemaversion="4.90"/>').message).toMatch(/root element is <sysmon>; expected <Sysmon/);
    expect(errorOf("<Sysmon/>").code).toBe("SYSMONTS_E_CONFIG_SCHEMA");
    expect(errorOf('<Sysmon schemaversion="1.0"/>').message).toMatch(/incorrect or unsupported schema version 1\.00/);
    expect(errorOf('<Sysmon schemaversion="4.90" foo="1"/>').code).toBe("SYSMONTS_E_CONFIG_ELEMENT");
  });
});

describe("loadConfig results", () => {
  it("skips an element without onmatch (or with both) and warns, as Sysmon does (config.md §4)", () => {
    const config = loadConfig(wrap('<ProcessCreate><Image>a</Image></ProcessCreate><ProcessCreate onmatch="include" default="exclude"/><ProcessCreate onmatch="include"/>'), { file: "a.xml", platform: "linux" });
    expect(config.rules.entries).toHaveLength(1);
    expect(config.warnings.map((w) => w.code)).toEqual(["missing-onmatch", "onmatch-and-default"]);
  });

  it("treats legacy default= as the opposite onmatch", () => {
    const config = loadConfig(wrap('<ProcessCreate default="include"><Image>a</Image></ProcessCreate>'), { file: "a.xml", platform: "linux" });
    expect(config.rules.entries[0]?.onmatch).toBe("exclude");
  });

  it("orders entries by event type, then document order (config.md §5.1) and binds registry elements", () => {
    const config = loadConfig(wrap('<NetworkConnect onmatch="include"/><RegistryEvent onmatch="include"><NewName>x</NewName></RegistryEvent><ProcessCreate onmatch="exclude"/><RegistryEvent onmatch="include"><Details>y</Details></RegistryEvent>'), { file: "a.xml", platform: "windows" });
    expect(config.rules.entries.map((e) => [e.ruleName, e.eventId])).toEqual([["ProcessCreate", 1], ["NetworkConnect", 3], ["RegistryEvent", 14], ["RegistryEvent", 13]]);
  });

  it("reports the configuration hash as event 16 does: SHA256 by default on Linux, lowercase", () => {
    const config = loadConfig(DEFAULT_CONFIG_TEXT, { file: "a.xml", platform: "linux" });
    expect(config.hash).toMatch(/^SHA256=[0-9a-f]{64}$/);
    const windows = loadConfig('<Sysmon schemaversion="4.90"><HashAlgorithms>md5,sha256</HashAlgorithms></Sysmon>', { file: "a.xml", platform: "windows" });
    expect(windows.hash).toMatch(/^MD5=[0-9A-F]{32},SHA256=[0-9A-F]{64}$/);
  });

  it("is pure: loading the same text twice gives equal, independent results", () => {
    const xml = wrap('<ProcessCreate onmatch="include"><Image>a</Image></ProcessCreate>');
    const a = loadConfig(xml, { file: "a.xml", platform: "linux" });
    expect(() => loadConfig(wrap('<ProcessCreate onmatch="include"><Imag>a</Imag></ProcessCreate>'), { file: "b.xml", platform: "linux" })).toThrow();
    const b = loadConfig(xml, { file: "a.xml", platform: "linux" });
    expect(b.rules.entries).toHaveLength(a.rules.entries.length);
    expect(b.rules).not.toBe(a.rules);
  });

  it("defaultConfig is the empty configuration -c -- restores", () => {
    const config = defaultConfig("linux");
    expect(config.file).toBe("Defaults");
    expect(config.schemaVersion).toBe("4.22");
    expect(config.rules.entries).toHaveLength(0);
  });
});
