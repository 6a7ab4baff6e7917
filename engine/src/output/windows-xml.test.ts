import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { ALL_EVENTS, findEvent } from "../schema";
import type { StampedEvent } from "../schema";
import { renderWindowsXml } from "./windows-xml";

const SAMPLES = resolve(__dirname, "../../..", "../shared/corpora/events-windows-evtx-attack-samples-open/xml");

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => name === "Data" || name === "Event",
});

interface ParsedEvent {
  System: Record<string, unknown> & { EventID: string | { "#text": string }; EventRecordID: string; Computer: string };
  EventData: { Data: { "@Name": string; "#text"?: string }[] };
}

describe("renderWindowsXml", () => {
  // Real Sysmon events (rendered by python-evtx): rebuild each with the catalogue's field list
  // and check our layout carries the same System values and EventData in manifest order.
  const files = readdirSync(SAMPLES).filter((f) => f.endsWith(".xml"));
  const events = files.flatMap((file) => (parser.parse(readFileSync(resolve(SAMPLES, file), "utf8")) as { Events: { Event: ParsedEvent[] } }).Events.Event);

  it("renders real events with Sysmon's System block and manifest-ordered EventData", () => {
    let compared = 0;
    for (const original of events) {
      const idValue = original.System.EventID;
      const id = Number(typeof idValue === "string" ? idValue : idValue["#text"]);
      const def = findEvent(id);
      if (!def) continue;
      const named = new Map(original.EventData.Data.map((d) => [d["@Name"], d["#text"] ?? "-"]));
      // Older Sysmon versions wrote fewer fields; compare only events with the catalogue's full list.
      if (def.fields.some((f) => !named.has(f.name)) || original.System["Version"] !== String(def.version)) continue;
      const stamped: StampedEvent = {
        recordId: Number(original.System.EventRecordID),
        timeCreated: Date.UTC(2019, 3, 27),
        computer: original.System.Computer,
        event: { id, values: def.fields.map((f) => named.get(f.name)!) },
      };
      const xml = renderWindowsXml(stamped, { processId: 1912, threadId: 996 });
      expect(XMLValidator.validate(xml)).toBe(true);
      const ours = (parser.parse(xml) as { Event: ParsedEvent[] }).Event[0]!;
      expect(ours.System["EventID"]).toBe(String(id));
      for (const key of ["Version", "Level", "Task", "Opcode", "Keywords", "EventRecordID", "Channel", "Computer"]) {
        expect([key, ours.System[key]]).toEqual([key, original.System[key]]);
      }
      expect(ours.System["Security"]).toEqual({ "@UserID": "S-1-5-18" });
      expect(ours.EventData.Data.map((d) => d["@Name"])).toEqual(def.fields.map((f) => f.name));
      expect(ours.EventData.Data.map((d) => (d["#text"] ?? "-").toLowerCase())).toEqual(stamped.event.values.map((v) => v.toLowerCase()));
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
  });

  it("writes the §5 header with 7 fractional digits and lowercase GUIDs", () => {
    const xml = renderWindowsXml(
      { recordId: 12345, timeCreated: Date.UTC(2023, 4, 1, 10, 11, 12, 123) + 0.4567, computer: "pc.example.org", event: { id: 1, values: ALL_EVENTS[0]!.fields.map((f) => (f.type === "guid" ? "{ABCDEF00-0000-0000-0000-00000000000A}" : "-")) } },
      { processId: 4, threadId: 8 },
    );
    expect(xml).toContain('<Provider Name="Microsoft-Windows-Sysmon" Guid="{5770385f-c22a-43e0-bf4c-06f5698ffbd9}"/><EventID>1</EventID><Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="2023-05-01T10:11:12.1234570Z"/><EventRecordID>12345</EventRecordID><Correlation/><Execution ProcessID="4" ThreadID="8"/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>pc.example.org</Computer><Security UserID="S-1-5-18"/>');
    expect(xml).toContain('<Data Name="ProcessGuid">{abcdef00-0000-0000-0000-00000000000a}</Data>');
  });

  it("stays well-formed XML 1.0 for hostile values", () => {
    const hostile = `a"b'c<d>e&f\n\r\t${Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join("")}\ud800\uffff${"z".repeat(4096)}`;
    for (const def of ALL_EVENTS) {
      const xml = renderWindowsXml({ recordId: 1, timeCreated: 0, computer: hostile, event: { id: def.id, values: def.fields.map(() => hostile) } }, { processId: 1 });
      expect(XMLValidator.validate(xml)).toBe(true);
      expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
      expect(xml.isWellFormed()).toBe(true);
    }
  });
});
