// Binary XML of an event template as the event log service reads it from a provider's
// WEVT_TEMPLATE resource. The token grammar is MS-EVEN6 §2.2.12 (the EVTX BinXml); inside a
// compiled manifest it differs as the libfwevt "Windows Event manifest binary format" document
// (§ "Template binary XML fragment") describes: element and attribute names are written inline
// (hash, character count, UTF-16 characters, NUL) with no name offset in front of them.
import { ByteWriter } from "./byte-writer";

/** MS-EVEN6 §2.2.12 token bytes; 0x40 on a start-element or attribute token says "more follows". */
const TOKEN = {
  endOfFragment: 0x00,
  openStartElement: 0x01,
  closeStartElement: 0x02,
  endElement: 0x04,
  value: 0x05,
  attribute: 0x06,
  optionalSubstitution: 0x0e,
  fragmentHeader: 0x0f,
  hasMore: 0x40,
} as const;

/** Value type of a string literal in a Value token (MS-EVEN6 §2.2.18, StringType). */
const STRING_VALUE_TYPE = 0x01;

/** One `<Data Name="…">%n</Data>` of a template: its name and the substitution's value type. */
export interface TemplateDataItem {
  readonly name: string;
  /** MS-EVEN6 value type, which for these types equals the manifest inType number (win:UInt32 = 0x08). */
  readonly valueType: number;
}

/**
 * The 16-bit name hash MS-EVEN6 §2.2.12 gives for a Name: hash = hash * 65599 + code unit over
 * the UTF-16 code units, keeping the low 16 bits.
 */
export function binXmlNameHash(name: string): number {
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (Math.imul(hash, 65599) + name.charCodeAt(i)) >>> 0;
  return hash & 0xffff;
}

/** An inline name: hash, character count, the characters and a NUL. */
function writeName(out: ByteWriter, name: string): void {
  out.u16(binXmlNameHash(name));
  out.u16(name.length);
  out.utf16(name);
  out.u16(0);
}

/**
 * Open-start-element token with dependency identifier 0xFFFF (none), as mc.exe emits it; the
 * returned function closes the element's data size once its end token is written.
 */
function openElement(out: ByteWriter, name: string, hasAttributes: boolean): () => void {
  out.u8(TOKEN.openStartElement | (hasAttributes ? TOKEN.hasMore : 0));
  out.u16(0xffff);
  const closeSize = out.sizeField();
  writeName(out, name);
  return closeSize;
}

/**
 * Encodes `<EventData><Data Name="f1">%1</Data>…</EventData>` — the template body mc.exe compiles
 * for a manifest template whose data items are all scalars — as a BinXML fragment. Substitution
 * i (0-based) is optional, so an event that omits a trailing value still renders.
 *
 * @example
 * encodeTemplateBinXml([{ name: "RuleName", valueType: 0x01 }]).subarray(0, 4); // 0f 01 01 00
 */
export function encodeTemplateBinXml(items: readonly TemplateDataItem[]): Buffer {
  const out = new ByteWriter();
  out.u8(TOKEN.fragmentHeader);
  out.u8(1); // major version
  out.u8(1); // minor version
  out.u8(0); // flags
  const closeEventData = openElement(out, "EventData", false);
  out.u8(TOKEN.closeStartElement);
  items.forEach((item, index) => {
    const closeData = openElement(out, "Data", true);
    const closeAttributes = out.sizeField();
    out.u8(TOKEN.attribute);
    writeName(out, "Name");
    out.u8(TOKEN.value);
    out.u8(STRING_VALUE_TYPE);
    out.u16(item.name.length);
    out.utf16(item.name);
    closeAttributes();
    out.u8(TOKEN.closeStartElement);
    out.u8(TOKEN.optionalSubstitution);
    out.u16(index);
    out.u8(item.valueType);
    out.u8(TOKEN.endElement);
    closeData();
  });
  out.u8(TOKEN.endElement);
  closeEventData();
  out.u8(TOKEN.endOfFragment);
  return out.done();
}
