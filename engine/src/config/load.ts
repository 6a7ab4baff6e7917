// Loading a configuration: bytes → text (§1) → XML tree → schema version (§2) → options (§3)
// → compiled rules (§4–§5) → lint warnings. A pure function of its input: a rejected
// configuration throws and changes nothing anywhere.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { PositionedError, SysmonTsError } from "../base";
import { compileEntries, makeRuleSet } from "./compile";
import type { DetectedEncoding } from "./encoding";
import { decodeConfig } from "./encoding";
import { DEFAULT_WINDOWS_ENVIRONMENT } from "./environment";
import { lintConfig } from "./lint";
import type { ConfigOptions, Platform } from "./options";
import { parseOptions } from "./options";
import type { RuleSet } from "./ruleset";
import type { SchemaVersion } from "./version";
import { NEWEST_SCHEMA, parseSchemaVersion } from "./version";
import type { LintWarning } from "./warnings";
import { attribute, parseXml } from "./xml";
import type { XmlElement } from "./xml";

export interface LoadedConfig {
  /** The name the configuration was loaded as; every position refers to it. */
  readonly file: string;
  readonly platform: Platform;
  /** `%.2f` of the schemaversion attribute, e.g. "4.50". */
  readonly schemaVersion: string;
  readonly version: SchemaVersion;
  /** ConfigurationFileHash as event 16 reports it (cli-and-output.md §4), e.g. `SHA256=…`. */
  readonly hash: string;
  /** The decoded text. */
  readonly text: string;
  readonly encoding: DetectedEncoding;
  readonly options: ConfigOptions;
  readonly rules: RuleSet;
  readonly warnings: readonly LintWarning[];
  /** The parsed document, for tools that want positions (lint, dump). */
  readonly document: XmlElement;
}

export interface LoadOptions {
  /** Name used in messages and positions. */
  readonly file: string;
  /** Whose Sysmon to reproduce where they differ (option support, case folding); default: this machine's. */
  readonly platform?: Platform;
  /**
   * Variables expanded in rule values on Windows (config.md §7.3); default: this process's
   * environment on Windows, a default Windows installation's session-0 environment elsewhere.
   */
  readonly environment?: Readonly<Record<string, string | undefined>>;
}

export function hostPlatform(): Platform {
  return process.platform === "win32" ? "windows" : "linux";
}

/** Event 16's ConfigurationFileHash: the file's hashes with the configured algorithms (IMPHASH aside). */
function configurationHash(bytes: Buffer, options: ConfigOptions, platform: Platform): string {
  const algorithms = options.hashAlgorithms.filter((a) => a !== "IMPHASH");
  const chosen = algorithms.length ? algorithms : ["SHA256" as const];
  return chosen
    .map((name) => {
      const hex = createHash(name.toLowerCase()).update(bytes).digest("hex");
      // Linux prints lowercase hex, Windows uppercase (cli-and-output.md §4).
      return `${name}=${platform === "windows" ? hex.toUpperCase() : hex}`;
    })
    .join(",");
}

function readVersion(root: XmlElement, file: string): SchemaVersion {
  const attr = attribute(root, "schemaversion");
  const at = { file, line: attr?.line ?? root.line, column: attr?.column ?? root.column };
  const parsed = parseSchemaVersion(attr?.value);
  if (parsed.ok) return parsed.version;
  if (parsed.reason === "unsupported") {
    throw new PositionedError("SYSMONTS_E_CONFIG_SCHEMA", `incorrect or unsupported schema version ${parsed.text}; this build reads 3.00 to ${NEWEST_SCHEMA} and later`, at);
  }
  const shown = attr ? `'${attr.value}'` : "(missing)";
  throw new PositionedError("SYSMONTS_E_CONFIG_SCHEMA", `invalid schema version number ${shown}; expected schemaversion="${NEWEST_SCHEMA}" or another version such as 4.50`, at);
}

/**
 * Loads a configuration from its bytes (or already-decoded text). Throws PositionedError with
 * the position of the first problem; warnings about likely mistakes are in `warnings`.
 *
 * @example
 * const config = loadConfig('<Sysmon schemaversion="4.90"/>', { file: "a.xml", platform: "linux" });
 * config.schemaVersion; // "4.90"
 */
export function loadConfig(source: Buffer | string, options: LoadOptions): LoadedConfig {
  const platform = options.platform ?? hostPlatform();
  const file = options.file;
  const bytes = typeof source === "string" ? Buffer.from(source, "utf8") : source;
  const decoded = decodeConfig(bytes, { file });
  const document = parseXml(decoded.text, { file });
  if (document.name !== "Sysmon") {
    throw new PositionedError("SYSMONTS_E_CONFIG_XML", `the root element is <${document.name.slice(0, 80)}>; expected <Sysmon schemaversion="…"> (failed to find Sysmon tag)`, {
      file,
      line: document.line,
      column: document.column,
    });
  }
  const version = readVersion(document, file);
  for (const a of document.attributes) {
    if (a.name !== "schemaversion") throw new PositionedError("SYSMONTS_E_CONFIG_ELEMENT", `unknown attribute '${a.name}' on <Sysmon>; expected schemaversion`, { file, line: a.line, column: a.column });
  }
  const configOptions = parseOptions(document, { file, platform });
  const warnings: LintWarning[] = [];
  const environment = options.environment ?? (hostPlatform() === "windows" ? process.env : DEFAULT_WINDOWS_ENVIRONMENT);
  const entries = compileEntries(document, { file, platform, version, warnings, folding: platform, environment });
  const rules = makeRuleSet(entries, { version, platform });
  const lint = lintConfig({ file, platform, version, document, rules });
  return {
    file,
    platform,
    schemaVersion: version.text,
    version,
    hash: configurationHash(bytes, configOptions, platform),
    text: decoded.text,
    encoding: decoded,
    options: configOptions,
    rules,
    warnings: [...warnings, ...lint].sort((a, b) => a.line - b.line || a.column - b.column),
    document,
  };
}

/** Reads and loads a configuration file; an unreadable file is SYSMONTS_E_FILE. */
export function loadConfigFile(path: string, options: Partial<LoadOptions> = {}): LoadedConfig {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new SysmonTsError("SYSMONTS_E_FILE", `failed to open configuration ${path}: ${reason}`, { cause, details: { path } });
  }
  return loadConfig(bytes, {
    file: options.file ?? path,
    ...(options.platform ? { platform: options.platform } : {}),
    ...(options.environment ? { environment: options.environment } : {}),
  });
}

/** The empty configuration Sysmon for Linux writes when none is given, and `-c --` restores. */
export const DEFAULT_CONFIG_TEXT = '<Sysmon schemaversion="4.22">\n  <EventFiltering>\n  </EventFiltering>\n</Sysmon>\n';

/**
 * The "no configuration" state (cli-and-output.md §3.1, §3.2): no rule entries, so every event
 * gets its manifest default (ProcessCreate and ProcessTerminate logged, the rest not);
 * event 16 reports its Configuration as `Defaults`.
 */
export function defaultConfig(platform: Platform = hostPlatform()): LoadedConfig {
  return loadConfig(DEFAULT_CONFIG_TEXT, { file: "Defaults", platform });
}
