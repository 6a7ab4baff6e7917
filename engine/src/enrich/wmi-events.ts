import type { SysmonEvent } from "../schema";
import { eventDef, formatUtcTime } from "../schema";
import type { WmiSubscriptionRecord } from "../sensor";

/**
 * Sysmon writes each WMI-supplied string as a space and the value in double quotes, with the
 * value's own quotes backslash-escaped and nothing else escaped: `Name:  "Evil Persistence"`,
 * `Consumer:  "CommandLineEventConsumer.Name=\"Evil Persistence\""` (real Sysmon events 19 and
 * 21 in corpora/events-windows-otrf-open, covenant_persistwmi; a published event 21 with a
 * `\\.\ROOT\subscription:` path shows backslashes left as they are).
 */
export function wmiQuoted(value: string): string {
  return ` "${value.replaceAll('"', '\\"')}"`;
}

/**
 * Sysmon's Type for the two consumers attackers use ("Command Line", "Script"). Other consumer
 * classes are named by their class without the EventConsumer suffix ("LogFile", "SMTP"): an
 * inference, as no real Sysmon event for them was available to compare with.
 */
export function wmiConsumerTypeText(consumerClass: string): string {
  if (consumerClass === "CommandLineEventConsumer") return "Command Line";
  if (consumerClass === "ActiveScriptEventConsumer") return "Script";
  return consumerClass.replace(/EventConsumer$/, "") || "-";
}

/** Each field is looked up once, so a misspelt name fails at load, not as a silent "-". */
function eventBuilder(id: number): (named: Readonly<Record<string, string>>) => SysmonEvent {
  const def = eventDef(id);
  return (named) => {
    const values = new Array<string>(def.fields.length).fill("-");
    for (const [name, value] of Object.entries(named)) {
      const index = def.fieldIndex.get(name);
      if (index === undefined) throw new RangeError(`event ${id} has no field ${name}`);
      values[index] = value === "" ? "-" : value;
    }
    return { id, values };
  };
}

const FILTER = eventBuilder(19);
const CONSUMER = eventBuilder(20);
const BINDING = eventBuilder(21);

/**
 * One permanent subscription becoming active (WMI-Activity 5861 reports the binding, with the
 * filter and consumer it joins) yields Sysmon's three events in the order WMI creates the
 * objects: filter (19), consumer (20), binding (21), all Operation "Created".
 */
export function wmiSubscriptionEvents(record: WmiSubscriptionRecord, options: { readonly user: string }): SysmonEvent[] {
  const common = { UtcTime: formatUtcTime(record.timeMs), Operation: "Created", User: options.user };
  // The binding's references, as WMI writes a relative object path: Class.Key="value".
  const consumerPath = `${record.consumerType}.Name="${record.consumerName}"`;
  const filterPath = `__EventFilter.Name="${record.filterName}"`;
  return [
    FILTER({
      EventType: "WmiFilterEvent", ...common, EventNamespace: wmiQuoted(record.eventNamespace),
      Name: wmiQuoted(record.filterName), Query: wmiQuoted(record.filterQuery),
    }),
    CONSUMER({
      EventType: "WmiConsumerEvent", ...common, Name: wmiQuoted(record.consumerName),
      Type: wmiConsumerTypeText(record.consumerType), Destination: wmiQuoted(record.consumerDestination),
    }),
    BINDING({ EventType: "WmiBindingEvent", ...common, Consumer: wmiQuoted(consumerPath), Filter: wmiQuoted(filterPath) }),
  ];
}
