import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { ERROR_CODES } from "../base";
import { ALL_EVENTS, eventDef } from "../schema";
import {
  powerShellFiles,
  powerShellTypeName,
  powerShellValueKind,
  renderCatalogueData,
  renderFormatXml,
  renderTypesXml,
  summaryFields,
} from "./powershell-files";
import { runSchemaPowerShell } from "./schema-powershell";

const moduleDir = path.resolve(__dirname, "../../../module");

// --- a structural check of the ps1xml files against the element grammar PowerShell's loader
// accepts (about_Types.ps1xml, about_Format.ps1xml): which children, in which order, how many.

type OrderedNode = Record<string, unknown> & { ":@"?: Record<string, string> };
interface Particle {
  readonly names: readonly string[];
  readonly min: number;
  readonly max: number;
}
const one = (...names: string[]): Particle => ({ names, min: 1, max: 1 });
const opt = (...names: string[]): Particle => ({ names, min: 0, max: 1 });
const many = (...names: string[]): Particle => ({ names, min: 1, max: Infinity });
const any = (...names: string[]): Particle => ({ names, min: 0, max: Infinity });

const TEXT = "#text";
const TYPES_GRAMMAR: Record<string, readonly Particle[] | "text"> = {
  Types: [many("Type")],
  Type: [one("Name"), opt("Members")],
  Members: [many("NoteProperty", "AliasProperty", "ScriptProperty", "CodeProperty", "ScriptMethod", "CodeMethod", "PropertySet", "MemberSet")],
  NoteProperty: [one("Name"), one("Value")],
  AliasProperty: [one("Name"), one("ReferencedMemberName"), opt("TypeName")],
  ScriptProperty: [one("Name"), opt("GetScriptBlock"), opt("SetScriptBlock")],
  Name: "text",
  Value: "text",
  ReferencedMemberName: "text",
  GetScriptBlock: "text",
};
const FORMAT_GRAMMAR: Record<string, readonly Particle[] | "text"> = {
  Configuration: [opt("DefaultSettings"), opt("SelectionSets"), opt("Controls"), one("ViewDefinitions")],
  ViewDefinitions: [many("View")],
  View: [one("Name"), one("ViewSelectedBy"), opt("GroupBy"), one("TableControl", "ListControl", "WideControl", "CustomControl")],
  ViewSelectedBy: [many("TypeName", "SelectionSetName")],
  TableControl: [opt("AutoSize"), opt("HideTableHeaders"), one("TableHeaders"), one("TableRowEntries")],
  TableHeaders: [any("TableColumnHeader")],
  TableColumnHeader: [opt("Label"), opt("Width"), opt("Alignment")],
  TableRowEntries: [many("TableRowEntry")],
  TableRowEntry: [opt("Wrap"), opt("EntrySelectedBy"), one("TableColumnItems")],
  TableColumnItems: [many("TableColumnItem")],
  TableColumnItem: [opt("Alignment"), one("PropertyName", "ScriptBlock"), opt("FormatString")],
  ListControl: [one("ListEntries")],
  ListEntries: [many("ListEntry")],
  ListEntry: [opt("EntrySelectedBy"), one("ListItems")],
  ListItems: [many("ListItem")],
  ListItem: [opt("Label"), one("PropertyName", "ScriptBlock"), opt("FormatString")],
  Name: "text",
  TypeName: "text",
  Label: "text",
  Width: "text",
  Alignment: "text",
  PropertyName: "text",
};

function tagOf(node: OrderedNode): string {
  const tag = Object.keys(node).find((k) => k !== ":@");
  if (!tag) throw new Error("empty node");
  return tag;
}

function childrenOf(node: OrderedNode): OrderedNode[] {
  // Indentation between elements is insignificant; any other text in a structural element is not.
  return (node[tagOf(node)] as OrderedNode[]).filter((c) => tagOf(c) !== "#comment" && !(tagOf(c) === TEXT && String(c[TEXT]).trim() === ""));
}

function textOf(node: OrderedNode): string {
  const children = node[tagOf(node)] as OrderedNode[];
  return children.map((c) => String(c[TEXT] ?? "")).join("");
}

/** Returns "path: problem" strings for every place the tree departs from the grammar. */
function grammarProblems(node: OrderedNode, grammar: Record<string, readonly Particle[] | "text">, where = ""): string[] {
  const tag = tagOf(node);
  const here = `${where}/${tag}`;
  const rule = grammar[tag];
  if (rule === undefined) return [`${here}: element not allowed by the grammar`];
  const children = childrenOf(node);
  if (rule === "text") {
    return children.some((c) => tagOf(c) !== TEXT) ? [`${here}: must hold text only`] : [];
  }
  const problems: string[] = [];
  let i = 0;
  for (const particle of rule) {
    let count = 0;
    while (i < children.length && count < particle.max && particle.names.includes(tagOf(children[i]!))) {
      count++;
      i++;
    }
    if (count < particle.min) problems.push(`${here}: expected ${particle.names.join("|")} at child ${i + 1}`);
  }
  if (i < children.length) problems.push(`${here}: unexpected ${tagOf(children[i]!)} at child ${i + 1}`);
  for (const c of children) if (tagOf(c) !== TEXT) problems.push(...grammarProblems(c, grammar, here));
  return problems;
}

function parseOrdered(xml: string): OrderedNode {
  const validation = XMLValidator.validate(xml);
  if (validation !== true) throw new Error(`not well-formed: ${JSON.stringify(validation.err)}`);
  const parsed = new XMLParser({ preserveOrder: true, commentPropName: "#comment", trimValues: false }).parse(xml) as OrderedNode[];
  const roots = parsed.filter((n) => !["?xml", "#comment"].includes(tagOf(n)) && !(TEXT in n));
  expect(roots).toHaveLength(1);
  return roots[0]!;
}

function find(node: OrderedNode, tag: string): OrderedNode[] {
  const found: OrderedNode[] = [];
  const walk = (n: OrderedNode): void => {
    if (tagOf(n) === tag) found.push(n);
    if (tagOf(n) !== TEXT) for (const c of childrenOf(n)) walk(c);
  };
  walk(node);
  return found;
}

function child(node: OrderedNode, tag: string): OrderedNode | undefined {
  return childrenOf(node).find((c) => tagOf(c) === tag);
}

describe("PowerShell type names", () => {
  it("names events after their config element, and 4/16/255 and shared elements explicitly", () => {
    expect(powerShellTypeName(eventDef(1))).toBe("SysmonTs.Event.ProcessCreate");
    expect(powerShellTypeName(eventDef(3))).toBe("SysmonTs.Event.NetworkConnect");
    expect(powerShellTypeName(eventDef(4))).toBe("SysmonTs.Event.ServiceStateChange");
    expect(powerShellTypeName(eventDef(16))).toBe("SysmonTs.Event.ConfigurationChange");
    expect(powerShellTypeName(eventDef(255))).toBe("SysmonTs.Event.Error");
    expect(powerShellTypeName(eventDef(13))).toBe("SysmonTs.Event.RegistryValueSet");
  });

  it("gives every event of the catalogue its own type name", () => {
    const names = ALL_EVENTS.map(powerShellTypeName);
    expect(new Set(names).size).toBe(ALL_EVENTS.length);
    for (const name of names) expect(name).toMatch(/^SysmonTs\.Event\.[A-Za-z]+$/);
  });
});

describe("PowerShell value kinds", () => {
  it("types PIDs as uint32, ports as int, booleans as bool and *UtcTime text as datetime", () => {
    const kind = (id: number, name: string): string => {
      const def = eventDef(id);
      return powerShellValueKind(def.fields[def.fieldIndex.get(name)!]!);
    };
    expect(kind(1, "ProcessId")).toBe("uint32");
    expect(kind(3, "DestinationPort")).toBe("int");
    expect(kind(3, "Initiated")).toBe("bool");
    expect(kind(1, "UtcTime")).toBe("datetime");
    expect(kind(2, "PreviousCreationUtcTime")).toBe("datetime");
    expect(kind(1, "LogonId")).toBe("string");
    expect(kind(1, "ProcessGuid")).toBe("string");
    expect(kind(1, "Image")).toBe("string");
  });
});

describe("SysmonTs.Types.ps1xml", () => {
  const root = parseOrdered(renderTypesXml());

  it("follows the Types/Type/Name/Members grammar", () => {
    expect(tagOf(root)).toBe("Types");
    expect(grammarProblems(root, TYPES_GRAMMAR)).toEqual([]);
  });

  it("has the base type with Id, RecordId and Message, and one type per event", () => {
    const types = find(root, "Type").map((t) => textOf(child(t, "Name")!));
    expect(types).toEqual(["SysmonTs.Event", ...ALL_EVENTS.map(powerShellTypeName)]);
    const base = find(root, "Type")[0]!;
    const members = find(base, "Name").map(textOf);
    expect(members).toEqual(expect.arrayContaining(["Id", "RecordId", "Message"]));
  });

  it("carries each event's display name and its fields in manifest order", () => {
    const processCreate = find(root, "Type").find((t) => textOf(child(t, "Name")!) === "SysmonTs.Event.ProcessCreate")!;
    const notes = Object.fromEntries(find(processCreate, "NoteProperty").map((n) => [textOf(child(n, "Name")!), textOf(child(n, "Value")!)]));
    expect(notes["EventName"]).toBe("Process Create");
    expect(notes["FieldNames"]).toBe(eventDef(1).fields.map((f) => f.name).join(","));
    expect(notes["LevelDisplayName"]).toBe("Informational");
  });
});

describe("SysmonTs.Format.ps1xml", () => {
  const root = parseOrdered(renderFormatXml());
  const views = find(root, "View");
  const viewNamed = (name: string): OrderedNode => {
    const view = views.find((v) => textOf(child(v, "Name")!) === name);
    if (!view) throw new Error(`no view ${name}`);
    return view;
  };

  it("follows the Configuration/ViewDefinitions/View grammar", () => {
    expect(tagOf(root)).toBe("Configuration");
    expect(grammarProblems(root, FORMAT_GRAMMAR)).toEqual([]);
  });

  it("has as many column headers as column items in every table, with valid widths and alignments", () => {
    for (const table of find(root, "TableControl")) {
      const headers = find(table, "TableColumnHeader");
      const items = find(table, "TableColumnItem");
      expect(headers.length).toBe(items.length);
      for (const w of find(table, "Width")) expect(Number(textOf(w))).toBeGreaterThan(0);
      for (const a of find(table, "Alignment")) expect(["Left", "Right", "Center"]).toContain(textOf(a));
    }
  });

  it("gives every event a table of TimeCreated, Id, RecordId and its summary fields that fits 120 columns", () => {
    for (const def of ALL_EVENTS) {
      const view = viewNamed(powerShellTypeName(def));
      expect(find(child(view, "ViewSelectedBy")!, "TypeName").map(textOf)).toEqual([powerShellTypeName(def)]);
      const properties = find(view, "PropertyName").map(textOf);
      expect(properties).toEqual(["TimeCreated", "EventId", "EventRecordId", ...summaryFields(def).map((f) => f.name)]);
      const headers = find(view, "TableColumnHeader");
      expect(headers.map((h) => textOf(child(h, "Label")!)).slice(0, 3)).toEqual(["TimeCreated", "Id", "RecordId"]);
      // Fixed columns plus one space between columns, leaving at least 24 for the free last one.
      const fixed = headers.slice(0, -1).reduce((sum, h) => sum + Number(textOf(child(h, "Width")!)) + 1, 0);
      expect(fixed + 24).toBeLessThanOrEqual(120);
      expect(child(headers.at(-1)!, "Width")).toBeUndefined();
    }
  });

  it("uses summary fields that every event really has", () => {
    expect(summaryFields(eventDef(1)).map((f) => f.name)).toEqual(["ProcessId", "Image"]);
    expect(summaryFields(eventDef(11)).map((f) => f.name)).toEqual(["ProcessId", "TargetFilename"]);
    for (const def of ALL_EVENTS) for (const f of summaryFields(def)) expect(def.fields[f.index]?.name).toBe(f.name);
  });

  it("has views for the status, config, diagnostic, decision and schema objects", () => {
    for (const name of ["SysmonTs.Event", "SysmonTs.Status", "SysmonTs.ConfigRule", "SysmonTs.ConfigDiagnostic", "SysmonTs.RuleDecision", "SysmonTs.SchemaEvent"]) {
      expect(viewNamed(name)).toBeDefined();
    }
    expect(new Set(views.map((v) => textOf(child(v, "Name")!))).size).toBe(views.length);
  });
});

describe("SysmonTs.Catalogue.psd1", () => {
  const text = renderCatalogueData();
  // The names of System.Management.Automation.ErrorCategory (PowerShell SDK reference).
  const ERROR_CATEGORIES = new Set([
    "NotSpecified", "OpenError", "CloseError", "DeviceError", "DeadlockDetected", "InvalidArgument", "InvalidData",
    "InvalidOperation", "InvalidResult", "InvalidType", "MetadataError", "NotImplemented", "NotInstalled", "ObjectNotFound",
    "OperationStopped", "OperationTimeout", "SyntaxError", "ParserError", "PermissionDenied", "ResourceBusy", "ResourceExists",
    "ResourceUnavailable", "ReadError", "WriteError", "FromStdErr", "SecurityError", "ProtocolError", "ConnectionError",
    "AuthenticationError", "LimitsExceeded", "QuotaExceeded", "NotEnabled",
  ]);

  it("lists every event with its type name and each field with its kind, in manifest order", () => {
    for (const def of ALL_EVENTS) {
      const start = text.indexOf(`        ${def.id} = @{\n`);
      expect(start).toBeGreaterThan(0);
      const block = text.slice(start, text.indexOf("\n        }\n", start));
      expect(block).toContain(`TypeName = '${powerShellTypeName(def)}'`);
      const names = [...block.matchAll(/@\{ Name = '([^']+)'; Type = '([a-z0-9]+)'; Kind = '([a-z0-9]+)' \}/g)].map((m) => m[1]);
      expect(names).toEqual(def.fields.map((f) => f.name));
    }
  });

  it("maps every error code to a real PowerShell ErrorCategory", () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(text).toContain(`        ${code} = '${info.category}'\n`);
      expect(ERROR_CATEGORIES).toContain(info.category);
    }
  });

  it("doubles single quotes inside PowerShell string literals", () => {
    const quoted = renderCatalogueData([{ ...eventDef(1), name: "Bob's process" }]);
    expect(quoted).toContain("Name = 'Bob''s process'");
  });
});

describe("module/ generated files", () => {
  it("are up to date with the catalogue (regenerate: sysmonts schema --powershell module)", () => {
    for (const file of powerShellFiles()) {
      expect({ file: file.name, text: readFileSync(path.join(moduleDir, file.name), "utf8") }).toEqual({ file: file.name, text: file.text });
    }
  });
});

describe("sysmonts schema --powershell", () => {
  function io(): { stdout: PassThrough; stderr: PassThrough; read(s: PassThrough): string } {
    return { stdout: new PassThrough(), stderr: new PassThrough(), read: (s) => String(s.read() ?? "") };
  }

  it("writes the files, then --check passes; a stale file makes --check fail naming it", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sysmonts-ps-"));
    try {
      const streams = io();
      expect(await runSchemaPowerShell({ args: ["--powershell", dir, "--check"], ...streams })).toBe(1);
      expect(await runSchemaPowerShell({ args: ["--powershell", dir], ...streams })).toBe(0);
      expect(readFileSync(path.join(dir, "SysmonTs.Format.ps1xml"), "utf8")).toBe(renderFormatXml());
      expect(await runSchemaPowerShell({ args: ["--powershell", dir, "--check"], ...streams })).toBe(0);
      writeFileSync(path.join(dir, "SysmonTs.Types.ps1xml"), "<Types />\n");
      const checking = io();
      expect(await runSchemaPowerShell({ args: ["--check", "--powershell", dir], ...checking })).toBe(1);
      expect(checking.read(checking.stderr)).toContain("SysmonTs.Types.ps1xml is out of date");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a missing directory or an unknown argument with a usage error", async () => {
    await expect(runSchemaPowerShell({ args: [], ...io() })).rejects.toMatchObject({ code: "SYSMONTS_E_USAGE" });
    await expect(runSchemaPowerShell({ args: ["--powershell"], ...io() })).rejects.toMatchObject({ code: "SYSMONTS_E_USAGE" });
    await expect(runSchemaPowerShell({ args: ["--powershell", "x", "--bogus"], ...io() })).rejects.toMatchObject({ code: "SYSMONTS_E_USAGE", message: expect.stringContaining("--bogus") });
  });
});
