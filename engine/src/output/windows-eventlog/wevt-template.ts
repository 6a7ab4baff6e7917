// The compiled instrumentation manifest ("CRIM") that mc.exe would put in a provider's
// WEVT_TEMPLATE resource, generated from the same catalogue-derived model as the XML manifest.
// Layout: libfwevt's "Windows Event manifest binary format" document (CRIM header, provider
// descriptors, WEVT provider with element descriptors, CHAN/LEVL/OPCO/TASK/EVNT/TTBL elements,
// TEMP templates with BinXML, item descriptors and item names). Fields that document calls
// unknown are written as zero. Every offset is from the start of the CRIM blob.
import type { EventDef, FieldDef } from "../../schema";
import { encodeTemplateBinXml } from "./binxml";
import { ByteWriter } from "./byte-writer";
import { providerGuidFromName } from "./guid";
import {
  EVENTLOG_CHANNEL_KEYWORD,
  EVENTLOG_CHANNEL_NAME,
  EVENTLOG_CHANNEL_VALUE,
  EVENTLOG_PROVIDER_GUID,
  IN_TYPE,
  MESSAGE_ID,
  outTypeOf,
  taskEventGuid,
  windowsEvents,
} from "./manifest";

/** inType numbers of the compiled manifest (libfwevt document, "Template item input data type"). */
const IN_TYPE_CODE: Readonly<Record<string, number>> = {
  "win:UnicodeString": 0x01,
  "win:UInt16": 0x06,
  "win:UInt32": 0x08,
  "win:UInt64": 0x0a,
  "win:Boolean": 0x0d,
  "win:GUID": 0x0f,
  "win:HexInt32": 0x14,
  "win:HexInt64": 0x15,
};

/**
 * outType numbers ("Template item output data type"). A field without an outType in the XML gets
 * its inType's default one (EventManifest schema, InputType), as mc.exe records it.
 */
const OUT_TYPE_CODE: Readonly<Record<string, number>> = {
  "xs:string": 0x01,
  "xs:unsignedShort": 0x06,
  "xs:unsignedInt": 0x08,
  "xs:unsignedLong": 0x0a,
  "xs:boolean": 0x0d,
  "xs:GUID": 0x0e,
  "win:HexInt32": 0x12,
  "win:HexInt64": 0x13,
  "win:PID": 0x14,
};
const DEFAULT_OUT_TYPE: Readonly<Record<string, string>> = {
  "win:UnicodeString": "xs:string",
  "win:UInt16": "xs:unsignedShort",
  "win:UInt32": "xs:unsignedInt",
  "win:UInt64": "xs:unsignedLong",
  "win:Boolean": "xs:boolean",
  "win:GUID": "xs:GUID",
  "win:HexInt32": "win:HexInt32",
  "win:HexInt64": "win:HexInt64",
};

/** TEMP "event type" value for a template whose body is <EventData> (libfwevt document, TEMP header). */
const TEMPLATE_EVENT_DATA = 1;
const TEMPLATE_HEADER_BYTES = 40;
const TEMPLATE_ITEM_BYTES = 20;
const EVENT_DEFINITION_BYTES = 48;

export function fieldInTypeCode(field: FieldDef): number {
  return IN_TYPE_CODE[IN_TYPE[field.type]]!;
}

export function fieldOutTypeCode(field: FieldDef): number {
  return OUT_TYPE_CODE[outTypeOf(field) ?? DEFAULT_OUT_TYPE[IN_TYPE[field.type]]!]!;
}

/** A stable GUID per template, so rebuilding the DLL does not change it. */
export function templateGuid(def: EventDef): string {
  return providerGuidFromName(`${EVENTLOG_CHANNEL_NAME}/T${def.id}`);
}

/** Length-prefixed NUL-terminated UTF-16 string, 8-byte aligned (the CHAN/LEVL/OPCO/TASK "data"). */
function writeCountedString(out: ByteWriter, text: string): void {
  const start = out.length;
  const closeSize = (): void => out.patchU32(start, out.length - start);
  out.u32(0);
  out.utf16(text);
  out.u16(0);
  out.align(8);
  closeSize();
}

/** An element: signature, size (patched), count; `body` writes the rest. */
function writeElement(out: ByteWriter, signature: string, count: number, body: () => void): number {
  out.align(8);
  const start = out.length;
  out.ascii(signature);
  out.u32(0);
  out.u32(count);
  body();
  out.patchU32(start + 4, out.length - start);
  return start;
}

/**
 * Fixed-size definitions followed by their strings: `define(i, writeStringOffset)` writes
 * definition i and calls writeStringOffset once where the offset of its string belongs (patched
 * once the strings are placed after the definitions). Returns where each definition starts.
 */
function writeDefinitionsWithStrings(
  out: ByteWriter,
  texts: readonly string[],
  define: (index: number, writeStringOffset: () => void) => void,
): number[] {
  const stringOffsetFields: number[] = [];
  const definitionStarts: number[] = [];
  texts.forEach((_text, i) => {
    definitionStarts.push(out.length);
    define(i, () => {
      stringOffsetFields.push(out.length);
      out.u32(0);
    });
  });
  texts.forEach((text, i) => {
    out.patchU32(stringOffsetFields[i]!, out.length);
    writeCountedString(out, text);
  });
  return definitionStarts;
}

function writeTemplate(out: ByteWriter, def: EventDef): number {
  const start = out.length;
  out.ascii("TEMP");
  out.u32(0);
  out.u32(def.fields.length);
  out.u32(def.fields.length);
  const itemsOffsetField = out.length;
  out.u32(0);
  out.u32(TEMPLATE_EVENT_DATA);
  out.guid(templateGuid(def));
  out.bytesFrom(encodeTemplateBinXml(def.fields.map((f) => ({ name: f.name, valueType: fieldInTypeCode(f) }))));
  out.align(4);
  // With no fields the items offset stays 0 (libfwevt document, note under "Template definition").
  if (def.fields.length > 0) out.patchU32(itemsOffsetField, out.length);
  const nameOffsetFields: number[] = [];
  for (const field of def.fields) {
    out.u32(0);
    out.u8(fieldInTypeCode(field));
    out.u8(fieldOutTypeCode(field));
    out.u16(0);
    out.u32(0);
    out.u16(1); // count: one value, the field is a scalar
    out.u16(0); // length: taken from the value itself
    nameOffsetFields.push(out.length);
    out.u32(0);
  }
  def.fields.forEach((field, i) => {
    out.patchU32(nameOffsetFields[i]!, out.length);
    const nameStart = out.length;
    out.u32(0);
    out.utf16(field.name);
    out.u16(0);
    out.patchU32(nameStart, out.length - nameStart);
  });
  out.align(8);
  out.patchU32(start + 4, out.length - start);
  return start;
}

export interface WevtTemplateOptions {
  /** Events to include; defaults to every Windows-capable event of the catalogue. */
  readonly events?: readonly EventDef[];
}

/**
 * Builds the WEVT_TEMPLATE resource data for the SysmonTs provider: its channel, the levels and
 * opcode its events use, one task, event definition and template per catalogue event (IDs,
 * versions, levels, tasks, keywords and message IDs as the XML manifest declares them), with
 * each template's BinXML and its field names and types in manifest order.
 *
 * @example
 * writeFileSync("wevt.bin", buildWevtTemplate());
 */
export function buildWevtTemplate(options: WevtTemplateOptions = {}): Buffer {
  const events = [...(options.events ?? windowsEvents())].sort((a, b) => a.id - b.id);
  const levels = [...new Map(events.map((e) => [e.levelValue, e.level])).entries()].sort((a, b) => a[0] - b[0]);
  const out = new ByteWriter();

  out.ascii("CRIM");
  out.u32(0);
  out.u16(3);
  out.u16(1);
  out.u32(1);
  out.guid(EVENTLOG_PROVIDER_GUID);
  const providerOffsetField = out.length;
  out.u32(0);

  out.align(8);
  const providerStart = out.length;
  out.patchU32(providerOffsetField, providerStart);
  const elementCount = 6;
  out.ascii("WEVT");
  out.u32(0);
  out.u32(MESSAGE_ID.provider);
  out.u32(elementCount);
  out.u32(0);
  const elementOffsetFields: number[] = [];
  for (let i = 0; i < elementCount; i++) {
    elementOffsetFields.push(out.length);
    out.u32(0);
    out.u32(0);
  }
  out.patchU32(providerStart + 4, out.length - providerStart);
  const elementStarts: number[] = [];

  elementStarts.push(writeElement(out, "CHAN", 1, () => {
    writeDefinitionsWithStrings(out, [EVENTLOG_CHANNEL_NAME], (_i, stringOffset) => {
      out.u32(EVENTLOG_CHANNEL_VALUE);
      stringOffset();
      out.u32(0);
      out.u32(MESSAGE_ID.channel);
    });
  }));

  const levelDefinitionAt = new Map<number, number>();
  elementStarts.push(writeElement(out, "LEVL", levels.length, () => {
    const starts = writeDefinitionsWithStrings(out, levels.map(([, name]) => `win:${name}`), (i, stringOffset) => {
      out.u32(levels[i]![0]);
      out.u32(MESSAGE_ID.level(levels[i]![0]));
      stringOffset();
    });
    starts.forEach((at, i) => levelDefinitionAt.set(levels[i]![0], at));
  }));

  let opcodeInfoAt = 0;
  elementStarts.push(writeElement(out, "OPCO", 1, () => {
    [opcodeInfoAt] = writeDefinitionsWithStrings(out, ["win:Info"], (_i, stringOffset) => {
      out.u32(0);
      out.u32(MESSAGE_ID.opcode(0));
      stringOffset();
    }) as [number];
  }));

  const taskDefinitionAt = new Map<number, number>();
  elementStarts.push(writeElement(out, "TASK", events.length, () => {
    const starts = writeDefinitionsWithStrings(out, events.map((e) => e.symbol), (i, stringOffset) => {
      const def = events[i]!;
      out.u32(def.id);
      out.u32(MESSAGE_ID.task(def.id));
      out.guid(taskEventGuid(def.id));
      stringOffset();
    });
    starts.forEach((at, i) => taskDefinitionAt.set(events[i]!.id, at));
  }));

  const templateOffsetFields = new Map<number, number>();
  elementStarts.push(writeElement(out, "EVNT", events.length, () => {
    out.u32(0);
    for (const def of events) {
      const start = out.length;
      out.u16(def.id);
      out.u8(def.version);
      out.u8(EVENTLOG_CHANNEL_VALUE);
      out.u8(def.levelValue);
      out.u8(0);
      out.u16(def.id);
      out.u64(EVENTLOG_CHANNEL_KEYWORD);
      out.u32(MESSAGE_ID.event(def.id));
      templateOffsetFields.set(def.id, out.length);
      out.u32(0);
      out.u32(opcodeInfoAt);
      out.u32(levelDefinitionAt.get(def.levelValue)!);
      out.u32(taskDefinitionAt.get(def.id)!);
      while (out.length - start < EVENT_DEFINITION_BYTES) out.u32(0);
    }
  }));

  elementStarts.push(writeElement(out, "TTBL", events.length, () => {
    for (const def of events) out.patchU32(templateOffsetFields.get(def.id)!, writeTemplate(out, def));
  }));

  elementStarts.forEach((at, i) => out.patchU32(elementOffsetFields[i]!, at));
  out.patchU32(4, out.length);
  return out.done();
}

export const WEVT_LAYOUT = { TEMPLATE_HEADER_BYTES, TEMPLATE_ITEM_BYTES, EVENT_DEFINITION_BYTES } as const;
