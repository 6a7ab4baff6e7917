import { PositionedError } from "../base";
import { childElements, firstText, parseXml } from "./xml";

function errorOf(text: string): PositionedError {
  try {
    parseXml(text, { file: "x.xml" });
  } catch (thrown) {
    if (thrown instanceof PositionedError) return thrown;
    throw thrown;
  }
  throw new Error("no error");
}

describe("parseXml", () => {
  it("records 1-based line and column of elements and attributes", () => {
    const root = parseXml('<?xml version="1.0"?>\n<Sysmon schemaversion="4.90">\n  <EventFiltering>\n\t<Image  condition="is">a</Image>\n  </EventFiltering>\n</Sysmon>', { file: "x.xml" });
    const filtering = childElements(root)[0];
    const image = filtering ? childElements(filtering)[0] : undefined;
    expect(root).toMatchObject({ name: "Sysmon", line: 2, column: 1 });
    expect(root.attributes[0]).toMatchObject({ name: "schemaversion", value: "4.90", line: 2, column: 9 });
    expect(image).toMatchObject({ name: "Image", line: 4, column: 2 });
    expect(image?.attributes[0]).toMatchObject({ line: 4, column: 10 });
  });

  it("decodes the predefined entities and character references, reads CDATA, skips comments", () => {
    const root = parseXml("<a><!-- c --><b>&lt;&amp;&gt;&quot;&apos;&#65;&#x42;</b><c><![CDATA[<raw>&amp;]]></c></a>", { file: "x.xml" });
    const [b, c] = childElements(root);
    expect(b && firstText(b)).toBe("<&>\"'AB");
    expect(c && firstText(c)).toBe("<raw>&amp;");
  });

  it("keeps a value exactly as written, leading spaces included", () => {
    const root = parseXml("<a> x y </a>", { file: "x.xml" });
    expect(firstText(root)).toBe(" x y ");
  });

  it.each([
    ["<a><b></a>", "1:7", /closing tag <\/a> does not match <b> opened at 1:4/],
    ["<a>", "1:4", /element <a> opened at 1:1 is never closed/],
    ["<a x=1/>", "1:6", /attribute x value is not quoted/],
    ['<a x="1" x="2"/>', "1:10", /attribute x given twice/],
    ["<a>&bogus;</a>", "1:4", /unknown entity &bogus;/],
    ["<a/><b/>", "1:5", /a second root element/],
    ['<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>', "1:1", /DOCTYPE and entity declarations are not allowed/],
  ])("rejects %s at %s", (text, at, reason) => {
    const error = errorOf(text);
    expect(error.code).toBe("SYSMONTS_E_CONFIG_XML");
    expect(`${error.position.line}:${error.position.column}`).toBe(at);
    expect(error.message).toMatch(reason);
  });

  it("handles 5000-deep nesting without recursion limits", () => {
    const text = "<a>".repeat(5000) + "</a>".repeat(5000);
    expect(parseXml(text, { file: "x.xml" }).name).toBe("a");
  });
});
