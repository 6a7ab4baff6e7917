/**
 * What the clipboard agent (one per interactive session) tells the service: one JSON object per
 * line over the agent's named pipe. Clipboard changes are rare (a person copying), so a JSON line
 * per change costs nothing; the service parses each line through parseClipboardMessage, and a
 * malformed line is rejected with a SysmonTsError that the reader counts, never a crash.
 *
 * ClientInfo is rendered as Sysmon's event 24 shows it: `user: DOMAIN\name` for a console
 * session, with ` hostname: <client> ip: <address>` added for a remote one when known. The
 * `user:` form is from published sample events; the remote suffix's spelling is inferred from
 * Sysinternals' description ("the originating hostname, and the IP address when available").
 */
import { SysmonTsError } from "../../base";

export const CLIPBOARD_PROTOCOL_VERSION = 1;
/** Longest line the reader accepts: 1 MiB of text as JSON-escaped UTF-16 plus the envelope. */
export const MAX_CLIPBOARD_LINE_CHARS = 6 * 1024 * 1024 + 4096;
/** Longest clipboard text the agent sends; longer text is cut here (it is hashed as sent). */
export const MAX_CLIPBOARD_TEXT_CHARS = 1024 * 1024;

export interface ClipboardChangeMessage {
  readonly type: "clipboard-change";
  readonly version: number;
  /** ms since the epoch, when the agent saw WM_CLIPBOARDUPDATE. */
  readonly timeMs: number;
  /** The clipboard owner's process (GetClipboardOwner → GetWindowThreadProcessId), 0 when unowned. */
  readonly pid: number;
  readonly sessionId: number;
  readonly clientInfo: string;
  readonly text: string;
}

export interface ClientInfoParts {
  readonly user: string;
  readonly clientName: string;
  readonly clientAddress: string;
}

export function clientInfoText(parts: ClientInfoParts): string {
  let text = `user: ${parts.user === "" ? "-" : parts.user}`;
  if (parts.clientName !== "") text += ` hostname: ${parts.clientName}`;
  if (parts.clientAddress !== "") text += ` ip: ${parts.clientAddress}`;
  return text;
}

export function encodeClipboardMessage(message: Omit<ClipboardChangeMessage, "type" | "version">): string {
  const text = message.text.length > MAX_CLIPBOARD_TEXT_CHARS ? message.text.slice(0, MAX_CLIPBOARD_TEXT_CHARS) : message.text;
  return `${JSON.stringify({ type: "clipboard-change", version: CLIPBOARD_PROTOCOL_VERSION, ...message, text })}\n`;
}

function reject(reason: string): never {
  throw new SysmonTsError("SYSMONTS_E_RPC_PROTOCOL", `clipboard agent message rejected: ${reason}`);
}

function u32(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 0xffffffff) reject(`'${name}' must be an integer from 0 to 4294967295, not ${JSON.stringify(value)}`);
  return value;
}

function str(value: unknown, name: string, max: number): string {
  if (typeof value !== "string") reject(`'${name}' must be a string`);
  if (value.length > max) reject(`'${name}' is longer than ${max} characters`);
  return value;
}

/** Validates one line from an agent; throws SYSMONTS_E_RPC_PROTOCOL naming the problem. */
export function parseClipboardMessage(line: string): ClipboardChangeMessage {
  if (line.length > MAX_CLIPBOARD_LINE_CHARS) reject(`line of ${line.length} characters exceeds ${MAX_CLIPBOARD_LINE_CHARS}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    reject(`not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) reject("not a JSON object");
  const o = parsed as Record<string, unknown>;
  if (o["type"] !== "clipboard-change") reject(`unknown type ${JSON.stringify(o["type"])}`);
  if (o["version"] !== CLIPBOARD_PROTOCOL_VERSION) reject(`unsupported version ${JSON.stringify(o["version"])}`);
  const timeMs = o["timeMs"];
  if (typeof timeMs !== "number" || !Number.isFinite(timeMs) || timeMs < 0) reject("'timeMs' must be a non-negative number");
  return {
    type: "clipboard-change",
    version: CLIPBOARD_PROTOCOL_VERSION,
    timeMs,
    pid: u32(o["pid"], "pid"),
    sessionId: u32(o["sessionId"], "sessionId"),
    clientInfo: str(o["clientInfo"], "clientInfo", 1024),
    text: str(o["text"], "text", MAX_CLIPBOARD_TEXT_CHARS),
  };
}

/**
 * Splits a byte stream into lines, keeping the unfinished tail; a tail longer than the line limit
 * is thrown away (and reported through `onOverlong`) so a peer that never sends a newline cannot
 * grow our memory.
 */
export class LineSplitter {
  private tail = "";
  private discarding = false;

  constructor(private readonly onLine: (line: string) => void, private readonly onOverlong: () => void) {}

  push(chunk: string): void {
    let start = 0;
    for (let newline = chunk.indexOf("\n"); newline >= 0; newline = chunk.indexOf("\n", start)) {
      const piece = chunk.slice(start, newline);
      start = newline + 1;
      if (this.discarding) {
        this.discarding = false;
        this.tail = "";
        continue;
      }
      const line = this.tail + piece;
      this.tail = "";
      if (line !== "") this.onLine(line);
    }
    if (this.discarding) return;
    this.tail += chunk.slice(start);
    if (this.tail.length > MAX_CLIPBOARD_LINE_CHARS) {
      this.tail = "";
      this.discarding = true;
      this.onOverlong();
    }
  }
}
