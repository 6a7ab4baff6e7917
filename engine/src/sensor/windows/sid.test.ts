import { SysmonTsError } from "../../base";
import { integrityLevelName, MANDATORY_RID, sidFromText, sidRid, sidText } from "./sid";

describe("SIDs", () => {
  test("S-1-5-18 has the binary layout of winnt.h (Local System)", () => {
    expect(sidFromText("S-1-5-18").toString("hex")).toBe("010100000000000512000000");
  });

  test("text and binary forms round-trip, domain user SIDs included", () => {
    for (const text of ["S-1-5-18", "S-1-5-32-544", "S-1-16-12288", "S-1-5-21-3623811015-3361044348-30300820-1013", "S-1-0-0", "S-1-15-2-1"]) {
      expect(sidText(sidFromText(text))).toBe(text);
    }
  });

  test("authorities of 2^32 and above use the 0x form", () => {
    // Twelve uppercase hex digits, as ConvertSidToStringSidW prints the six authority bytes.
    expect(sidText(sidFromText("S-1-0xFFFFFFFFFF-5"))).toBe("S-1-0x00FFFFFFFFFF-5");
  });

  test("the RID is the last sub-authority: the mandatory label of a High token is 0x3000", () => {
    expect(sidRid(sidFromText("S-1-16-12288"))).toBe(MANDATORY_RID.high);
    expect(sidRid(sidFromText("S-1-5-21-1-2-3-500"))).toBe(500);
  });

  test("bad text is a SysmonTsError naming the SID and the problem", () => {
    expect(() => sidFromText("S-2-5-18")).toThrow(/'S-2-5-18' \(revision must be 1\)/);
    expect(() => sidFromText("S-1-5-x")).toThrow(/'x' is not a number/);
    expect(() => sidFromText("root")).toThrow(SysmonTsError);
    expect(() => sidFromText(`S-1-5${"-1".repeat(16)}`)).toThrow(/more than 15 sub-authorities/);
    expect(() => sidText(Buffer.from("0105000000000005", "hex"))).toThrow(/truncated/);
  });
});

describe("integrityLevelName", () => {
  test("names the levels as Sysmon writes them, AppContainer first", () => {
    expect(integrityLevelName(MANDATORY_RID.untrusted, { appContainer: false })).toBe("Untrusted");
    expect(integrityLevelName(MANDATORY_RID.low, { appContainer: false })).toBe("Low");
    expect(integrityLevelName(MANDATORY_RID.medium, { appContainer: false })).toBe("Medium");
    expect(integrityLevelName(MANDATORY_RID.mediumPlus, { appContainer: false })).toBe("Medium");
    expect(integrityLevelName(MANDATORY_RID.high, { appContainer: false })).toBe("High");
    expect(integrityLevelName(MANDATORY_RID.system, { appContainer: false })).toBe("System");
    expect(integrityLevelName(MANDATORY_RID.protectedProcess, { appContainer: false })).toBe("System");
    expect(integrityLevelName(MANDATORY_RID.low, { appContainer: true })).toBe("AppContainer");
  });
});
