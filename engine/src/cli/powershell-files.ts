// The PowerShell module's generated files: its type data, its format views and the data file
// that tells it how to type each event field. All three derive from the event catalogue and
// ERROR_CODES, so the module never carries a field list of its own (DESIGN.md, schema/).
import { ERROR_CODES, SysmonTsError } from "../base";
import { ALL_EVENTS, type EventDef, type FieldDef } from "../schema";

/** One generated file of module/: its name there and its full text. */
export interface PowerShellFile {
  readonly name: string;
  readonly text: string;
}

/** How the module converts a field's JSON value into a .NET value (see ConvertTo-MonitorEvent). */
export type PowerShellValueKind = "string" | "datetime" | "uint32" | "int" | "uint64" | "bool";

/**
 * Type names for events whose config element is shared (RegistryEvent is 12, 13 and 14) or
 * absent (4, 16 and 255 bypass filtering, spec/cli-and-output.md §4). Every other event is
 * named after its config element, which is what administrators already know it by.
 */
const TYPE_NAME_OVERRIDES: Readonly<Record<number, string>> = {
  4: "ServiceStateChange",
  12: "RegistryAddOrDelete",
  13: "RegistryValueSet",
  14: "RegistryRename",
  16: "ConfigurationChange",
  17: "PipeCreated",
  18: "PipeConnected",
  19: "WmiEventFilter",
  20: "WmiEventConsumer",
  21: "WmiEventConsumerToFilter",
  255: "Error",
};

/**
 * The fields that identify an event at a glance in the default table, after TimeCreated, Id
 * and RecordId. Chosen so a 120-column console shows them without wrapping.
 */
const SUMMARY_FIELDS: Readonly<Record<number, readonly string[]>> = {
  1: ["ProcessId", "Image"],
  2: ["ProcessId", "TargetFilename"],
  3: ["ProcessId", "DestinationIp", "DestinationPort", "Image"],
  4: ["State", "Version"],
  5: ["ProcessId", "Image"],
  6: ["ImageLoaded"],
  7: ["ProcessId", "ImageLoaded"],
  8: ["SourceProcessId", "TargetImage"],
  9: ["ProcessId", "Device"],
  10: ["SourceProcessId", "GrantedAccess", "TargetImage"],
  11: ["ProcessId", "TargetFilename"],
  12: ["EventType", "TargetObject"],
  13: ["EventType", "TargetObject"],
  14: ["TargetObject", "NewName"],
  15: ["ProcessId", "TargetFilename"],
  16: ["Configuration"],
  17: ["ProcessId", "PipeName"],
  18: ["ProcessId", "PipeName"],
  19: ["Operation", "Name"],
  20: ["Operation", "Name"],
  21: ["Operation", "Consumer"],
  22: ["ProcessId", "QueryName"],
  23: ["ProcessId", "TargetFilename"],
  24: ["ProcessId", "Image"],
  25: ["ProcessId", "Type"],
  26: ["ProcessId", "TargetFilename"],
  27: ["ProcessId", "TargetFilename"],
  28: ["ProcessId", "TargetFilename"],
  29: ["ProcessId", "TargetFilename"],
  100: ["ProcessId", "BpfProgramName"],
  255: ["ID", "Description"],
};

/** The properties every event object carries before its fields (the JSON event header). */
export const EVENT_HEADER_PROPERTIES = ["EventId", "EventRecordId", "Version", "Computer", "TimeCreated"] as const;

/** The shared base type of every event object; type data common to all events hangs here. */
export const EVENT_BASE_TYPE = "SysmonTs.Event";

function generationError(message: string): SysmonTsError {
  return new SysmonTsError("SYSMONTS_E_INTERNAL", `PowerShell files: ${message}`);
}

/**
 * The PSTypeName of an event's objects.
 *
 * @example
 * powerShellTypeName(eventDef(1)); // "SysmonTs.Event.ProcessCreate"
 * powerShellTypeName(eventDef(13)); // "SysmonTs.Event.RegistryValueSet"
 */
export function powerShellTypeName(def: EventDef): string {
  const override = TYPE_NAME_OVERRIDES[def.id];
  if (override) return `${EVENT_BASE_TYPE}.${override}`;
  if (def.ruleName === null) throw generationError(`event ${def.id} has no config element and no type name override`);
  const sharers = ALL_EVENTS.filter((e) => e.ruleName === def.ruleName);
  if (sharers.length > 1) throw generationError(`events ${sharers.map((e) => e.id).join(", ")} share '${def.ruleName}' and need type name overrides`);
  return `${EVENT_BASE_TYPE}.${def.ruleName}`;
}

/**
 * The .NET value a field becomes. Ports are [int] because administrators compare them with
 * plain numbers; "…UtcTime" fields are timestamps rendered as text by Sysmon
 * (spec/cli-and-output.md §7) and become UTC [DateTime]s; hex and GUID fields stay text so they
 * compare equal to what Sysmon logs.
 */
export function powerShellValueKind(field: FieldDef): PowerShellValueKind {
  switch (field.type) {
    case "uint32":
      return "uint32";
    case "uint16":
      return "int";
    case "uint64":
      return "uint64";
    case "bool":
      return "bool";
    case "string":
      return field.name.endsWith("UtcTime") ? "datetime" : "string";
    case "guid":
    case "hex32":
    case "hex64":
      return "string";
  }
}

/** Summary fields of an event's default table view, checked against the catalogue. */
export function summaryFields(def: EventDef): readonly FieldDef[] {
  const names = SUMMARY_FIELDS[def.id];
  if (!names) throw generationError(`event ${def.id} has no summary columns for its table view`);
  return names.map((name) => {
    const index = def.fieldIndex.get(name);
    const field = index === undefined ? undefined : def.fields[index];
    if (!field) throw generationError(`summary column '${name}' is not a field of event ${def.id}`);
    return field;
  });
}

// --- a small XML writer: the generated files are data, so correctness of escaping matters more
// than features.

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

type XmlNode = { readonly tag: string; readonly text?: string; readonly children?: readonly XmlNode[] };

function el(tag: string, content?: string | readonly XmlNode[]): XmlNode {
  if (content === undefined) return { tag };
  return typeof content === "string" ? { tag, text: content } : { tag, children: content };
}

function renderNode(node: XmlNode, depth: number, out: string[]): void {
  const indent = "  ".repeat(depth);
  if (node.children && node.children.length > 0) {
    out.push(`${indent}<${node.tag}>`);
    for (const child of node.children) renderNode(child, depth + 1, out);
    out.push(`${indent}</${node.tag}>`);
  } else if (node.text !== undefined) {
    out.push(`${indent}<${node.tag}>${escapeXml(node.text)}</${node.tag}>`);
  } else {
    out.push(`${indent}<${node.tag} />`);
  }
}

function renderDocument(comment: string, root: XmlNode): string {
  const out = ['<?xml version="1.0" encoding="utf-8"?>', `<!-- ${comment} -->`];
  renderNode(root, 0, out);
  return out.join("\n") + "\n";
}

const GENERATED_NOTE = "Generated by `sysmonts schema --powershell module` from engine/src/schema; do not edit.";

// --- Types.ps1xml

/**
 * The base type's Message rebuilds Sysmon's rendered message text ("Process Create:" then one
 * "Field: value" line per field in manifest order, spec/cli-and-output.md §5). The field list
 * comes from the per-event FieldNames note because event 4 has a field named Version, which
 * shadows the header's Version on the object.
 */
const MESSAGE_SCRIPT = [
  "$lines = [System.Collections.Generic.List[string]]::new()",
  "$lines.Add(\"$($this.EventName):\")",
  "foreach ($name in ($this.FieldNames -split ',')) {",
  "    $value = $this.$name",
  "    $text = if ($null -eq $value) { '-' }",
  "    elseif ($value -is [datetime]) { $value.ToString('yyyy-MM-dd HH:mm:ss.fff', [cultureinfo]::InvariantCulture) }",
  "    elseif ($value -is [bool]) { $value.ToString().ToLowerInvariant() }",
  "    else { [string]$value }",
  "    $lines.Add(\"${name}: $text\")",
  "}",
  "$lines -join \"`r`n\"",
].join("\n");

function alias(name: string, target: string): XmlNode {
  return el("AliasProperty", [el("Name", name), el("ReferencedMemberName", target)]);
}

function note(name: string, value: string): XmlNode {
  return el("NoteProperty", [el("Name", name), el("Value", value)]);
}

/** SysmonTs.Types.ps1xml: Get-WinEvent's Id/RecordId/Message on every event, names per type. */
export function renderTypesXml(events: readonly EventDef[] = ALL_EVENTS): string {
  const base = el("Type", [
    el("Name", EVENT_BASE_TYPE),
    el("Members", [
      alias("Id", "EventId"),
      alias("RecordId", "EventRecordId"),
      el("ScriptProperty", [el("Name", "Message"), el("GetScriptBlock", MESSAGE_SCRIPT)]),
    ]),
  ]);
  const perEvent = events.map((def) =>
    el("Type", [
      el("Name", powerShellTypeName(def)),
      el("Members", [
        note("EventName", def.name),
        note("RuleElement", def.ruleName ?? "-"),
        note("LevelDisplayName", def.level),
        note("FieldNames", def.fields.map((f) => f.name).join(",")),
      ]),
    ]),
  );
  return renderDocument(GENERATED_NOTE, el("Types", [base, ...perEvent]));
}

// --- Format.ps1xml

interface TableColumn {
  readonly label: string;
  readonly property: string;
  readonly width?: number;
  readonly alignment?: "Left" | "Right";
}

const NUMERIC_KINDS: ReadonlySet<PowerShellValueKind> = new Set(["uint32", "int", "uint64"]);

function tableView(name: string, typeNames: readonly string[], columns: readonly TableColumn[]): XmlNode {
  const headers = columns.map((c) => {
    const parts: XmlNode[] = [el("Label", c.label)];
    if (c.width !== undefined) parts.push(el("Width", String(c.width)));
    if (c.alignment) parts.push(el("Alignment", c.alignment));
    return el("TableColumnHeader", parts);
  });
  const items = columns.map((c) => el("TableColumnItem", [el("PropertyName", c.property)]));
  return el("View", [
    el("Name", name),
    el("ViewSelectedBy", typeNames.map((t) => el("TypeName", t))),
    el("TableControl", [
      el("TableHeaders", headers),
      el("TableRowEntries", [el("TableRowEntry", [el("TableColumnItems", items)])]),
    ]),
  ]);
}

function listView(name: string, typeName: string, properties: readonly string[]): XmlNode {
  return el("View", [
    el("Name", name),
    el("ViewSelectedBy", [el("TypeName", typeName)]),
    el("ListControl", [
      el("ListEntries", [
        el("ListEntry", [el("ListItems", properties.map((p) => el("ListItem", [el("PropertyName", p)])))]),
      ]),
    ]),
  ]);
}

const EVENT_LEAD_COLUMNS: readonly TableColumn[] = [
  { label: "TimeCreated", property: "TimeCreated", width: 22 },
  { label: "Id", property: "EventId", width: 4, alignment: "Right" },
  { label: "RecordId", property: "EventRecordId", width: 9, alignment: "Right" },
];

function eventColumns(def: EventDef): TableColumn[] {
  const fields = summaryFields(def);
  return fields.map((f, i) => {
    const last = i === fields.length - 1;
    const numeric = NUMERIC_KINDS.has(powerShellValueKind(f));
    // The last column takes what is left of the console; numbers get a fixed right-aligned one.
    if (last) return { label: f.name, property: f.name };
    if (numeric) return { label: f.name, property: f.name, width: Math.max(f.name.length, 8), alignment: "Right" };
    return { label: f.name, property: f.name, width: Math.max(f.name.length, 16) };
  });
}

/** Views of the non-event objects the cmdlets return; their shapes are set in module/Private. */
const STATIC_VIEWS: readonly XmlNode[] = [
  listView("SysmonTs.Status", "SysmonTs.Status", [
    "Version", "ProcessId", "Uptime", "Platform", "ConfigFile", "ConfigHash", "SchemaVersion", "SensorState",
    "EventsProduced", "EventsLost", "EventsMalformed", "StorePath", "StoreState", "StoreSizeBytes", "StoreEventCount",
    "OldestRecordId", "NewestRecordId", "OldestTime", "NewestTime", "Sinks",
  ]),
  tableView("SysmonTs.EventCounter", ["SysmonTs.EventCounter"], [
    { label: "Id", property: "Id", width: 4, alignment: "Right" },
    { label: "Seen", property: "Seen", width: 12, alignment: "Right" },
    { label: "Kept", property: "Kept", width: 12, alignment: "Right" },
    { label: "Dropped", property: "Dropped", width: 12, alignment: "Right" },
  ]),
  tableView("SysmonTs.SinkStatus", ["SysmonTs.SinkStatus"], [
    { label: "Name", property: "Name", width: 24 },
    { label: "State", property: "State", width: 12 },
    { label: "Sent", property: "Sent", width: 12, alignment: "Right" },
    { label: "Dropped", property: "Dropped", alignment: "Right" },
  ]),
  listView("SysmonTs.ConfigState", "SysmonTs.ConfigState", ["File", "Hash", "SchemaVersion"]),
  tableView("SysmonTs.ConfigRule", ["SysmonTs.ConfigRule"], [
    { label: "Id", property: "EventId", width: 4, alignment: "Right" },
    { label: "RuleElement", property: "RuleElement", width: 20 },
    { label: "OnMatch", property: "OnMatch", width: 7 },
    { label: "Field", property: "Field", width: 22 },
    { label: "Condition", property: "Condition", width: 16 },
    { label: "Value", property: "Value" },
  ]),
  tableView("SysmonTs.ConfigDiagnostic", ["SysmonTs.ConfigDiagnostic"], [
    { label: "Severity", property: "Severity", width: 8 },
    { label: "Line", property: "Line", width: 6, alignment: "Right" },
    { label: "Column", property: "Column", width: 6, alignment: "Right" },
    { label: "Message", property: "Message" },
  ]),
  tableView("SysmonTs.RuleDecision", ["SysmonTs.RuleDecision"], [
    { label: "Id", property: "EventId", width: 4, alignment: "Right" },
    { label: "Include", property: "Include", width: 7 },
    { label: "RuleName", property: "RuleName", width: 40 },
    { label: "Error", property: "Error" },
  ]),
  tableView("SysmonTs.SchemaEvent", ["SysmonTs.SchemaEvent"], [
    { label: "Id", property: "Id", width: 4, alignment: "Right" },
    { label: "Name", property: "Name", width: 42 },
    { label: "RuleElement", property: "RuleElement", width: 22 },
    { label: "Version", property: "Version", width: 7, alignment: "Right" },
    { label: "Level", property: "Level" },
  ]),
  tableView("SysmonTs.SchemaField", ["SysmonTs.SchemaField"], [
    { label: "Name", property: "Name", width: 28 },
    { label: "Type", property: "Type" },
  ]),
];

/** SysmonTs.Format.ps1xml: one default table per event type, a generic one, and the others. */
export function renderFormatXml(events: readonly EventDef[] = ALL_EVENTS): string {
  const perEvent = events.map((def) => {
    const typeName = powerShellTypeName(def);
    return tableView(typeName, [typeName], [...EVENT_LEAD_COLUMNS, ...eventColumns(def)]);
  });
  // Events of an ID this module's catalogue does not know (a newer engine) still get a table.
  const generic = tableView(EVENT_BASE_TYPE, [EVENT_BASE_TYPE], [...EVENT_LEAD_COLUMNS, { label: "EventName", property: "EventName" }]);
  return renderDocument(GENERATED_NOTE, el("Configuration", [el("ViewDefinitions", [...perEvent, generic, ...STATIC_VIEWS])]));
}

// --- SysmonTs.Catalogue.psd1

function psString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * SysmonTs.Catalogue.psd1, read with Import-PowerShellDataFile: per event its type name,
 * display name and fields with their value kinds, plus the ErrorCategory of each error code.
 */
export function renderCatalogueData(events: readonly EventDef[] = ALL_EVENTS): string {
  const lines = [`# ${GENERATED_NOTE}`, "@{", "    Events = @{"];
  for (const def of events) {
    lines.push(`        ${def.id} = @{`);
    lines.push(`            TypeName = ${psString(powerShellTypeName(def))}`);
    lines.push(`            Name = ${psString(def.name)}`);
    lines.push(`            RuleElement = ${def.ruleName === null ? "$null" : psString(def.ruleName)}`);
    lines.push(`            Version = ${def.version}`);
    lines.push(`            Level = ${psString(def.level)}`);
    lines.push("            Fields = @(");
    for (const f of def.fields) {
      lines.push(`                @{ Name = ${psString(f.name)}; Type = ${psString(f.type)}; Kind = ${psString(powerShellValueKind(f))} }`);
    }
    lines.push("            )");
    lines.push("        }");
  }
  lines.push("    }", "    ErrorCategories = @{");
  for (const [code, info] of Object.entries(ERROR_CODES)) lines.push(`        ${code} = ${psString(info.category)}`);
  lines.push("    }", "}");
  return lines.join("\n") + "\n";
}

/** Every generated file of module/, in a stable order. */
export function powerShellFiles(events: readonly EventDef[] = ALL_EVENTS): PowerShellFile[] {
  return [
    { name: "SysmonTs.Types.ps1xml", text: renderTypesXml(events) },
    { name: "SysmonTs.Format.ps1xml", text: renderFormatXml(events) },
    { name: "SysmonTs.Catalogue.psd1", text: renderCatalogueData(events) },
  ];
}
