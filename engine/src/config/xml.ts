// A small XML reader that keeps the line and column of every element and attribute, so that
// grammar errors in a configuration can point at the exact place. A Sysmon configuration is
// at most a few hundred kilobytes, so one linear pass over the decoded text is enough.
//
// It handles elements, attributes, character and the five predefined entity references,
// CDATA, comments and processing instructions. DOCTYPE declarations are refused outright:
// nothing here ever expands a user-defined entity (config.md §10, XXE must not be expanded).

import { PositionedError } from "../base";

export interface XmlPosition {
  readonly line: number;
  readonly column: number;
}

export interface XmlAttribute extends XmlPosition {
  readonly name: string;
  readonly value: string;
}

export interface XmlText extends XmlPosition {
  readonly kind: "text";
  readonly text: string;
  /** CDATA sections are text too, but whitespace-only CDATA is meaningful. */
  readonly cdata: boolean;
}

export interface XmlElement extends XmlPosition {
  readonly kind: "element";
  readonly name: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlNode[];
}

export type XmlNode = XmlElement | XmlText;

/** Finds an attribute by exact name. */
export function attribute(element: XmlElement, name: string): XmlAttribute | undefined {
  return element.attributes.find((a) => a.name === name);
}

/** The element children, skipping text. */
export function childElements(element: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const child of element.children) if (child.kind === "element") out.push(child);
  return out;
}

/** The element's first text node, as Sysmon reads a filter value (config.md §4). */
export function firstText(element: XmlElement): string {
  for (const child of element.children) if (child.kind === "text") return child.text;
  return "";
}

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function isNameStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 58 || code >= 0xc0;
}

function isNameChar(code: number): boolean {
  return isNameStart(code) || (code >= 48 && code <= 57) || code === 45 || code === 46 || code === 0xb7;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

interface OpenElement {
  name: string;
  line: number;
  column: number;
  attributes: XmlAttribute[];
  children: XmlNode[];
}

class Reader {
  private pos = 0;
  private line = 1;
  private lineStart = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  parseDocument(): XmlElement {
    const stack: OpenElement[] = [];
    let root: XmlElement | undefined;
    const text = this.text;
    while (this.pos < text.length) {
      const code = text.charCodeAt(this.pos);
      if (code !== 60 /* < */) {
        const start = this.here();
        const value = this.readCharData();
        const top = stack[stack.length - 1];
        if (top) top.children.push({ kind: "text", text: value, cdata: false, ...start });
        else if (value.trim() !== "") this.fail("text outside the root element", start, "a single root element <Sysmon>");
        continue;
      }
      if (text.startsWith("<!--", this.pos)) {
        this.skipComment();
      } else if (text.startsWith("<![CDATA[", this.pos)) {
        const start = this.here();
        const value = this.readCdata();
        const top = stack[stack.length - 1];
        if (!top) this.fail("CDATA outside the root element", start);
        top.children.push({ kind: "text", text: value, cdata: true, ...start });
      } else if (text.startsWith("<!DOCTYPE", this.pos) || text.startsWith("<!", this.pos)) {
        this.fail("DOCTYPE and entity declarations are not allowed in a configuration (entities are never expanded)", this.here());
      } else if (text.startsWith("<?", this.pos)) {
        this.skipProcessingInstruction();
      } else if (text.startsWith("</", this.pos)) {
        const start = this.here();
        this.advance(2);
        const name = this.readName("a closing tag name");
        this.skipSpaces();
        this.expect(">", "'>' to end the closing tag");
        const open = stack.pop();
        if (!open) this.fail(`closing tag </${name}> without an opening tag`, start);
        if (open.name !== name) {
          this.fail(`closing tag </${name}> does not match <${open.name}> opened at ${open.line}:${open.column}`, start, `</${open.name}>`);
        }
        const element = this.finish(open);
        const parent = stack[stack.length - 1];
        if (parent) parent.children.push(element);
        else root = element;
      } else {
        const start = this.here();
        if (!stack.length && root) this.fail("a second root element", start, "a single root element <Sysmon>");
        const open = this.readStartTag(start);
        if (open.selfClosing) {
          const element = this.finish(open.element);
          const parent = stack[stack.length - 1];
          if (parent) parent.children.push(element);
          else root = element;
        } else {
          stack.push(open.element);
        }
      }
    }
    const unclosed = stack[stack.length - 1];
    if (unclosed) this.fail(`element <${unclosed.name}> opened at ${unclosed.line}:${unclosed.column} is never closed`, this.here(), `</${unclosed.name}>`);
    if (!root) this.fail("no root element", this.here(), "<Sysmon schemaversion=\"…\">");
    return root;
  }

  private finish(open: OpenElement): XmlElement {
    return { kind: "element", name: open.name, line: open.line, column: open.column, attributes: open.attributes, children: open.children };
  }

  private readStartTag(start: XmlPosition): { element: OpenElement; selfClosing: boolean } {
    this.advance(1);
    const name = this.readName("an element name after '<'");
    const attributes: XmlAttribute[] = [];
    for (;;) {
      const hadSpace = this.skipSpaces();
      if (this.pos >= this.text.length) this.fail(`start tag <${name}> is not finished`, this.here(), "'>'");
      if (this.text.startsWith("/>", this.pos)) {
        this.advance(2);
        return { element: { name, ...start, attributes, children: [] }, selfClosing: true };
      }
      if (this.text.charCodeAt(this.pos) === 62) {
        this.advance(1);
        return { element: { name, ...start, attributes, children: [] }, selfClosing: false };
      }
      if (!hadSpace) this.fail(`unexpected character '${this.text[this.pos]}' in start tag <${name}>`, this.here(), "whitespace, an attribute, '>' or '/>'");
      const attrStart = this.here();
      const attrName = this.readName(`an attribute name in <${name}>`);
      this.skipSpaces();
      this.expect("=", `'=' after attribute ${attrName}`);
      this.skipSpaces();
      const quote = this.text[this.pos];
      if (quote !== '"' && quote !== "'") this.fail(`attribute ${attrName} value is not quoted`, this.here(), "a value in \"…\" or '…'");
      this.advance(1);
      const value = this.readUntilQuote(quote, attrName);
      if (attributes.some((a) => a.name === attrName)) this.fail(`attribute ${attrName} given twice on <${name}>`, attrStart);
      attributes.push({ name: attrName, value, ...attrStart });
    }
  }

  private readUntilQuote(quote: string, attrName: string): string {
    let out = "";
    const text = this.text;
    for (;;) {
      if (this.pos >= text.length) this.fail(`attribute ${attrName} value is not closed`, this.here(), quote);
      const ch = text[this.pos] as string;
      if (ch === quote) {
        this.advance(1);
        return out;
      }
      if (ch === "<") this.fail(`'<' is not allowed in attribute ${attrName}`, this.here(), "&lt;");
      if (ch === "&") {
        out += this.readReference();
      } else {
        // Attribute-value normalisation of the XML spec: whitespace characters become spaces.
        out += ch === "\n" || ch === "\t" || ch === "\r" ? " " : ch;
        this.advance(1);
      }
    }
  }

  private readCharData(): string {
    let out = "";
    const text = this.text;
    let runStart = this.pos;
    while (this.pos < text.length) {
      const code = text.charCodeAt(this.pos);
      if (code === 60) break;
      if (code === 38 /* & */) {
        out += text.slice(runStart, this.pos);
        out += this.readReference();
        runStart = this.pos;
      } else {
        this.advance(1);
      }
    }
    out += text.slice(runStart, this.pos);
    return out;
  }

  private readReference(): string {
    const start = this.here();
    const end = this.text.indexOf(";", this.pos);
    if (end < 0 || end - this.pos > 12) this.fail("'&' does not start an entity reference", start, "&amp;, &lt;, &gt;, &quot;, &apos; or &#N;");
    const body = this.text.slice(this.pos + 1, end);
    let value: string | undefined;
    if (body.startsWith("#x") || body.startsWith("#X")) value = codePointText(Number.parseInt(body.slice(2), 16), body);
    else if (body.startsWith("#")) value = codePointText(Number.parseInt(body.slice(1), 10), body);
    else value = PREDEFINED_ENTITIES[body];
    if (value === undefined) {
      this.fail(`unknown entity &${body}; (only the five XML entities and character references are read; declared entities are never expanded)`, start);
    }
    this.advance(end + 1 - this.pos);
    return value;
  }

  private readCdata(): string {
    const end = this.text.indexOf("]]>", this.pos);
    if (end < 0) this.fail("CDATA section is not closed", this.here(), "]]>");
    const value = this.text.slice(this.pos + 9, end);
    this.advance(end + 3 - this.pos);
    return value;
  }

  private skipComment(): void {
    const end = this.text.indexOf("-->", this.pos + 4);
    if (end < 0) this.fail("comment is not closed", this.here(), "-->");
    this.advance(end + 3 - this.pos);
  }

  private skipProcessingInstruction(): void {
    const end = this.text.indexOf("?>", this.pos + 2);
    if (end < 0) this.fail("processing instruction is not closed", this.here(), "?>");
    this.advance(end + 2 - this.pos);
  }

  private readName(what: string): string {
    const start = this.pos;
    if (start >= this.text.length || !isNameStart(this.text.charCodeAt(start))) this.fail(`expected ${what}`, this.here());
    let end = start + 1;
    while (end < this.text.length && isNameChar(this.text.charCodeAt(end))) end++;
    this.advance(end - start);
    return this.text.slice(start, end);
  }

  private skipSpaces(): boolean {
    const start = this.pos;
    while (this.pos < this.text.length && isSpace(this.text.charCodeAt(this.pos))) this.advance(1);
    return this.pos > start;
  }

  private expect(literal: string, what: string): void {
    if (!this.text.startsWith(literal, this.pos)) this.fail(`expected ${what}`, this.here());
    this.advance(literal.length);
  }

  private advance(count: number): void {
    const end = this.pos + count;
    for (let i = this.pos; i < end; i++) {
      if (this.text.charCodeAt(i) === 10) {
        this.line++;
        this.lineStart = i + 1;
      }
    }
    this.pos = end;
  }

  private here(): XmlPosition {
    return { line: this.line, column: this.pos - this.lineStart + 1 };
  }

  private fail(reason: string, at: XmlPosition, expected?: string): never {
    const message = expected ? `${reason}; expected ${expected}` : reason;
    throw new PositionedError("SYSMONTS_E_CONFIG_XML", message, { file: this.file, ...at });
  }
}

function codePointText(code: number, body: string): string | undefined {
  if (!Number.isInteger(code) || code <= 0 || code > 0x10ffff || !/^#x?[0-9a-f]+$/i.test(body)) return undefined;
  return String.fromCodePoint(code);
}

/**
 * Parses decoded XML text into an element tree with positions; throws PositionedError
 * (SYSMONTS_E_CONFIG_XML) at the first well-formedness error.
 *
 * @example
 * const root = parseXml('<Sysmon schemaversion="4.90"/>', { file: "a.xml" });
 * root.name; // "Sysmon"
 */
export function parseXml(text: string, options: { file: string }): XmlElement {
  return new Reader(text, options.file).parseDocument();
}
