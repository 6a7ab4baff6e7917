// Real-world configurations from shared/corpora (see its PROVENANCE.md): everything real
// Sysmon accepts loads, every invalid file is rejected with the right class of error, and
// the SysmonForLinux rulestest dumps match line for line.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import type { ErrorCode } from "../base";
import { SysmonTsError } from "../base";
import { dumpConfig, loadConfigFile } from "./index";
import type { Platform } from "./index";
import { corpusXmlFiles } from "../../../test/support/corpora";

const corpora = path.resolve(__dirname, "../../../../shared/corpora");

function rejection(file: string, platform: Platform): SysmonTsError | undefined {
  try {
    loadConfigFile(file, { platform });
    return undefined;
  } catch (thrown) {
    if (thrown instanceof SysmonTsError) return thrown;
    throw thrown;
  }
}

// Upstream bug (PROVENANCE.md): this module wraps its RuleGroup in <FileCreate> instead of
// <EventFiltering>. Sysmon's validating build rejects it ("Element Sysmon content does not
// follow the DTD … got (FileCreate)"), and so do we.
const UPSTREAM_BUG = "configs-sysmon-modular/modules/11_file_create/include_cve_2021_40444.xml";

const ACCEPTED_SETS: readonly [set: string, platform: Platform, count: number][] = [
  ["configs-swiftonsecurity", "windows", 5],
  ["configs-sysmon-modular", "windows", 404],
  ["configs-sysmoncommon-unittests", "windows", 222],
  ["configs-pssysmontools", "windows", 4],
  ["configs-linux-mstic", "linux", 38],
  ["configs-linux-sysmonforlinux-rulestest", "linux", 21],
];

describe("corpora configurations real Sysmon accepts", () => {
  it.each(ACCEPTED_SETS)("%s: all %s-platform configs load (%i files)", (set, platform, count) => {
    const files = corpusXmlFiles(path.join(corpora, set)).filter((f) => !f.endsWith(UPSTREAM_BUG));
    const failures = files.flatMap((f) => {
      const error = rejection(f, platform);
      return error ? [error.message] : [];
    });
    expect(failures).toEqual([]);
    expect(files).toHaveLength(count);
  });

  it("rejects the cve_2021_40444 module whose rules sit outside <EventFiltering>, as the validating Sysmon does", () => {
    const error = rejection(path.join(corpora, UPSTREAM_BUG), "windows");
    expect(error?.code).toBe("SYSMONTS_E_CONFIG_ELEMENT");
    expect(error?.message).toMatch(/include_cve_2021_40444\.xml:2:2: unknown element <FileCreate> under <Sysmon>; rule elements such as <FileCreate> belong inside <EventFiltering>/);
  });
});

interface InvalidCase {
  file: string;
  name: string;
  expect: string;
  expected_output_regex: string | null;
}

// expected.json describes each case in words; these are the SysmonTs codes for its classes.
const EXPECTED_CODE: Readonly<Record<string, ErrorCode>> = {
  MalformedXML: "SYSMONTS_E_CONFIG_XML",
  UnclosedTags: "SYSMONTS_E_CONFIG_XML",
  MismatchedTags: "SYSMONTS_E_CONFIG_XML",
  BinaryContent: "SYSMONTS_E_CONFIG_XML",
  PlainText: "SYSMONTS_E_CONFIG_XML",
  EmptyFile: "SYSMONTS_E_CONFIG_XML",
  JSONContent: "SYSMONTS_E_CONFIG_XML",
  YAMLContent: "SYSMONTS_E_CONFIG_XML",
  WrongRootElement: "SYSMONTS_E_CONFIG_XML",
  UnrelatedXML: "SYSMONTS_E_CONFIG_XML",
  MissingSchemaVersion: "SYSMONTS_E_CONFIG_SCHEMA",
  EmptySysmonElement: "SYSMONTS_E_CONFIG_SCHEMA",
  NonNumericSchema: "SYSMONTS_E_CONFIG_SCHEMA",
  NegativeSchema: "SYSMONTS_E_CONFIG_SCHEMA",
  OldSchema: "SYSMONTS_E_CONFIG_SCHEMA",
  ZeroSchema: "SYSMONTS_E_CONFIG_SCHEMA",
  // Sysmon for Linux warns and carries on; Windows and config.md §10/§13.6 reject.
  InvalidCondition: "SYSMONTS_E_CONFIG_CONDITION",
  // Either outcome is allowed; we refuse DOCTYPE outright so nothing can be expanded.
  XXE_FileEntity: "SYSMONTS_E_CONFIG_XML",
  XXE_NetworkEntity: "SYSMONTS_E_CONFIG_XML",
  // "May be accepted or rejected": unknown elements fail DTD validation.
  VeryLongElementName: "SYSMONTS_E_CONFIG_ELEMENT",
  DeeplyNestedXML: "SYSMONTS_E_CONFIG_ELEMENT",
};

describe("configs-invalid", () => {
  const expected = JSON.parse(readFileSync(path.join(corpora, "configs-invalid/expected.json"), "utf8")) as { cases: InvalidCase[] };

  it("covers all 22 upstream cases", () => {
    expect(expected.cases).toHaveLength(22);
  });

  it.each(expected.cases.map((c) => [c.file, c] as const))("%s", (_file, c) => {
    const error = rejection(path.join(corpora, "configs-invalid", c.file), "linux");
    if (c.name === "VeryLongAttrValue") {
      // "Must not crash": a 100 KB value is just a long value.
      expect(error).toBeUndefined();
      return;
    }
    if (c.expect.startsWith("rejected")) expect(error).toBeDefined();
    expect(error?.code).toBe(EXPECTED_CODE[c.name]);
    if (c.expected_output_regex && c.expected_output_regex !== "Failed to load xml|error") {
      expect(error?.message).toMatch(new RegExp(c.expected_output_regex, "i"));
    }
    expect(error?.message).not.toMatch(/root:/);
    expect(error?.message).toMatch(new RegExp(`^${path.join(corpora, "configs-invalid", c.file).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: `));
  });
});

describe("configs-linux-sysmonforlinux-rulestest: config dump matches the sysmon -c baseline", () => {
  const dir = path.join(corpora, "configs-linux-sysmonforlinux-rulestest");
  const names = readdirSync(path.join(dir, "configs")).filter((f) => f.endsWith(".xml")).map((f) => f.slice(0, -4));

  it("has the 20 pairs", () => {
    expect(names).toHaveLength(20);
  });

  it.each(names)("%s", (name) => {
    const dump = dumpConfig(loadConfigFile(path.join(dir, "configs", `${name}.xml`), { platform: "linux" }));
    const lines = dump.split("\n");
    const rules = lines.slice(lines.findIndex((l) => l.startsWith("Rule configuration") || l === "No rules installed"));
    const baseline = readFileSync(path.join(dir, "baseline", `${name}.rules`), "utf8").split("\n");
    const trimEnd = (xs: string[]): string[] => (xs[xs.length - 1] === "" ? trimEnd(xs.slice(0, -1)) : xs);
    expect(trimEnd(rules)).toEqual(trimEnd(baseline));
  });
});
