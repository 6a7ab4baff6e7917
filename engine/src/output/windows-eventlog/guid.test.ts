import { guidFromBytes, guidToBytes, providerGuidFromName } from "./guid";

describe("GUID helpers", () => {
  test("lay a GUID out as the Windows GUID struct (Data1-3 little-endian, Data4 in order)", () => {
    const bytes = guidToBytes("{5770385F-C22A-43E0-BF4C-06F5698FFBD9}");
    expect(Buffer.from(bytes).toString("hex")).toBe("5f3870572ac2e043bf4c06f5698ffbd9");
    expect(guidFromBytes(bytes)).toBe("{5770385F-C22A-43E0-BF4C-06F5698FFBD9}");
  });

  test("reject text that is not a GUID", () => {
    expect(() => guidToBytes("{5770385F-C22A}")).toThrow(/not a GUID/);
  });

  test("derive a provider GUID from its name as EventSource does", () => {
    // Published pair: EventSourceProxy's GenerateProxyManifest prints this GUID for "Calculator".
    expect(providerGuidFromName("Calculator")).toBe("{5534A855-95DC-5099-33E3-5B8E79FED6FA}");
    expect(providerGuidFromName("calculator")).toBe(providerGuidFromName("Calculator"));
  });
});
