// XML text escaping, one function per dialect the renderers reproduce.

// Characters pugixml escapes in text nodes: & < > and C0 controls other than TAB, LF, CR.
// We also write LF and CR as references (a deliberate difference): Sysmon for Linux puts them
// raw into its one-line syslog record, which splits the event across lines for every reader
// that goes line by line (our console, `query --format xml`, rsyslog's #012 escaping). As
// references they parse back to the same text and the event stays on one line.
const LINUX_TEXT_SPECIAL = /[&<>\u0000-\u0008\u000a-\u001f]/;
const LINUX_TEXT_SPECIAL_ALL = /[&<>\u0000-\u0008\u000a-\u001f]/g;

function linuxReplacement(ch: string): string {
  if (ch === "&") return "&amp;";
  if (ch === "<") return "&lt;";
  if (ch === ">") return "&gt;";
  // pugixml writes control characters as a decimal reference of at least two digits
  // ("&#01;"), cli-and-output.md §6.
  return `&#${String(ch.charCodeAt(0)).padStart(2, "0")};`;
}

/**
 * Escapes a text node exactly as Sysmon for Linux does (cli-and-output.md §6). Lone UTF-16
 * surrogates, which no UTF-8 byte sequence can carry, become U+FFFD as Buffer.from would.
 *
 * @example
 * escapeLinuxText("a<b & \u0001"); // "a&lt;b &amp; &#01;"
 */
export function escapeLinuxText(text: string): string {
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  return LINUX_TEXT_SPECIAL.test(wellFormed) ? wellFormed.replace(LINUX_TEXT_SPECIAL_ALL, linuxReplacement) : wellFormed;
}

const WINDOWS_TEXT_SPECIAL = /[&<>"\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const WINDOWS_TEXT_SPECIAL_ALL = /[&<>"\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

function windowsReplacement(ch: string): string {
  switch (ch) {
    case "&":
      return "&amp;";
    case "<":
      return "&lt;";
    case ">":
      return "&gt;";
    case '"':
      return "&quot;";
    default:
      // XML 1.0 has no way to carry these (not even as references), and Windows consumers
      // (.NET XmlReader, wevtutil) are strict parsers: they become U+FFFD.
      return "\ufffd";
  }
}

/** Escapes text or an attribute value for Windows Event XML, keeping it well-formed XML 1.0. */
export function escapeWindowsXml(text: string): string {
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  return WINDOWS_TEXT_SPECIAL.test(wellFormed) ? wellFormed.replace(WINDOWS_TEXT_SPECIAL_ALL, windowsReplacement) : wellFormed;
}
