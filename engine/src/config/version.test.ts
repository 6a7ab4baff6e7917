import { defaultCombineFor, parseSchemaVersion } from "./version";

describe("parseSchemaVersion (config.md §2.1)", () => {
  it.each([
    ["4.90", "4.90", 0x0004005a],
    ["4.5", "4.50", 0x00040032],
    ["4.1", "4.10", 0x0004000a],
    ["4.50abc", "4.50", 0x00040032],
    [" 4.22", "4.22", 0x00040016],
    ["5.0", "5.00", 0x00050000],
    ["3.40", "3.40", 0x00030028],
  ])("%s → %s", (raw, text, value) => {
    expect(parseSchemaVersion(raw)).toEqual({ ok: true, version: expect.objectContaining({ text, value }) });
  });

  it.each([undefined, "", "abc", "-1.0", "0.0", "0.5", "nan", "inf", "70000"])("%s is invalid", (raw) => {
    expect(parseSchemaVersion(raw)).toMatchObject({ ok: false, reason: "invalid" });
  });

  it.each(["1.0", "2.99"])("%s is unsupported", (raw) => {
    expect(parseSchemaVersion(raw)).toMatchObject({ ok: false, reason: "unsupported" });
  });

  it("combines with OR up to 4.10 and AND from 4.11 (§2.3)", () => {
    const combine = (raw: string) => {
      const parsed = parseSchemaVersion(raw);
      if (!parsed.ok) throw new Error(raw);
      return defaultCombineFor(parsed.version);
    };
    expect(["3.20", "4.0", "4.1", "4.10"].map(combine)).toEqual(["or", "or", "or", "or"]);
    expect(["4.11", "4.2", "4.21", "4.90"].map(combine)).toEqual(["and", "and", "and", "and"]);
  });
});
