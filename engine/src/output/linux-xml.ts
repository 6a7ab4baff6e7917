import { findEvent } from "../schema";
import type { EventDef, StampedEvent } from "../schema";
import { escapeLinuxText } from "./escape";
import { formatTimeCreated } from "./time";

export interface LinuxXmlOptions {
  /** The engine's PID, written as Execution ProcessID. */
  readonly processId: number;
  /** The formatting thread (Sysmon uses gettid()); defaults to processId, the main thread. */
  readonly threadId?: number;
  /** Security UserId: the engine's effective uid (0 when it runs as root). */
  readonly userId?: number;
  /** The longest result in UTF-8 bytes (Sysmon's 64 KiB buffer, cli-and-output.md §6). */
  readonly maxBytes?: number;
}

const PROVIDER = '<Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/>';
export const LINUX_XML_MAX_BYTES = 65535;

interface Template {
  readonly head: string;
  readonly dataOpen: readonly string[];
}

const templates = new Map<number, Template>();

function templateFor(def: EventDef): Template {
  let template = templates.get(def.id);
  if (!template) {
    template = {
      head:
        `<Event><System>${PROVIDER}<EventID>${def.id}</EventID><Version>${def.version}</Version><Level>${def.levelValue}</Level>` +
        `<Task>${def.id}</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="`,
      dataOpen: def.fields.map((f) => `<Data Name="${f.name}">`),
    };
    templates.set(def.id, template);
  }
  return template;
}

function assemble(stamped: StampedEvent, def: EventDef, tail: string, values: readonly string[]): string {
  const template = templateFor(def);
  let xml = `${template.head}${formatTimeCreated(stamped.timeCreated, 9)}"/><EventRecordID>${stamped.recordId}</EventRecordID>${tail}`;
  for (let i = 0; i < template.dataOpen.length; i++) xml += `${template.dataOpen[i]}${values[i] ?? ""}</Data>`;
  return `${xml}</EventData></Event>`;
}

/**
 * Renders an event as Sysmon for Linux writes it to syslog: one line of raw XML, no
 * declaration, `<X/>` for empty elements, pugixml escaping (cli-and-output.md §6).
 *
 * Sysmon cuts its string at 65535 bytes, which leaves broken XML; we shorten the longest
 * values instead (ending them with "...") so every line stays well-formed and under the limit.
 *
 * @example
 * renderLinuxXml({ recordId: 0, timeCreated: 0, computer: "h", event: eventFromFields(4, { State: "Started" }) }, { processId: 1 });
 */
export function renderLinuxXml(stamped: StampedEvent, options: LinuxXmlOptions): string {
  const def = findEvent(stamped.event.id);
  if (!def) throw new RangeError(`event ${stamped.event.id} is not in the catalogue`);
  const tail =
    `<Correlation/><Execution ProcessID="${options.processId}" ThreadID="${options.threadId ?? options.processId}"/>` +
    `<Channel>Linux-Sysmon/Operational</Channel><Computer>${escapeLinuxText(stamped.computer)}</Computer>` +
    `<Security UserId="${options.userId ?? 0}"/></System><EventData>`;
  const values = stamped.event.values.map(escapeLinuxText);
  let xml = assemble(stamped, def, tail, values);
  const maxBytes = options.maxBytes ?? LINUX_XML_MAX_BYTES;
  // Characters are at most 3 UTF-8 bytes each (surrogate pairs: 4 bytes for 2 units), so a
  // short string needs no byte count.
  if (xml.length * 3 <= maxBytes) return xml;
  const raw = [...stamped.event.values];
  let bytes = Buffer.byteLength(xml);
  while (bytes > maxBytes) {
    let longest = 0;
    for (let i = 1; i < values.length; i++) if (values[i]!.length > values[longest]!.length) longest = i;
    const text = raw[longest]!;
    if (text.length <= 3) break;
    // Cut in proportion to what this value costs per character once escaped and encoded;
    // the loop takes another cut if that was not enough.
    const bytesPerChar = Buffer.byteLength(values[longest]!) / text.length;
    const keep = Math.max(0, Math.min(text.length - 4, text.length - Math.ceil((bytes - maxBytes) / bytesPerChar) - 3));
    raw[longest] = `${text.slice(0, keep)}...`;
    values[longest] = escapeLinuxText(raw[longest]!);
    xml = assemble(stamped, def, tail, values);
    bytes = Buffer.byteLength(xml);
  }
  return xml;
}
