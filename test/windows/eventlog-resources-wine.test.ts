// System test: SysmonTs.Events.dll as Windows reads it. The Windows node.exe under Wine loads the
// DLL built by scripts/package.mjs as an image resource, reads its WEVT_TEMPLATE and message table
// through kernel32 and formats messages with FormatMessageW, the function Event Viewer's message
// text comes from (EvtFormatMessage formats the provider's message the same way, with each
// property rendered to a string insert). Messages are compared byte for byte with the Message
// field of real Sysmon events (corpora/events-windows-otrf-open, HELK shape), with the event's own
// values as inserts. What Wine cannot show — the event log service itself rendering our events —
// is in confirm-on-windows.ps1.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { EventDef, FieldDef } from "../../engine/src/schema";
import {
  CHANNEL_MESSAGE,
  EVENTLOG_PROVIDER_NAME,
  EVENTLOG_RESOURCE_DLL,
  LEVEL_MESSAGES,
  MESSAGE_ID,
  OPCODE_INFO_MESSAGE,
  eventLogMessages,
  windowsEvents,
} from "../../engine/src/output/windows-eventlog/manifest";
import { buildMessageTable } from "../../engine/src/output/windows-eventlog/message-table";
import { buildWevtTemplate } from "../../engine/src/output/windows-eventlog/wevt-template";
import { CORPORA } from "../support/corpora";
import type { EventLogProbeInput } from "./eventlog-resources-wine-probe";
import { WinePrefix, buildDir, ensureWindowsBuild, winePath } from "./harness";
import { type ProbeResults, runProbe } from "./wine-harness";

jest.setTimeout(600_000);

interface CorpusRecord {
  EventID: number;
  shape: string;
  EventData: Record<string, unknown>;
  Message?: string;
  Meta: { _fields_parsed_from_Message?: unknown };
}

/**
 * Sysmon renamed event 23's template from "File Delete" to "File Delete archived" without a new
 * event version; the corpus holds both, and we render the newer one (spec/events.md §2).
 */
const EARLIER_TEMPLATE_NAMES: Readonly<Record<number, string>> = { 23: "File Delete" };

/**
 * The insert the event log passes for a property: hex types are rendered 0x + upper-case digits
 * in the message (a real event 1: LogonId 0xed9495 in EventData, "LogonId: 0xED9495" in Message),
 * everything else as the text Sysmon wrote.
 */
function messageInsert(field: FieldDef, value: string): string {
  return field.type === "hex32" || field.type === "hex64" ? `0x${value.replace(/^0x/i, "").toUpperCase()}` : value;
}

/**
 * For each Windows event, the first real event of it in the corpus that carries a rendered
 * Message and exactly the catalogue's fields (older Sysmon builds logged fewer under the same
 * version), and whose values HELK neither parsed back from the Message nor HTML-escaped.
 */
function realEventsByCatalogueEvent(): Map<number, { def: EventDef; values: string[]; message: string }> {
  const dir = path.join(CORPORA, "events-windows-otrf-open");
  const defs = new Map(windowsEvents().map((d) => [d.id, d]));
  const found = new Map<number, { def: EventDef; values: string[]; message: string }>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort()) {
    for (const line of readFileSync(path.join(dir, file), "utf8").split("\n")) {
      if (!line.trim()) continue;
      const record = JSON.parse(line) as CorpusRecord;
      const def = defs.get(record.EventID);
      if (!def || found.has(def.id) || record.shape !== "helk-flat" || !record.Message || record.Meta._fields_parsed_from_Message) continue;
      if (Object.keys(record.EventData).join(",") !== def.fields.map((f) => f.name).join(",")) continue;
      if (record.Message.startsWith(`${EARLIER_TEMPLATE_NAMES[def.id]}:\r\n`)) continue;
      const values = def.fields.map((f) => String(record.EventData[f.name]));
      if (values.some((v) => /&(lt|gt|amp);/.test(v))) continue;
      found.set(def.id, { def, values: values.map((v, i) => messageInsert(def.fields[i]!, v)), message: record.Message });
    }
  }
  return found;
}

describe("SysmonTs.Events.dll read by Windows' resource and message functions (Wine)", () => {
  const realEvents = realEventsByCatalogueEvent();
  const withoutRealEvent = windowsEvents().filter((d) => !realEvents.has(d.id));
  /** Inserts for events the corpus lacks: distinct per field, so a misnumbered %n shows. */
  const syntheticInserts = (def: EventDef): string[] => def.fields.map((f, i) => `value ${i + 1} of ${f.name}`);
  const levels = [...new Set(windowsEvents().map((d) => d.levelValue))];
  let wine: WinePrefix;
  let report: ProbeResults;

  beforeAll(() => {
    ensureWindowsBuild();
    wine = WinePrefix.create();
    const input: EventLogProbeInput = {
      dll: winePath(path.join(buildDir, EVENTLOG_RESOURCE_DLL)),
      messages: [
        ...[...realEvents.values()].map(({ def, values }) => ({ id: MESSAGE_ID.event(def.id), inserts: values })),
        ...withoutRealEvent.map((def) => ({ id: MESSAGE_ID.event(def.id), inserts: syntheticInserts(def) })),
        ...windowsEvents().map((def) => ({ id: MESSAGE_ID.task(def.id), inserts: null })),
        ...levels.map((value) => ({ id: MESSAGE_ID.level(value), inserts: null })),
        { id: MESSAGE_ID.provider, inserts: null },
        { id: MESSAGE_ID.channel, inserts: null },
        { id: MESSAGE_ID.opcode(0), inserts: null },
      ],
    };
    const inputFile = wine.scratchFile("input.json");
    writeFileSync(inputFile.unix, JSON.stringify(input));
    report = runProbe(wine, path.join(__dirname, "eventlog-resources-wine-probe.ts"), { env: { SYSMONTS_EVENTLOG_PROBE_INPUT: inputFile.windows } });
  });

  afterAll(() => wine?.close());

  const stepNamed = (name: string) => report.step(name);
  const formatted = (id: number): unknown => {
    const found = stepNamed(`message 0x${id.toString(16)}`);
    expect(found.ok).toBe(true);
    return found.detail;
  };

  test("the Windows node.exe loads the DLL as an image resource and unloads it", () => {
    expect(report.platform).toBe("win32");
    expect(stepNamed("load as image resource")).toMatchObject({ ok: true });
    expect(stepNamed("unload")).toMatchObject({ ok: true, detail: true });
  });

  test("WEVT_TEMPLATE #1 holds exactly the compiled manifest generated from the catalogue", () => {
    const resource = stepNamed("WEVT_TEMPLATE #1");
    expect(resource.ok).toBe(true);
    expect(Buffer.from(resource.detail as string, "base64").equals(buildWevtTemplate())).toBe(true);
  });

  test("MESSAGETABLE #1 holds exactly the provider's strings", () => {
    const resource = stepNamed("MESSAGETABLE #1");
    expect(resource.ok).toBe(true);
    expect(Buffer.from(resource.detail as string, "base64").equals(buildMessageTable(eventLogMessages()))).toBe(true);
  });

  test("an event's message with a real Sysmon event's values is that event's Message, byte for byte", () => {
    // Every Windows event the corpus has with today's fields: all but the few it never logged.
    expect([...realEvents.keys()]).toEqual(expect.arrayContaining([1, 3, 5, 7, 10, 11, 12, 13, 22, 23, 26, 28, 29, 255]));
    expect(realEvents.get(1)!.message.startsWith("Process Create:\r\nRuleName: ")).toBe(true);
    for (const { def, message } of realEvents.values()) expect({ id: def.id, text: formatted(MESSAGE_ID.event(def.id)) }).toEqual({ id: def.id, text: message });
  });

  test("events the corpus lacks render as the template name and one `Field: value` line per field", () => {
    expect(withoutRealEvent.map((d) => d.id).length).toBeLessThan(windowsEvents().length / 2);
    for (const def of withoutRealEvent) {
      const inserts = syntheticInserts(def);
      expect(formatted(MESSAGE_ID.event(def.id))).toBe([`${def.name}:`, ...def.fields.map((f, i) => `${f.name}: ${inserts[i]}`)].join("\r\n"));
    }
  });

  test("task, level, opcode, provider and channel strings by their message IDs", () => {
    expect(formatted(MESSAGE_ID.task(1))).toBe("Process Create (rule: ProcessCreate)");
    expect(formatted(MESSAGE_ID.task(4))).toBe("Sysmon service state changed");
    for (const def of windowsEvents()) {
      expect(formatted(MESSAGE_ID.task(def.id))).toBe(def.ruleName === null ? def.name : `${def.name} (rule: ${def.ruleName})`);
    }
    for (const value of levels) expect(formatted(MESSAGE_ID.level(value))).toBe(LEVEL_MESSAGES[value]);
    expect(formatted(MESSAGE_ID.provider)).toBe(EVENTLOG_PROVIDER_NAME);
    expect(formatted(MESSAGE_ID.channel)).toBe(CHANNEL_MESSAGE);
    expect(formatted(MESSAGE_ID.opcode(0))).toBe(OPCODE_INFO_MESSAGE);
  });
});
