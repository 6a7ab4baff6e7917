import { ALL_EVENTS } from "../../schema";
import type { EventDef, FieldDef, FieldType } from "../../schema";
import { providerGuidFromName } from "./guid";

/** Names the event-log sink and the installer agree on (spec/cli-and-output.md §5, renamed for us). */
export const EVENTLOG_PROVIDER_NAME = "SysmonTs";
export const EVENTLOG_CHANNEL_NAME = "SysmonTs/Operational";
/** The resource-only DLL the installer puts beside SysmonTs.exe (scripts/package.mjs builds it). */
export const EVENTLOG_RESOURCE_DLL = "SysmonTs.Events.dll";
/** Derived from the name, so `logman query providers SysmonTs` and ETW tools agree with the manifest. */
export const EVENTLOG_PROVIDER_GUID = providerGuidFromName(EVENTLOG_PROVIDER_NAME);
/**
 * The channel's number in EVENT_DESCRIPTOR.Channel. 16 is the first value mc.exe gives a
 * provider's own channel, and its keyword bit is 63: Sysmon's events carry Keywords
 * 0x8000000000000000 for exactly this reason (spec/cli-and-output.md §5).
 */
export const EVENTLOG_CHANNEL_VALUE = 16;
export const EVENTLOG_CHANNEL_KEYWORD = 0x8000000000000000n;

/** The manifest inType of each catalogue type (spec/events.md §1, "In-type rendering"). */
export const IN_TYPE: Readonly<Record<FieldType, string>> = {
  string: "win:UnicodeString",
  guid: "win:GUID",
  uint32: "win:UInt32",
  uint16: "win:UInt16",
  uint64: "win:UInt64",
  hex32: "win:HexInt32",
  hex64: "win:HexInt64",
  bool: "win:Boolean",
};

/**
 * Sysmon's manifest gives strings outType xs:string and process IDs win:PID, and leaves every
 * other type to its inType's default rendering (corpora/schemas-sysmon/sysmoncommon-manifest.xml).
 */
export function outTypeOf(field: FieldDef): string | null {
  if (field.type === "string") return "xs:string";
  if (field.type === "uint32" && field.name.endsWith("ProcessId")) return "win:PID";
  return null;
}

export interface ManifestOptions {
  /** Binary holding the provider's resources (WEVT_TEMPLATE, message table), as the installer places it. */
  readonly resourceFile?: string;
  /** Events to include; defaults to every Windows-capable event of the catalogue. */
  readonly events?: readonly EventDef[];
}

/** Same access as Sysmon's channel: SYSTEM full, Administrators read/write/clear, readers read. */
export const CHANNEL_ACCESS = "O:BAG:SYD:(A;;0xf0007;;;SY)(A;;0x7;;;BA)(A;;0x1;;;BO)(A;;0x1;;;SO)(A;;0x1;;;S-1-5-32-573)";
export const CHANNEL_MAX_BYTES = 67108864;

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Events that can occur on Windows: the Linux-only eBPF event 100 has no place in the event log. */
export function windowsEvents(): readonly EventDef[] {
  return ALL_EVENTS.filter((e) => e.target !== "linux");
}

/** Task event GUIDs follow Sysmon's pattern: a fixed prefix and the event ID in the last byte(s). */
export function taskEventGuid(id: number): string {
  return `{C511FFB3-9FBF-45F5-A97B-9BEE${id.toString(16).toUpperCase().padStart(8, "0")}}`;
}

/** "%n" is the manifest message-string newline: the message is `Template:\r\nField: value …` (§5). */
export function eventMessage(def: EventDef): string {
  return `${def.name}:` + def.fields.map((f, i) => `%n${f.name}: %${i + 1}`).join("");
}

/** Task strings are "<template> (rule: <RuleName>)" for filterable events (spec/events.md §2). */
export function taskMessage(def: EventDef): string {
  return def.ruleName === null ? def.name : `${def.name} (rule: ${def.ruleName})`;
}

/** The channel's display string, and the standard names of the levels the catalogue uses (winmeta.xml). */
export const CHANNEL_MESSAGE = EVENTLOG_CHANNEL_NAME;
export const LEVEL_MESSAGES: Readonly<Record<number, string>> = { 1: "Critical", 2: "Error", 3: "Warning", 4: "Information", 5: "Verbose" };
export const OPCODE_INFO_MESSAGE = "Info";

/**
 * Message-table IDs of the provider's strings, in mc.exe's numbering scheme (a kind in the high
 * nibble, the element's value below it) so that they never collide: the compiled manifest
 * (wevt-template.ts) and the message table (message-table.ts) both take them from here.
 */
export const MESSAGE_ID = {
  provider: 0x90000001,
  channel: 0x90000002,
  level: (value: number): number => (0x50000000 | value) >>> 0,
  opcode: (value: number): number => (0x30000000 | value) >>> 0,
  task: (value: number): number => (0x70000000 | value) >>> 0,
  event: (id: number): number => (0xb0000000 | id) >>> 0,
} as const;

/**
 * Every string of the provider by message ID: provider and channel names, the levels the events
 * use, opcode win:Info, and each event's task string and message with its %1… inserts.
 */
export function eventLogMessages(events: readonly EventDef[] = windowsEvents()): Map<number, string> {
  const messages = new Map<number, string>();
  messages.set(MESSAGE_ID.provider, EVENTLOG_PROVIDER_NAME);
  messages.set(MESSAGE_ID.channel, CHANNEL_MESSAGE);
  messages.set(MESSAGE_ID.opcode(0), OPCODE_INFO_MESSAGE);
  for (const def of events) {
    messages.set(MESSAGE_ID.level(def.levelValue), LEVEL_MESSAGES[def.levelValue] ?? def.level);
    messages.set(MESSAGE_ID.task(def.id), taskMessage(def));
    messages.set(MESSAGE_ID.event(def.id), eventMessage(def));
  }
  return messages;
}

/**
 * Generates the Windows instrumentation manifest for the SysmonTs provider from the event
 * catalogue: one task, template and event per catalogue event, with Sysmon's event IDs,
 * versions, levels, field names, field order and in/out types. Register it on Windows with
 * `wevtutil im SysmonTs.man /rf:<dll> /mf:<dll>` (the MSI does, installer/wix/SysmonTs.wxs).
 *
 * @example
 * const xml = buildEventLogManifest({ resourceFile: "C:\\Program Files\\SysmonTs\\SysmonTs.Events.dll" });
 */
export function buildEventLogManifest(options: ManifestOptions = {}): string {
  const resourceFile = escapeXml(options.resourceFile ?? `%ProgramFiles%\\SysmonTs\\${EVENTLOG_RESOURCE_DLL}`);
  const events = [...(options.events ?? windowsEvents())].sort((a, b) => a.id - b.id);
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push("<!-- Generated by SysmonTs from engine/src/schema; do not edit. -->");
  out.push(
    '<instrumentationManifest xmlns="http://schemas.microsoft.com/win/2004/08/events" ' +
      'xmlns:win="http://manifests.microsoft.com/win/2004/08/windows/events" ' +
      'xmlns:xs="http://www.w3.org/2001/XMLSchema">',
  );
  out.push("  <instrumentation>", "    <events>");
  out.push(
    `      <provider name="${EVENTLOG_PROVIDER_NAME}" guid="${EVENTLOG_PROVIDER_GUID}" symbol="SYSMONTS_PROVIDER" ` +
      `resourceFileName="${resourceFile}" messageFileName="${resourceFile}" message="$(string.provider.name)">`,
  );
  out.push("        <channels>");
  out.push(
    `          <channel name="${EVENTLOG_CHANNEL_NAME}" chid="SYSMONTS_CHANNEL" symbol="SYSMONTS_CHANNEL" value="${EVENTLOG_CHANNEL_VALUE}" type="Operational" ` +
      `enabled="true" isolation="Custom" access="${CHANNEL_ACCESS}" message="$(string.channel)">`,
  );
  out.push(`            <logging><maxSize>${CHANNEL_MAX_BYTES}</maxSize></logging>`);
  out.push("          </channel>", "        </channels>");

  out.push("        <tasks>");
  for (const def of events) {
    out.push(`          <task name="${def.symbol}" value="${def.id}" eventGUID="${taskEventGuid(def.id)}" message="$(string.task.${def.id})" />`);
  }
  out.push("        </tasks>");

  out.push("        <templates>");
  for (const def of events) {
    out.push(`          <template tid="T${def.id}">`);
    for (const field of def.fields) {
      const outType = outTypeOf(field);
      out.push(`            <data name="${field.name}" inType="${IN_TYPE[field.type]}"${outType ? ` outType="${outType}"` : ""} />`);
    }
    out.push("          </template>");
  }
  out.push("        </templates>");

  out.push("        <events>");
  for (const def of events) {
    out.push(
      `          <event value="${def.id}" version="${def.version}" level="win:${def.level}" task="${def.symbol}" ` +
        `opcode="win:Info" channel="SYSMONTS_CHANNEL" template="T${def.id}" symbol="${def.symbol}" message="$(string.event.${def.id})" />`,
    );
  }
  out.push("        </events>");
  out.push("      </provider>", "    </events>", "  </instrumentation>");

  out.push("  <localization>", '    <resources culture="en-US">', "      <stringTable>");
  out.push(`        <string id="provider.name" value="${EVENTLOG_PROVIDER_NAME}" />`);
  out.push(`        <string id="channel" value="${escapeXml(CHANNEL_MESSAGE)}" />`);
  for (const def of events) {
    out.push(`        <string id="task.${def.id}" value="${escapeXml(taskMessage(def))}" />`);
    out.push(`        <string id="event.${def.id}" value="${escapeXml(eventMessage(def))}" />`);
  }
  out.push("      </stringTable>", "    </resources>", "  </localization>");
  out.push("</instrumentationManifest>", "");
  return out.join("\n");
}
