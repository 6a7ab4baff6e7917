import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { ALL_EVENTS, eventFromFields } from "../schema";
import type { StampedEvent } from "../schema";
import { escapeLinuxText } from "./escape";
import { renderLinuxXml } from "./linux-xml";

const SHARED = resolve(__dirname, "../../..", "../shared");
const SAMPLE = resolve(SHARED, "corpora/events-linux-elastic-sample/sysmon.log");

interface ParsedData {
  "@Name": string;
  "#text"?: string;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name) => name === "Data",
});

/** Rebuilds the event a Sysmon for Linux syslog line carries, from its XML alone. */
function stampedFromXml(xml: string): StampedEvent {
  const parsed = parser.parse(xml) as {
    Event: { System: { EventID: string; EventRecordID: string; Computer: string; TimeCreated: { "@SystemTime": string } }; EventData: { Data: ParsedData[] } };
  };
  const system = parsed.Event.System;
  const named: Record<string, string> = {};
  for (const data of parsed.Event.EventData.Data) named[data["@Name"]] = data["#text"] ?? "";
  const time = system.TimeCreated["@SystemTime"];
  const fraction = /\.(\d+)Z$/.exec(time)![1]!;
  const timeCreated = Date.parse(`${time.slice(0, 19)}Z`) + Number(`0.${fraction}`) * 1000;
  return { recordId: Number(system.EventRecordID), timeCreated, computer: system.Computer, event: eventFromFields(Number(system.EventID), named) };
}

describe("renderLinuxXml against real Sysmon for Linux output", () => {
  const lines = readFileSync(SAMPLE, "utf8")
    .split("\n")
    .map((line) => line.replace(/\r$/, ""))
    .filter((line) => line.includes(" sysmon: <Event>"));

  it("finds the 36 events of the sample", () => {
    expect(lines).toHaveLength(36);
  });

  it.each(lines.map((line, i) => [i, line.slice(line.indexOf("<Event>"))]))("rebuilds and renders event %i byte for byte", (_i, original) => {
    const stamped = stampedFromXml(original);
    const rendered = renderLinuxXml(stamped, { processId: 3099, threadId: 3099, userId: 0 });
    expect(Buffer.from(rendered)).toEqual(Buffer.from(original));
  });
});

describe("renderLinuxXml", () => {
  const base = (values: Record<string, string>): StampedEvent => ({
    recordId: 1337,
    timeCreated: Date.UTC(2024, 0, 2, 3, 4, 5, 123) + 0.4567,
    computer: "host",
    event: eventFromFields(1, values),
  });

  it("matches the layout of the Linux unit test in cli-and-output.md §6", () => {
    const xml = renderLinuxXml(base({ RuleName: "aardvark", UtcTime: "banana", ProcessGuid: "cat" }), { processId: 1, threadId: 2 });
    expect(xml.startsWith(
      '<Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/><EventID>1</EventID><Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="2024-01-02T03:04:05.123457000Z"/><EventRecordID>1337</EventRecordID><Correlation/><Execution ProcessID="1" ThreadID="2"/><Channel>Linux-Sysmon/Operational</Channel><Computer>host</Computer><Security UserId="0"/></System><EventData><Data Name="RuleName">aardvark</Data><Data Name="UtcTime">banana</Data><Data Name="ProcessGuid">cat</Data>',
    )).toBe(true);
  });

  it("escapes as pugixml does: & < > and two-digit control references, TAB and quotes raw", () => {
    expect(escapeLinuxText("a&b<c>d\"e'f\tg\u0001j\u001fk")).toBe("a&amp;b&lt;c&gt;d\"e'f\tg&#01;j&#31;k");
  });

  it("writes CR and LF as references so that every event stays on one line (unlike pugixml)", () => {
    expect(escapeLinuxText("g\rh\ni")).toBe("g&#13;h&#10;i");
  });

  it("writes Level 2 for event 255 and every manifest field in order", () => {
    const xml = renderLinuxXml({ recordId: 1, timeCreated: 0, computer: "h", event: eventFromFields(255, { ID: "7", Description: "store failed" }) }, { processId: 9 });
    expect(xml).toContain("<EventID>255</EventID><Version>3</Version><Level>2</Level>");
    expect(xml).toContain('<Data Name="UtcTime">-</Data><Data Name="ID">7</Data><Data Name="Description">store failed</Data></EventData></Event>');
  });

  const hostile = [
    "line\nbreak\r\nand \"quotes\" 'single'",
    "<script>&amp;</script>]]>",
    Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join(""),
    "lone \ud800 high and \udc00 low surrogates, pair \ud83d\ude00",
    "x".repeat(4096),
    "\u0085\u2028\u2029\ufeff\uffff",
  ];

  it.each(ALL_EVENTS.map((def) => [def.id]))("gives well-formed XML for hostile values in every field of event %i", (id) => {
    for (const value of hostile) {
      const def = ALL_EVENTS.find((d) => d.id === id)!;
      const stamped: StampedEvent = { recordId: 5, timeCreated: Date.now(), computer: value, event: { id, values: def.fields.map(() => value) } };
      const xml = renderLinuxXml(stamped, { processId: 1 });
      expect(XMLValidator.validate(xml)).toBe(true);
      expect(xml.isWellFormed()).toBe(true);
      const back = stampedFromXml(xml);
      // What a parser reads back is the value, with lone surrogates replaced.
      const expected = value.toWellFormed();
      if (!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\r]/.test(value) && Buffer.byteLength(xml) < 60_000) expect(back.event.values).toEqual(def.fields.map(() => expected));
    }
  });

  it("keeps huge events under 65535 UTF-8 bytes and well-formed by shortening the longest values", () => {
    const stamped = base({ CommandLine: "é".repeat(40_000), ParentCommandLine: "<".repeat(30_000), Image: "/bin/x" });
    const xml = renderLinuxXml(stamped, { processId: 1 });
    expect(Buffer.byteLength(xml)).toBeLessThanOrEqual(65535);
    expect(Buffer.byteLength(xml)).toBeGreaterThan(60_000);
    expect(XMLValidator.validate(xml)).toBe(true);
    const back = stampedFromXml(xml);
    expect(back.event.values[4]).toBe("/bin/x");
    expect(back.event.values[10]!.endsWith("...")).toBe(true);
  });
});
