import { eventFromFields } from "../schema";
import { compileFilters, decodeCursor, encodeCursor, normalizeQuery, parseTime, parseWhere, wildcardMatcher } from "./query";

describe("parseWhere", () => {
  it.each([
    ["Image=/usr/bin/bash", { field: "Image", op: "eq", value: "/usr/bin/bash" }],
    ["Image=*bash", { field: "Image", op: "wildcard", value: "*bash" }],
    ["User!=root", { field: "User", op: "ne", value: "root" }],
    ["CommandLine~=curl -s", { field: "CommandLine", op: "contains", value: "curl -s" }],
    ["TargetFilename^=/tmp/", { field: "TargetFilename", op: "startswith", value: "/tmp/" }],
    ["TargetFilename$=.sh", { field: "TargetFilename", op: "endswith", value: ".sh" }],
    ["CommandLine=a=b", { field: "CommandLine", op: "eq", value: "a=b" }],
    ["DestinationPort=", { field: "DestinationPort", op: "eq", value: "" }],
  ])("reads %s", (text, expected) => {
    expect(parseWhere(text)).toEqual(expected);
  });

  it.each([["Image"], ["=x"], ["Imagee=x"], ["!=x"]])("refuses %s with SYSMONTS_E_QUERY", (text) => {
    expect(() => parseWhere(text)).toThrow(expect.objectContaining({ code: "SYSMONTS_E_QUERY" }));
  });
});

describe("parseTime", () => {
  const now = Date.UTC(2026, 10, 21, 12, 0, 0);
  it.each([
    ["2h", now - 7_200_000],
    ["30m", now - 1_800_000],
    ["45s", now - 45_000],
    ["7d", now - 7 * 86_400_000],
    ["1w", now - 7 * 86_400_000],
    ["2026-11-21T10:00:00Z", Date.UTC(2026, 10, 21, 10)],
    ["2026-11-21T10:00:00.250+02:00", Date.UTC(2026, 10, 21, 8, 0, 0, 250)],
    ["2026-11-21 10:00:00.123", Date.UTC(2026, 10, 21, 10, 0, 0, 123)],
    ["2026-11-21", Date.UTC(2026, 10, 21)],
    ["1763737445000", 1763737445000],
  ])("reads %s", (text, expected) => {
    expect(parseTime(text, { now })).toBe(expected);
  });

  it.each([["yesterday"], ["2026-13-45"], ["5y"], [""]])("refuses %s", (text) => {
    expect(() => parseTime(text, { now })).toThrow(/is not ISO-8601/);
  });
});

describe("compileFilters", () => {
  const event = eventFromFields(1, { Image: "/usr/bin/Bash", CommandLine: "bash -c 'echo hi'" });
  it.each([
    [{ field: "image", op: "eq", value: "/USR/BIN/BASH" }, true],
    [{ field: "Image", op: "ne", value: "/usr/bin/bash" }, false],
    [{ field: "Image", op: "contains", value: "bin/ba" }, true],
    [{ field: "Image", op: "startswith", value: "/usr/" }, true],
    [{ field: "Image", op: "endswith", value: "BASH" }, true],
    [{ field: "CommandLine", op: "wildcard", value: "bash -c '* h?'" }, true],
    [{ field: "CommandLine", op: "wildcard", value: "bash -c (*" }, false],
    [{ field: "TargetFilename", op: "ne", value: "x" }, false],
  ] as const)("%o → %s", (filter, expected) => {
    expect(compileFilters([filter])(event)).toBe(expected);
  });

  it("requires every filter to hold", () => {
    const both = compileFilters([
      { field: "Image", op: "endswith", value: "bash" },
      { field: "CommandLine", op: "contains", value: "nothere" },
    ]);
    expect(both(event)).toBe(false);
  });

  it("treats regular-expression characters in wildcards literally", () => {
    expect(wildcardMatcher("a.b*")("axb")).toBe(false);
    expect(wildcardMatcher("a.b*")("a.bcd")).toBe(true);
    expect(wildcardMatcher("*")("multi\nline")).toBe(true);
  });
});

describe("normalizeQuery", () => {
  it("fills defaults and reads the cursor", () => {
    expect(normalizeQuery({ cursor: encodeCursor(123456) })).toMatchObject({ order: "newest", max: 100, afterRecordId: 123456, ids: null });
    expect(decodeCursor(encodeCursor(2 ** 40))).toBe(2 ** 40);
  });

  it("braces and lowercases a process GUID", () => {
    expect(normalizeQuery({ processGuid: "AAAAAAAA-0000-0000-0000-000000000001" }).processGuid).toBe("{aaaaaaaa-0000-0000-0000-000000000001}");
    expect(() => normalizeQuery({ processGuid: "not-a-guid" })).toThrow(/is not a GUID/);
  });
});
