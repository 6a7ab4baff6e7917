// Turns the bytes of a configuration file into text the way Sysmon detects encodings
// (config.md §1): BOM sniffing on the first byte, UTF-16LE when the second byte is NUL, and
// an `encoding="…"` declaration that wins over a UTF-8 BOM for 8-bit files.

import { PositionedError } from "../base";

export type TextEncodingName = "UTF-8" | "UTF-16LE" | "UTF-16BE" | "ISO-8859-1";

export interface DetectedEncoding {
  /** How the bytes are decoded. */
  readonly encoding: TextEncodingName;
  /** What Sysmon reports (rules.cpp DetectEncoding): the declaration, or UTF-16LE for a bare UTF-16 file, else null. */
  readonly reported: string | null;
  readonly sixteenBit: boolean;
  readonly bom: boolean;
}

export interface DecodedConfig extends DetectedEncoding {
  readonly text: string;
}

function isXmlSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

const DECLARATION = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']/;

function declaredEncoding(bytes: Buffer, offset: number): string | null {
  // The declaration is ASCII in every 8-bit encoding; a short prefix is enough to read it.
  const head = bytes.subarray(offset, offset + 200).toString("latin1");
  return DECLARATION.exec(head)?.[1] ?? null;
}

function declaredEncoding16(text: string): string | null {
  return DECLARATION.exec(text.slice(0, 200))?.[1] ?? null;
}

/**
 * Detects the encoding of configuration bytes (config.md §1, §13.5).
 *
 * @example
 * detectEncoding(Buffer.from("\ufeff<Sysmon/>", "utf16le")).encoding; // "UTF-16LE"
 */
export function detectEncoding(bytes: Buffer): DetectedEncoding {
  const first = bytes[0];
  const second = bytes[1];
  const bomPresent = first !== undefined && !isXmlSpace(first) && first !== 0x3c;
  if (bomPresent && first === 0xff && second === 0xfe) {
    const declared = declaredEncoding16(bytes.subarray(2, 402).toString("utf16le"));
    return { encoding: "UTF-16LE", reported: declared, sixteenBit: true, bom: true };
  }
  // Sysmon reads any other BOM as 8-bit; big-endian UTF-16 is an extension of ours so such
  // files give a clear result instead of mojibake.
  if (first === 0xfe && second === 0xff) return { encoding: "UTF-16BE", reported: null, sixteenBit: true, bom: true };
  if (first === 0x00 && second !== 0x00 && second !== undefined) return { encoding: "UTF-16BE", reported: null, sixteenBit: true, bom: false };
  if (!bomPresent && second === 0x00) {
    const declared = declaredEncoding16(bytes.subarray(0, 400).toString("utf16le"));
    return { encoding: "UTF-16LE", reported: declared ?? "UTF-16LE", sixteenBit: true, bom: false };
  }
  const utf8Bom = first === 0xef && second === 0xbb && bytes[2] === 0xbf;
  const declared = declaredEncoding(bytes, utf8Bom ? 3 : 0);
  const latin1 = declared !== null && /^(iso-?8859-1|latin-?1|l1)$/i.test(declared);
  return { encoding: latin1 ? "ISO-8859-1" : "UTF-8", reported: declared, sixteenBit: false, bom: bomPresent && utf8Bom };
}

function swapBytes(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2)));
  return copy.swap16();
}

/**
 * Decodes configuration bytes to text, dropping any BOM. Throws PositionedError
 * (SYSMONTS_E_CONFIG_XML) for files Sysmon refuses to read: under 2 bytes, or only
 * whitespace in the first 2 KB (config.md §1).
 */
export function decodeConfig(bytes: Buffer, options: { file: string }): DecodedConfig {
  const at = { file: options.file, line: 1, column: 1 };
  if (bytes.length < 2) throw new PositionedError("SYSMONTS_E_CONFIG_XML", `the file has ${bytes.length} byte(s); a configuration needs at least an XML root element`, at);
  const detected = detectEncoding(bytes);
  let text: string;
  switch (detected.encoding) {
    case "UTF-16LE":
      text = bytes.subarray(detected.bom ? 2 : 0).toString("utf16le");
      break;
    case "UTF-16BE":
      text = swapBytes(bytes.subarray(detected.bom ? 2 : 0)).toString("utf16le");
      break;
    case "ISO-8859-1":
      text = bytes.subarray(detected.bom ? 3 : 0).toString("latin1");
      break;
    default: {
      const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
      text = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(start));
    }
  }
  if (!text.slice(0, 2048).includes("<")) {
    const reason = text.slice(0, 2048).trim() === "" ? "too much white space: only whitespace in the first 2 KB" : "not XML: no '<' in the first 2 KB";
    throw new PositionedError("SYSMONTS_E_CONFIG_XML", `${reason}; expected an XML document starting with <Sysmon schemaversion="…">`, at);
  }
  return { ...detected, text };
}
