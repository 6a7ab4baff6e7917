import { readFileSync } from "node:fs";
import path from "node:path";
import { PositionedError } from "../base";
import { decodeConfig, detectEncoding } from "./encoding";
import { loadConfig } from "./load";

const fixtures = path.resolve(__dirname, "../../../../shared/corpora/configs-sysmoncommon-unittests");

// config.md §13.5 (rules.cpp DetectEncoding): reported encoding, 16-bit, BOM.
const TABLE: readonly [name: string, reported: string | null, sixteenBit: boolean, bom: boolean][] = [
  ["iso8859-nobom-iso8859enc", "ISO-8859-1", false, false],
  ["iso8859-utf8bom-iso8859enc", "ISO-8859-1", false, true],
  ["utf16-nobom-noenc", "UTF-16LE", true, false],
  ["utf16-nobom-noenc-ws", "UTF-16LE", true, false],
  ["utf16-nobom-utf16enc", "UTF-16LE", true, false],
  ["utf16-utf16bom-noenc", null, true, true],
  ["utf16-utf16bom-noenc-ws", null, true, true],
  ["utf16-utf16bom-utf16enc", "UTF-16LE", true, true],
  ["utf8-nobom-noenc", null, false, false],
  ["utf8-nobom-noenc-ws", null, false, false],
  ["utf8-nobom-utf8enc", "UTF-8", false, false],
  ["utf8-utf8bom-noenc", null, false, true],
  ["utf8-utf8bom-utf8enc", "UTF-8", false, true],
];

describe("encoding detection on the SysmonCommon fixtures (config.md §13.5)", () => {
  it.each(TABLE)("%s", (name, reported, sixteenBit, bom) => {
    const bytes = readFileSync(path.join(fixtures, `${name}.xml`));
    expect(detectEncoding(bytes)).toMatchObject({ reported, sixteenBit, bom });
    // Every variant holds the same rules once decoded.
    const config = loadConfig(bytes, { file: `${name}.xml`, platform: "windows" });
    expect(config.rules.entries.length).toBeGreaterThan(0);
    expect(config.text.startsWith("\ufeff")).toBe(false);
  });

  it("decodes ISO-8859-1 bytes as Latin-1 even behind a UTF-8 BOM (the declaration wins)", () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><Sysmon schemaversion="4.90"><!-- caf\xe9 --></Sysmon>', "latin1")]);
    const decoded = decodeConfig(bytes, { file: "a.xml" });
    expect(decoded.encoding).toBe("ISO-8859-1");
    expect(decoded.text).toContain("café");
  });

  it("reads UTF-16BE with a BOM", () => {
    const le = Buffer.from('\ufeff<Sysmon schemaversion="4.90"/>', "utf16le");
    const be = Buffer.from(le).swap16();
    expect(decodeConfig(be, { file: "a.xml" }).text).toBe('<Sysmon schemaversion="4.90"/>');
  });

  it("refuses files under 2 bytes and files without '<' in the first 2 KB, at 1:1", () => {
    expect(() => decodeConfig(Buffer.from("<"), { file: "a.xml" })).toThrow(PositionedError);
    expect(() => decodeConfig(Buffer.from(" ".repeat(3000) + "<Sysmon/>"), { file: "a.xml" })).toThrow(/^a\.xml:1:1: too much white space/);
    expect(() => decodeConfig(Buffer.from("just words"), { file: "a.xml" })).toThrow(/not XML/);
  });
});
