import { binXmlNameHash, encodeTemplateBinXml } from "./binxml";

const utf16 = (text: string): string => Buffer.from(text, "utf16le").toString("hex");
const u16 = (n: number): string => Buffer.from([n & 0xff, n >> 8]).toString("hex");
const u32 = (n: number): string => Buffer.from(new Uint32Array([n]).buffer).toString("hex");
const name = (text: string): string => u16(binXmlNameHash(text)) + u16(text.length) + utf16(text) + "0000";

describe("template BinXML", () => {
  test("the name hash is MS-EVEN6's hash * 65599 + code unit, low 16 bits", () => {
    expect(binXmlNameHash("")).toBe(0);
    expect(binXmlNameHash("A")).toBe(0x41);
    expect(binXmlNameHash("AB")).toBe((0x41 * 65599 + 0x42) & 0xffff);
  });

  test("encodes one <Data> item byte for byte", () => {
    // Layout: MS-EVEN6 §2.2.12 tokens (fragment header, open-start-element with dependency ID
    // 0xFFFF and data size, attribute list size, attribute, string value, close-start, optional
    // substitution with ID and value type, end element, end of fragment), names inline as the
    // libfwevt document's "Template binary XML fragment" section says. Sizes worked out by hand:
    // <Data>: name 14 + list size 4 + attribute 15 + value 20 + close 1 + substitution 4 + end 1 = 59;
    // its attribute list 15 + 20 = 35; <EventData>: name 24 + close 1 + <Data> 66 + end 1 = 92.
    const expected =
      "0f010100" +
      "01" + "ffff" + u32(92) + name("EventData") + "02" +
      "41" + "ffff" + u32(59) + name("Data") + u32(35) +
      "06" + name("Name") + "05" + "01" + u16(8) + utf16("RuleName") +
      "02" + "0e" + "0000" + "01" + "04" +
      "04" + "00";
    expect(encodeTemplateBinXml([{ name: "RuleName", valueType: 0x01 }]).toString("hex")).toBe(expected);
  });

  test("numbers substitutions in item order with each item's value type", () => {
    const bytes = encodeTemplateBinXml([{ name: "A", valueType: 0x01 }, { name: "ProcessId", valueType: 0x08 }]);
    const substitutions = [...bytes.toString("hex").matchAll(/020e(....)(..)04/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(substitutions).toEqual(["0000:01", "0100:08"]);
  });
});
