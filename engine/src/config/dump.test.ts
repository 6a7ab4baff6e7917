import { describeRules, dumpConfig } from "./dump";
import { loadConfig } from "./load";

const load = (xml: string, platform: "linux" | "windows" = "linux") => loadConfig(xml, { file: "d.xml", platform });

describe("dumpConfig (config.md Appendix B)", () => {
  it("prints Field Sizes, a blank line and the rules, with unnamed compound rules by aggregation ID", () => {
    const xml = '<Sysmon schemaversion="4.5"><FieldSizes>CommandLine:100</FieldSizes><EventFiltering><ProcessCreate onmatch="include"><Rule groupRelation="and"><Image condition="end with">/sh</Image><User>root</User></Rule><Rule name="ThisNameIsLongerThanThirtyTwoCharacters"><Image>x</Image></Rule></ProcessCreate></EventFiltering></Sysmon>';
    expect(dumpConfig(load(xml)).split("\n")).toEqual([
      " - Field Sizes:                      CommandLine:100",
      "",
      "Rule configuration (version 4.50):",
      " - ProcessCreate                      onmatch: include   combine rules using 'And'",
      "\tCompound Rule 0001   combine using And",
      "\t    Image                          filter: end with     value: '/sh'",
      "\t    User                           filter: is           value: 'root'",
      "\tCompound Rule ThisNameIsLongerThanThirtyTwoCha   combine using Or",
      "\t    Image                          filter: is           value: 'x'",
      "",
    ]);
  });

  it("hides a record with the same name and onmatch as the one printed before it (quirk)", () => {
    const xml = '<Sysmon schemaversion="4.90"><EventFiltering><RuleGroup groupRelation="or"><ProcessCreate onmatch="include"><Image>a</Image></ProcessCreate></RuleGroup><RuleGroup groupRelation="or"><ProcessCreate onmatch="include"><Image>b</Image></ProcessCreate></RuleGroup></EventFiltering></Sysmon>';
    const dump = dumpConfig(load(xml));
    expect(dump).toContain("value: 'a'");
    expect(dump).not.toContain("value: 'b'");
  });

  it("says No rules installed for an empty configuration", () => {
    expect(dumpConfig(load('<Sysmon schemaversion="4.90"/>'))).toBe("\nNo rules installed\n");
  });

  it("prints the Windows option block first", () => {
    const dump = dumpConfig(load('<Sysmon schemaversion="4.90"><HashAlgorithms>md5,sha256</HashAlgorithms><DnsLookup>False</DnsLookup></Sysmon>', "windows"));
    expect(dump).toMatch(/^Current configuration:\n/);
    expect(dump).toContain(" - HashingAlgorithms:                MD5,SHA256\n");
    expect(dump).toContain(" - DNS lookup:                       disabled\n");
  });
});

describe("describeRules", () => {
  it("gives one record per filter with its element, group, resolved name and compound rule", () => {
    const xml = '<Sysmon schemaversion="4.90"><EventFiltering><RuleGroup name="G" groupRelation="or"><ProcessCreate onmatch="include"><Image name="N">a</Image><Rule groupRelation="and"><User>root</User></Rule></ProcessCreate></RuleGroup><NetworkConnect onmatch="exclude"/></EventFiltering></Sysmon>';
    expect(describeRules(load(xml)).map((r) => [r.eventId, r.ruleName, r.onmatch, r.groupName, r.ruleNameAttr, r.compoundRule, r.field, r.condition, r.value])).toEqual([
      [1, "ProcessCreate", "include", "G", "N", "", "Image", "is", "a"],
      [1, "ProcessCreate", "include", "G", "G", "0001", "User", "is", "root"],
      [3, "NetworkConnect", "exclude", "", "", "", "", "", ""],
    ]);
  });
});
