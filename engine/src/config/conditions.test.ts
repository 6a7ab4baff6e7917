import { CONDITIONS, buildMatcher, folderFor, parseCondition, splitSearchItems } from "./conditions";
import type { CaseFolding, ConditionName } from "./conditions";

function matches(condition: ConditionName, rule: string, value: string, folding: CaseFolding = "windows"): boolean {
  const fold = folderFor(folding);
  return buildMatcher(condition, fold(rule), folding)(fold(value));
}

describe("conditions (config.md §8)", () => {
  it("numbers operators as Sysmon's rule blob does", () => {
    expect(CONDITIONS.indexOf("is")).toBe(0);
    expect(CONDITIONS.indexOf("image")).toBe(13);
    expect(CONDITIONS.indexOf("not end with")).toBe(15);
  });

  it("parses condition names case-insensitively; absent or empty means is", () => {
    expect(parseCondition("Contains")).toBe("contains");
    expect(parseCondition("Image")).toBe("image");
    expect(parseCondition(undefined)).toBe("is");
    expect(parseCondition("")).toBe("is");
    expect(parseCondition("matches")).toBeUndefined();
  });

  it.each([
    ["is", "AbC", "abc", true],
    ["is not", "abc", "ABC", false],
    ["contains", "", "x", true],
    ["excludes", "b", "abc", false],
    ["begin with", "", "x", true],
    ["not begin with", "a", "abc", false],
    ["end with", "abcd", "bcd", false],
    ["not end with", "c", "abc", false],
    ["contains any", "a;b;", "zzz", true],
    ["contains any", "x;;y", "q;y", true],
    ["excludes any", "foo;bar;", "zzz", false],
    ["excludes any", "foo;bar", "zzz", true],
    ["contains all", "a;b", "ba", true],
    ["contains all", "a;b", "a", false],
    ["excludes all", "a;b", "a", true],
    ["excludes all", "a;b", "ab", false],
    ["is any", "", "x", false],
    ["is any", ";;;;", "x", false],
    ["is any", "a;B", "b", true],
    ["less than", "1024", "443", false],
    ["more than", "1024", "8080", true],
    ["image", "svchost.exe", "c:\\windows\\svchost.exe", true],
    ["image", "svchost.exe", "c:\\windows\\svchost.exe\\", false],
    ["image", "bash", "/usr/bin/bash", false],
    ["image", "c:\\a.exe", "C:\\A.EXE", true],
  ] as const)("%s %j on %j → %s", (condition, rule, value, expected) => {
    expect(matches(condition, rule, value)).toBe(expected);
  });

  it("walks empty list items as the rest of the rule text", () => {
    expect(splitSearchItems("x;;y")).toEqual(["x", ";y", "y"]);
    expect(splitSearchItems("a;b;")).toEqual(["a", "b", ""]);
  });

  it("orders less than / more than on lowercase (Windows) or ASCII uppercase (Linux)", () => {
    // '_' (0x5F) sits between upper- and lowercase letters, so the folding direction matters.
    expect(matches("less than", "a", "_", "windows")).toBe(true);
    expect(matches("less than", "a", "_", "linux")).toBe(false);
  });
});
