import { eventToFields } from "../schema";
import { wmiConsumerTypeText, wmiQuoted, wmiSubscriptionEvents } from "./wmi-events";

describe("WMI subscription events", () => {
  test("values are quoted after a space, with only their quotes escaped", () => {
    expect(wmiQuoted("root/cimv2")).toBe(' "root/cimv2"');
    expect(wmiQuoted('\\\\.\\ROOT\\subscription:X.Name="a"')).toBe(' "\\\\.\\ROOT\\subscription:X.Name=\\"a\\""');
    expect(wmiQuoted("")).toBe(' ""');
  });

  test("consumer classes name their Type", () => {
    expect(["CommandLineEventConsumer", "ActiveScriptEventConsumer", "SMTPEventConsumer", ""].map(wmiConsumerTypeText)).toEqual(["Command Line", "Script", "SMTP", "-"]);
  });

  test("a script consumer's binding names its class and key", () => {
    const [filter, consumer, binding] = wmiSubscriptionEvents({
      kind: "wmi-subscription", timeMs: Date.UTC(2026, 0, 2, 3, 4, 5, 6), actor: { pid: 1, tid: 0, uid: 4294967295 }, namespace: "root\\subscription",
      eventNamespace: "root\\cimv2", creatorSid: "", filterName: "F", filterQuery: "SELECT * FROM __TimerEvent", consumerType: "ActiveScriptEventConsumer",
      consumerName: "C", consumerDestination: "GetObject(\"x\")", detail: "",
    }, { user: "DOM\\u" });
    expect([filter!.id, consumer!.id, binding!.id]).toEqual([19, 20, 21]);
    expect(eventToFields(filter!)).toEqual({
      RuleName: "-", EventType: "WmiFilterEvent", UtcTime: "2026-01-02 03:04:05.006", Operation: "Created", User: "DOM\\u",
      EventNamespace: ' "root\\cimv2"', Name: ' "F"', Query: ' "SELECT * FROM __TimerEvent"',
    });
    expect(eventToFields(consumer!)).toMatchObject({ Type: "Script", Destination: ' "GetObject(\\"x\\")"' });
    expect(eventToFields(binding!)).toMatchObject({ Consumer: ' "ActiveScriptEventConsumer.Name=\\"C\\""', Filter: ' "__EventFilter.Name=\\"F\\""' });
  });
});
