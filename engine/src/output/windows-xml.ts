import { findEvent } from "../schema";
import type { EventDef, StampedEvent } from "../schema";
import { escapeWindowsXml } from "./escape";
import { formatTimeCreated } from "./time";

export interface WindowsXmlOptions {
  readonly processId: number;
  readonly threadId?: number;
  /** Security UserID: the SID of the writer, the service account (cli-and-output.md §5). */
  readonly userSid?: string;
}

const HEAD =
  '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>' +
  '<Provider Name="Microsoft-Windows-Sysmon" Guid="{5770385f-c22a-43e0-bf4c-06f5698ffbd9}"/>';

const dataOpenCache = new Map<number, readonly string[]>();

function dataOpen(def: EventDef): readonly string[] {
  let open = dataOpenCache.get(def.id);
  if (!open) {
    open = def.fields.map((f) => `<Data Name="${f.name}">`);
    dataOpenCache.set(def.id, open);
  }
  return open;
}

/**
 * Renders an event in the Windows Event XML layout of Event Viewer's XML view
 * (cli-and-output.md §5), on one line: Sysmon's provider and channel, Keywords = the
 * channel bit, TimeCreated with 7 fractional digits, and GUID fields lowercase as the
 * event log renders win:GUID.
 */
export function renderWindowsXml(stamped: StampedEvent, options: WindowsXmlOptions): string {
  const def = findEvent(stamped.event.id);
  if (!def) throw new RangeError(`event ${stamped.event.id} is not in the catalogue`);
  let xml =
    `${HEAD}<EventID>${def.id}</EventID><Version>${def.version}</Version><Level>${def.levelValue}</Level><Task>${def.id}</Task>` +
    `<Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="${formatTimeCreated(stamped.timeCreated, 7)}"/>` +
    `<EventRecordID>${stamped.recordId}</EventRecordID><Correlation/>` +
    `<Execution ProcessID="${options.processId}" ThreadID="${options.threadId ?? options.processId}"/>` +
    `<Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>${escapeWindowsXml(stamped.computer)}</Computer>` +
    `<Security UserID="${escapeWindowsXml(options.userSid ?? "S-1-5-18")}"/></System><EventData>`;
  const open = dataOpen(def);
  const values = stamped.event.values;
  for (let i = 0; i < def.fields.length; i++) {
    const value = values[i] ?? "-";
    xml += `${open[i]}${escapeWindowsXml(def.fields[i]!.type === "guid" ? value.toLowerCase() : value)}</Data>`;
  }
  return `${xml}</EventData></Event>`;
}
