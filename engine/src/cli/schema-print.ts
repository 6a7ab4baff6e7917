// `sysmonts -s [all|VERSION]`: the manifest block `sysmon -s` prints (cli-and-output.md §3.5),
// generated from the event catalogue and the configuration stage's option and operator lists.
import { CONDITIONS, NEWEST_SCHEMA, OPTION_ELEMENTS } from "../config";
import { ALL_EVENTS } from "../schema";
import type { EventDef, FieldDef } from "../schema";
import type { Command } from "./command";

const IN_TYPES: Readonly<Record<FieldDef["type"], string>> = {
  string: "win:UnicodeString", guid: "win:GUID", uint32: "win:UInt32", uint16: "win:UInt16",
  uint64: "win:UInt64", hex32: "win:HexInt32", hex64: "win:HexInt64", bool: "win:Boolean",
};

/** The Sysmon binary version whose newest manifest is schema 4.90. */
const BINARY_VERSION = "18";

// The command-line switches Sysmon's manifest declares (cli-and-output.md §2), in its order.
const COMMAND_LINE_OPTIONS = [
  '<option switch="i" name="Install" argument="optional" target="all" noconfig="true" exclusive="true" />',
  '<option switch="c" name="Configuration" argument="optional" target="all" noconfig="true" exclusive="true" />',
  '<option switch="u" name="UnInstall" argument="optional" target="all" noconfig="true" exclusive="true" />',
  '<option switch="m" name="Manifest" argument="none" target="all" noconfig="true" exclusive="true" />',
  '<option switch="z" name="ClipboardInstance" argument="required" target="all" noconfig="true" exclusive="true" />',
  '<option switch="t" name="DebugMode" argument="optional" target="all" noconfig="true" />',
  '<option switch="btf" name="BTF" argument="optional" target="linux" noconfig="true" />',
  '<option switch="service" name="Service" argument="none" target="all" noconfig="true" />',
  '<option switch="s" name="PrintSchema" argument="optional" target="all" noconfig="true" exclusive="true"/>',
  '<option switch="nologo" name="NoLogo" argument="none" target="all" noconfig="true" />',
  '<option switch="accepteula" name="AcceptEula" argument="none" target="all" noconfig="true" />',
  '<option switch="-" name="ConfigDefault" argument="none" target="all" noconfig="true" />',
];

// Configuration options with their switches; every name must be one config/ accepts.
const CONFIG_OPTIONS: readonly [element: string, line: string][] = [
  ["ArchiveDirectory", '<option switch="a" name="ArchiveDirectory" argument="required" target="all" />'],
  ["CaptureClipboard", '<option name="CaptureClipboard" argument="none" target="all" />'],
  ["DriverName", '<option switch="d" name="DriverName" argument="required" target="all" />'],
  ["", '<option switch="dns" name="DnsQuery" argument="optional" target="all" rule="true" />'],
  ["PipeMonitoringConfig", '<option switch="g" name="PipeMonitoring" argument="required" target="all" rule="true" forceconfig="true" />'],
  ["HashAlgorithms", '<option switch="h" name="HashAlgorithms" argument="required" target="all" />'],
  ["DnsLookup", '<option name="DnsLookup" argument="required" target="all" />'],
  ["ProcessAccessConfig", '<option switch="k" name="ProcessAccess" argument="required" target="all" rule="true" forceconfig="true" />'],
  ["", '<option switch="l" name="ImageLoad" argument="optional" target="all" rule="true" />'],
  ["", '<option switch="n" name="NetworkConnect" argument="optional" target="all" rule="true" />'],
  ["CheckRevocation", '<option switch="r" name="CheckRevocation" argument="optional" target="all" />'],
  ["FieldSizes", '<option name="FieldSizes" argument="required" target="all" />'],
];

// The order the manifest's <filters> element lists the operators in (not the blob numbering).
const FILTER_ORDER = ["is", "is not", "contains", "contains any", "is any", "contains all", "excludes", "excludes any", "excludes all", "begin with", "not begin with", "end with", "not end with", "less than", "more than", "image"] as const;

function escapeAttribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

function dataLine(field: FieldDef): string {
  const inType = IN_TYPES[field.type];
  let outType = "";
  if (field.type === "string") outType = ' outType="xs:string"';
  else if (field.type === "uint32" && field.name.endsWith("ProcessId")) outType = ' outType="win:PID"';
  return `      <data name="${field.name}" inType="${inType}"${outType} />`;
}

function eventLines(def: EventDef): string[] {
  const attrs = [
    `name="${def.symbol}"`,
    `value="${def.id}"`,
    `level="${def.level}"`,
    `template="${escapeAttribute(def.name)}"`,
    ...(def.ruleName ? [`rulename="${def.ruleName}"`] : []),
    ...(def.ruleDefault === "include" ? ['ruledefault="include"'] : []),
    `version="${def.version}"`,
    `target="${def.target}"`,
  ];
  return [`    <event ${attrs.join(" ")}>`, ...def.fields.map(dataLine), "    </event>"];
}

/** Manifest order: the error event first, then ascending IDs (config.md §5.1). */
function manifestOrder(): EventDef[] {
  return [...ALL_EVENTS].sort((a, b) => (a.id === 255 ? -1 : b.id === 255 ? 1 : a.id - b.id));
}

/** The `<manifest>` block for schema 4.90, as `sysmon -s` prints it. */
export function schemaManifest(): string {
  if (FILTER_ORDER.length !== CONDITIONS.length || !CONDITIONS.every((c) => (FILTER_ORDER as readonly string[]).includes(c))) {
    throw new Error("schema print's operator list differs from the configuration stage's");
  }
  for (const [element] of CONFIG_OPTIONS) {
    if (element && !OPTION_ELEMENTS.has(element)) throw new Error(`schema print lists option ${element} that the configuration stage does not read`);
  }
  const lines = [
    `<manifest schemaversion="${NEWEST_SCHEMA}" binaryversion="${BINARY_VERSION}">`,
    "  <configuration>",
    "    <options>",
    "      <!-- Command-line only options -->",
    ...COMMAND_LINE_OPTIONS.map((l) => `      ${l}`),
    "      <!-- Configuration file -->",
    ...CONFIG_OPTIONS.map(([, l]) => `      ${l}`),
    "    </options>",
    `    <filters default="is">${FILTER_ORDER.join(",")}</filters>`,
    "  </configuration>",
    "  <events>",
    ...manifestOrder().flatMap(eventLines),
    "  </events>",
    "</manifest>",
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * `sysmonts -s [all|VERSION]`: prints the manifest; `all` prints every block (this build has
 * one), a version prints the block whose schemaversion starts with it.
 */
export const schemaPrintCommand: Command = {
  words: ["-s"],
  usage: "-s [all|<version>]",
  summary: "print the event schema (manifest) as `sysmon -s` does",
  async run({ args, stdout }) {
    const [which] = args;
    if (which === undefined || which.toLowerCase() === "all" || NEWEST_SCHEMA.startsWith(which)) {
      stdout.write(schemaManifest());
      return 0;
    }
    stdout.write("There is no schema that matches that version.\n");
    return 1;
  },
};
