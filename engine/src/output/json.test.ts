import { ALL_EVENTS, eventFromFields } from "../schema";
import type { StampedEvent } from "../schema";
import { eventToJson, renderJson } from "./json";

const stamped = (id: number, values: Record<string, string>): StampedEvent => ({
  recordId: 42,
  timeCreated: Date.UTC(2026, 10, 21, 15, 4, 5, 123) + 0.4567,
  computer: "host-a",
  event: eventFromFields(id, values),
});

describe("renderJson", () => {
  it("writes the shared flat shape: header keys first, then fields in manifest order, typed", () => {
    const json = renderJson(stamped(3, { Protocol: "tcp", Initiated: "true", SourcePort: "443", SourceIsIpv6: "-", ProcessId: "77" }));
    const parsed = JSON.parse(json) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(["EventID", "EventRecordID", "EventVersion", "Computer", "TimeCreated", ...ALL_EVENTS.find((e) => e.id === 3)!.fields.map((f) => f.name)]);
    expect(parsed).toMatchObject({
      EventID: 3,
      EventRecordID: 42,
      EventVersion: 5,
      Computer: "host-a",
      TimeCreated: "2026-11-21T15:04:05.1234570Z",
      RuleName: "-",
      ProcessId: 77,
      Initiated: true,
      SourceIsIpv6: null,
      SourcePort: 443,
      DestinationPort: null,
      Protocol: "tcp",
    });
  });

  it("keeps every digit of a uint64 beyond 2^53 and keeps hex and GUID fields as strings", () => {
    const json = renderJson({ recordId: 1, timeCreated: 0, computer: "h", event: eventFromFields(1, { LogonId: "0x3e7", TerminalSessionId: "18446744073709551615" }) });
    expect(json).toContain('"LogonId":"0x3e7"');
    // TerminalSessionId is uint32; a uint64 appears in no Linux event, so use the raw text check.
    expect(json).toContain('"TerminalSessionId":18446744073709551615');
  });

  it("gives valid JSON for hostile strings and keeps them as they were", () => {
    const hostile = 'q"uote\\ back\nnl\u0000nul\u001f \ud800 lone </script> ' + "x".repeat(4096);
    for (const def of ALL_EVENTS) {
      const event = { id: def.id, values: def.fields.map(() => hostile) };
      const parsed = JSON.parse(renderJson({ recordId: 1, timeCreated: 0, computer: hostile, event })) as Record<string, unknown>;
      expect(parsed["Computer"]).toBe(hostile);
      for (const field of def.fields) {
        if (field.type === "string" || field.type === "guid") expect(parsed[field.name]).toBe(hostile);
        else expect(parsed[field.name]).toBe(hostile); // not a number: kept visible as a string
      }
    }
  });

  it("eventToJson returns the same shape as an object", () => {
    const event = stamped(1, { Image: "/bin/sh", ProcessId: "5" });
    expect(eventToJson(event)).toEqual(JSON.parse(renderJson(event)));
  });
});

describe("renderJson for event 4", () => {
  it("holds each key once although the event has a field named Version", () => {
    const json = renderJson({ recordId: 1, timeCreated: 0, computer: "h", event: eventFromFields(4, { State: "Started", Version: "0.1.0", SchemaVersion: "4.90" }) });
    expect(json.match(/"Version":/g)).toHaveLength(1);
    expect(JSON.parse(json)).toMatchObject({ EventVersion: 3, Version: "0.1.0" });
  });
});
