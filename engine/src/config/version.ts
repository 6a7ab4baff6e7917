// The `schemaversion` attribute (config.md §2).

/** The newest schema this build's catalogue describes. */
export const NEWEST_SCHEMA = "4.90";

/**
 * The oldest schema accepted. Current Sysmon binaries refuse anything below 4.00 (config.md
 * §2.2), but the 3.x configurations in circulation were installed by real Sysmon 6–8 and are
 * still deployed; we load them (OR combine, §2.3) and the linter says a current binary
 * would refuse them. Below 3.00 is refused as Sysmon refuses it.
 */
export const OLDEST_ACCEPTED_MAJOR = 3;

export interface SchemaVersion {
  /** `%.2f` text, e.g. "4.50"; this is what `sysmon -c` prints. */
  readonly text: string;
  readonly major: number;
  readonly minor: number;
  /** `(major << 16) | minor`, the value stored in the rule blob. */
  readonly value: number;
}

export type SchemaVersionResult =
  | { readonly ok: true; readonly version: SchemaVersion }
  | { readonly ok: false; readonly reason: "invalid" | "unsupported"; readonly text: string };

// std::stod: skip leading whitespace, read the longest decimal-float prefix, ignore the rest.
const LEADING_NUMBER = /^[ \t\n\r\f\v]*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/;

/**
 * Parses a schemaversion the way Sysmon does: stod, `%.2f`, then major.minor (§2.1).
 *
 * @example
 * parseSchemaVersion("4.5");   // { ok: true, version: { text: "4.50", major: 4, minor: 50, … } }
 * parseSchemaVersion("-1.0");  // { ok: false, reason: "invalid", … }
 */
export function parseSchemaVersion(raw: string | undefined): SchemaVersionResult {
  const source = raw ?? "";
  const match = LEADING_NUMBER.exec(source);
  if (!match) return { ok: false, reason: "invalid", text: source };
  const number = Number(match[1]);
  if (!Number.isFinite(number)) return { ok: false, reason: "invalid", text: source };
  const text = number.toFixed(2);
  // Leading 0 (0.x), a sign, or parts above 65535 are invalid (§2.1 step 4).
  if (!/^[1-9]\d*\.\d\d$/.test(text)) return { ok: false, reason: "invalid", text };
  const [majorText, minorText] = text.split(".") as [string, string];
  const major = Number(majorText);
  const minor = Number(minorText);
  if (major > 65535) return { ok: false, reason: "invalid", text };
  if (major < OLDEST_ACCEPTED_MAJOR) return { ok: false, reason: "unsupported", text };
  return { ok: true, version: { text, major, minor, value: major * 65536 + minor } };
}

/** Schemas up to 4.10 combine an element's filters with OR by default, later ones with AND (§2.3). */
export function defaultCombineFor(version: SchemaVersion): "and" | "or" {
  return version.major + version.minor / 100 <= 4.1 ? "or" : "and";
}

/** Whether a current Sysmon binary (newest schema 4.90) would refuse this version (§2.2). */
export function refusedByCurrentSysmon(version: SchemaVersion): boolean {
  return version.major < 4;
}
