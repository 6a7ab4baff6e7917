// Top-level configuration options: every child of <Sysmon> other than <EventFiltering>
// (config.md §3). Each is validated as Sysmon validates it; a bad value rejects the config.

import { PositionedError } from "../base";
import { ALL_EVENTS } from "../schema";
import type { XmlElement } from "./xml";
import { childElements } from "./xml";
import { closestName } from "./suggest";

export type Platform = "linux" | "windows";

export type HashAlgorithm = "SHA1" | "MD5" | "SHA256" | "IMPHASH";

/** One `image[:mask]` entry of the legacy ProcessAccessConfig option. */
export interface ProcessAccessEntry {
  readonly image: string;
  readonly mask: number | null;
}

export interface ConfigOptions {
  /** Always in Sysmon's output order: SHA1, MD5, SHA256, IMPHASH. */
  readonly hashAlgorithms: readonly HashAlgorithm[];
  /** Field name → maximum length in characters, from FieldSizes (§3.1). */
  readonly fieldSizes: ReadonlyMap<string, number>;
  /** The FieldSizes text as written, for `config dump`; null when unset. */
  readonly fieldSizesText: string | null;
  /** Per event ID, `[fieldIndex, maxLength]` pairs derived from fieldSizes. */
  readonly fieldLimits: ReadonlyMap<number, readonly (readonly [number, number])[]>;
  readonly checkRevocation: boolean;
  readonly dnsLookup: boolean;
  /** Stored form `\name\` (§3). */
  readonly archiveDirectory: string;
  readonly captureClipboard: boolean;
  readonly driverName: string | null;
  readonly pipeMonitoring: string | null;
  readonly processAccess: readonly ProcessAccessEntry[];
  /** Windows file-delete archiving options (Sysmon 13+; not in the public manifest). */
  readonly copyOnDeletePE: boolean;
  readonly copyOnDeleteSids: string | null;
  readonly copyOnDeleteExtensions: string | null;
  readonly copyOnDeleteProcesses: string | null;
}

const HASH_ORDER: readonly HashAlgorithm[] = ["SHA1", "MD5", "SHA256", "IMPHASH"];
const HASH_NAMES: Readonly<Record<string, HashAlgorithm>> = {
  sha1: "SHA1", "sha-1": "SHA1", md5: "MD5", "md-5": "MD5", sha256: "SHA256", "sha-256": "SHA256", imphash: "IMPHASH", "imp-hash": "IMPHASH",
};

interface OptionSpec {
  /** Whether Sysmon for Linux rejects it ("Option not implemented on Linux."). */
  readonly windowsOnly: boolean;
}

/** The option elements the validating DTD allows (§3, §12), plus Windows 13+ archiving options. */
export const OPTION_ELEMENTS: ReadonlyMap<string, OptionSpec> = new Map([
  ["HashAlgorithms", { windowsOnly: false }],
  ["CheckRevocation", { windowsOnly: true }],
  ["DnsLookup", { windowsOnly: false }],
  ["ArchiveDirectory", { windowsOnly: true }],
  ["CaptureClipboard", { windowsOnly: true }],
  ["DriverName", { windowsOnly: true }],
  ["FieldSizes", { windowsOnly: false }],
  ["PipeMonitoringConfig", { windowsOnly: false }],
  ["ProcessAccessConfig", { windowsOnly: false }],
  ["CopyOnDeletePE", { windowsOnly: true }],
  ["CopyOnDeleteSIDs", { windowsOnly: true }],
  ["CopyOnDeleteExtensions", { windowsOnly: true }],
  ["CopyOnDeleteProcesses", { windowsOnly: true }],
]);

/** The options in force when a configuration sets none. */
export function defaultOptions(platform: Platform): ConfigOptions {
  return {
    hashAlgorithms: platform === "linux" ? ["SHA256"] : ["SHA1"],
    fieldSizes: new Map(),
    fieldSizesText: null,
    fieldLimits: new Map(),
    checkRevocation: true,
    dnsLookup: true,
    archiveDirectory: "\\Sysmon\\",
    captureClipboard: false,
    driverName: null,
    pipeMonitoring: null,
    processAccess: [],
    copyOnDeletePE: false,
    copyOnDeleteSids: null,
    copyOnDeleteExtensions: null,
    copyOnDeleteProcesses: null,
  };
}

/** Splits an option list on `,`; `,,` stands for a literal comma (§3). */
export function splitOptionList(text: string): string[] {
  const items: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === ",") {
      if (text[i + 1] === ",") {
        current += ",";
        i++;
        continue;
      }
      items.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  items.push(current);
  return items;
}

/** Thrown-message builder for option problems; `at` is the option element. */
type Fail = (reason: string) => never;

/** Parses HashAlgorithms (§3): `*`/`all`, or a comma list of known names in any case. */
export function parseHashAlgorithms(text: string, fail: Fail): HashAlgorithm[] {
  const trimmed = text.trim();
  if (trimmed === "*" || trimmed.toLowerCase() === "all") return [...HASH_ORDER];
  const chosen = new Set<HashAlgorithm>();
  for (const item of splitOptionList(trimmed)) {
    const name = HASH_NAMES[item.trim().toLowerCase()];
    if (!name) fail(`invalid hashing algorithm '${item}'; expected *, all, or a comma list of SHA1, MD5, SHA256, IMPHASH`);
    chosen.add(name);
  }
  return HASH_ORDER.filter((h) => chosen.has(h));
}

const ALL_FIELD_NAMES: ReadonlySet<string> = new Set(ALL_EVENTS.flatMap((e) => e.fields.map((f) => f.name)));

/** Parses FieldSizes (§3.1) into field name → size; `Image:5,User:6`. */
export function parseFieldSizes(text: string, fail: Fail): Map<string, number> {
  const bad = /[^A-Za-z0-9,:]/.exec(text);
  if (bad) fail(`FieldSizes option ('${text}') has invalid character: '${bad[0]}'; expected FieldName:Size items separated by ','`);
  const sizes = new Map<string, number>();
  for (const item of text.split(",")) {
    const colon = item.indexOf(":");
    if (colon < 0) continue; // an entry without ':' is ignored (§3.1)
    const name = item.slice(0, colon);
    if (!ALL_FIELD_NAMES.has(name)) {
      const hint = closestName(name, ALL_FIELD_NAMES);
      fail(`FieldSizes field '${name}' is invalid${hint ? `; did you mean ${hint}?` : ""}`);
    }
    const size = Number.parseInt(item.slice(colon + 1), 10) || 0; // atoi
    if (size <= 0) fail(`FieldSizes field '${name}' has max size of ${size}; expected a size above 0`);
    sizes.set(name, size);
  }
  return sizes;
}

function fieldLimitsFor(sizes: ReadonlyMap<string, number>): Map<number, [number, number][]> {
  const limits = new Map<number, [number, number][]>();
  if (sizes.size === 0) return limits;
  for (const event of ALL_EVENTS) {
    const pairs: [number, number][] = [];
    for (const field of event.fields) {
      const max = sizes.get(field.name);
      if (max !== undefined) pairs.push([field.index, max]);
    }
    if (pairs.length) limits.set(event.id, pairs);
  }
  return limits;
}

function parseProcessAccess(text: string, fail: Fail): ProcessAccessEntry[] {
  const entries: ProcessAccessEntry[] = [];
  for (const item of splitOptionList(text)) {
    if (item === "") continue;
    // `::` escapes a colon inside the image name.
    const parts = item.replace(/::/g, "\u0000").split(":");
    const image = (parts[0] ?? "").replace(/\u0000/g, ":");
    const maskText = parts[1];
    let mask: number | null = null;
    if (maskText !== undefined) {
      mask = /^0x[0-9a-f]+$/i.test(maskText) ? Number.parseInt(maskText.slice(2), 16) : /^\d+$/.test(maskText) ? Number(maskText) : NaN;
      if (Number.isNaN(mask)) fail(`ProcessAccessConfig mask '${maskText}' is not a number; expected decimal or 0x hex`);
    }
    entries.push({ image, mask });
  }
  if (entries.length > 10) fail("too many entries to monitor for process access; the maximum is 10");
  return entries;
}

function optionText(element: XmlElement): string {
  let text = "";
  for (const child of element.children) if (child.kind === "text") text += child.text;
  return text;
}

function flag(text: string, fail: Fail, name: string): boolean {
  // CaptureClipboard's accepted spellings (§3), case-sensitive as in Sysmon.
  if (text === "" || text === "true" || text === "1" || text === "enabled") return true;
  if (text === "false" || text === "0" || text === "NULL" || text === "disabled") return false;
  return fail(`incorrect value '${text}' for node '${name}'; expected nothing, true/1/enabled or false/0/NULL/disabled`);
}

/**
 * Reads every option element under <Sysmon>. Unknown elements and platform-rejected options
 * throw PositionedError (SYSMONTS_E_CONFIG_ELEMENT / SYSMONTS_E_CONFIG_OPTION).
 */
export function parseOptions(root: XmlElement, context: { file: string; platform: Platform }): ConfigOptions {
  const options = { ...defaultOptions(context.platform) } as { -readonly [K in keyof ConfigOptions]: ConfigOptions[K] };
  for (const element of childElements(root)) {
    if (element.name === "EventFiltering") continue;
    const at = { file: context.file, line: element.line, column: element.column };
    const spec = OPTION_ELEMENTS.get(element.name);
    if (!spec) {
      const hint = closestName(element.name, [...OPTION_ELEMENTS.keys(), "EventFiltering"]);
      const wrapped = ALL_EVENTS.some((e) => e.ruleName === element.name) ? `; rule elements such as <${element.name}> belong inside <EventFiltering>` : "";
      throw new PositionedError(
        "SYSMONTS_E_CONFIG_ELEMENT",
        `unknown element <${element.name}> under <Sysmon>${wrapped}${hint && !wrapped ? `; did you mean ${hint}?` : ""}; expected EventFiltering or one of ${[...OPTION_ELEMENTS.keys()].join(", ")}`,
        at,
      );
    }
    const fail: Fail = (reason) => {
      throw new PositionedError("SYSMONTS_E_CONFIG_OPTION", `${element.name}: ${reason}`, at);
    };
    if (element.attributes[0]) {
      const a = element.attributes[0];
      throw new PositionedError("SYSMONTS_E_CONFIG_ELEMENT", `no attribute '${a.name}' is allowed on <${element.name}>`, { file: context.file, line: a.line, column: a.column });
    }
    if (spec.windowsOnly && context.platform === "linux") fail("option not implemented on Linux");
    const text = optionText(element);
    switch (element.name) {
      case "HashAlgorithms":
        options.hashAlgorithms = parseHashAlgorithms(text, fail);
        break;
      case "CheckRevocation":
        options.checkRevocation = text.trim().toLowerCase() !== "false";
        break;
      case "DnsLookup":
        options.dnsLookup = text.trim().toLowerCase() !== "false";
        break;
      case "ArchiveDirectory":
        if (text.includes("\\")) fail(`archive directory must be a single path component, not '${text}'`);
        options.archiveDirectory = `\\${text}\\`;
        break;
      case "CaptureClipboard":
        options.captureClipboard = flag(text, fail, element.name);
        break;
      case "DriverName":
        options.driverName = text;
        break;
      case "FieldSizes": {
        const sizes = parseFieldSizes(text, fail);
        options.fieldSizes = sizes;
        options.fieldSizesText = text;
        options.fieldLimits = fieldLimitsFor(sizes);
        break;
      }
      case "PipeMonitoringConfig":
        options.pipeMonitoring = text;
        break;
      case "ProcessAccessConfig":
        options.processAccess = parseProcessAccess(text, fail);
        break;
      case "CopyOnDeletePE":
        options.copyOnDeletePE = flag(text, fail, element.name);
        break;
      case "CopyOnDeleteSIDs":
        options.copyOnDeleteSids = text;
        break;
      case "CopyOnDeleteExtensions":
        options.copyOnDeleteExtensions = text;
        break;
      case "CopyOnDeleteProcesses":
        options.copyOnDeleteProcesses = text;
        break;
    }
  }
  return options;
}
