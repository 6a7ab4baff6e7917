// Contract checks on the PowerShell module's source text. They run everywhere, with or without
// pwsh: the manifest agrees with the files, every command has complete comment-based help, an
// approved verb, -WhatIf/-Confirm where it changes state, and the exact parameters documented in
// about_SysmonTs. module/tests/*.Tests.ps1 checks the same contract from inside PowerShell.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";

const repoRoot = path.resolve(__dirname, "../..");
const moduleDir = path.join(repoRoot, "module");
const read = (relative: string): string => readFileSync(path.join(moduleDir, relative), "utf8");
const publicFiles = readdirSync(path.join(moduleDir, "Public")).filter((f) => f.endsWith(".ps1")).sort();
const privateFiles = readdirSync(path.join(moduleDir, "Private")).filter((f) => f.endsWith(".ps1")).sort();
const manifest = read("SysmonTs.psd1");

/** Get-Verb's approved verbs (PowerShell 7.4 documentation, "Approved Verbs for PowerShell Commands"). */
const APPROVED_VERBS = new Set(
  (
    "Add Clear Close Copy Enter Exit Find Format Get Hide Join Lock Move New Open Optimize Pop Push Redo Remove Rename " +
    "Reset Resize Search Select Set Show Skip Split Step Switch Undo Unlock Watch " +
    "Connect Disconnect Read Receive Send Write " +
    "Backup Checkpoint Compare Compress Convert ConvertFrom ConvertTo Dismount Edit Expand Export Group Import " +
    "Initialize Limit Merge Mount Out Publish Restore Save Sync Unpublish Update " +
    "Debug Measure Ping Repair Resolve Test Trace " +
    "Approve Assert Build Complete Confirm Deny Deploy Disable Enable Install Invoke Register Request Restart Resume " +
    "Start Stop Submit Suspend Uninstall Unregister Wait " +
    "Block Grant Protect Revoke Unblock Unprotect Use"
  ).split(" "),
);

/** Verbs whose commands change the system and so must support -WhatIf and -Confirm. */
const STATE_CHANGING_VERBS = new Set(["Install", "Uninstall", "Set", "New", "Remove", "Start", "Stop", "Restart", "Clear", "Reset", "Update", "Enable", "Disable", "Register", "Unregister"]);

interface ParameterContract {
  readonly name: string;
  readonly type: string;
  readonly mandatory?: boolean;
  readonly position?: number;
  readonly byValue?: boolean;
  readonly byPropertyName?: boolean;
  readonly aliases?: readonly string[];
}

/** The parameters each command must have: what about_SysmonTs and the issue promise. */
const CONTRACT: Readonly<Record<string, readonly ParameterContract[]>> = {
  "Install-Monitor": [
    { name: "Config", type: "string", mandatory: true, position: 0, byPropertyName: true, aliases: ["Path", "FullName"] },
    { name: "AcceptEula", type: "switch" },
    { name: "PassThru", type: "switch" },
  ],
  "Uninstall-Monitor": [{ name: "Force", type: "switch" }],
  "Set-MonitorConfig": [
    { name: "Path", type: "string", mandatory: true, position: 0, byPropertyName: true, aliases: ["FullName"] },
    { name: "PassThru", type: "switch" },
  ],
  "Get-MonitorConfig": [{ name: "Raw", type: "switch" }],
  "Test-MonitorConfig": [
    { name: "Path", type: "string", mandatory: true, position: 0, byPropertyName: true, aliases: ["FullName"] },
    { name: "Event", type: "object[]", position: 1 },
    { name: "Quiet", type: "switch" },
  ],
  "Get-MonitorEvent": [
    { name: "Id", type: "int[]", position: 0 },
    { name: "StartTime", type: "datetime" },
    { name: "EndTime", type: "datetime" },
    { name: "MaxEvents", type: "long" },
    { name: "Oldest", type: "switch" },
    { name: "FilterHashtable", type: "hashtable" },
    { name: "ProcessGuid", type: "string", byPropertyName: true },
  ],
  "Watch-MonitorEvent": [
    { name: "Id", type: "int[]", position: 0 },
    { name: "FilterHashtable", type: "hashtable" },
    { name: "MaxEvents", type: "long" },
    { name: "Timeout", type: "int" },
  ],
  "Get-MonitorStatus": [],
  "Get-MonitorSchema": [{ name: "Id", type: "int[]", position: 0, byValue: true, byPropertyName: true, aliases: ["EventId"] }],
};

/** The text between an opening bracket at `start` and its matching close, quotes respected. */
function balanced(text: string, start: number): string {
  const open = text[start];
  const close = open === "(" ? ")" : open === "{" ? "}" : "]";
  let depth = 0;
  let quote: string | null = null;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return text.slice(start + 1, i);
  }
  throw new Error(`unbalanced ${open} at ${start}`);
}

/** Splits on commas that are not inside brackets or quotes. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = "";
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (c === "," && depth === 0) {
      parts.push(current);
      current = "";
      continue;
    }
    current += c;
  }
  if (current.trim()) parts.push(current);
  return parts;
}

interface SourceParameter extends ParameterContract {
  readonly attributes: string;
}

function parametersOf(source: string): SourceParameter[] {
  const binding = source.indexOf("[CmdletBinding(");
  expect(binding).toBeGreaterThan(0);
  const paramStart = source.indexOf("param(", binding) + "param".length;
  const block = balanced(source, paramStart).replace(/#[^\n]*/g, "");
  return splitTopLevel(block).map((part) => {
    const name = /\$(\w+)\s*(?:=[\s\S]*)?$/.exec(part.trim())?.[1];
    if (!name) throw new Error(`no parameter name in: ${part}`);
    const brackets = [...part.matchAll(/\[([A-Za-z][\w.]*(?:\[\])?)\]/g)].map((m) => m[1]!.toLowerCase());
    const type = brackets.at(-1) ?? "object";
    const parameterAttr = /\[Parameter\(([^)]*)\)\]/.exec(part)?.[1] ?? "";
    const position = /Position\s*=\s*(\d+)/.exec(parameterAttr)?.[1];
    const aliases = /\[Alias\(([^)]*)\)\]/.exec(part)?.[1]?.split(",").map((a) => a.trim().replace(/^'|'$/g, ""));
    return {
      name,
      type,
      attributes: part,
      ...(/\bMandatory\b/.test(parameterAttr) ? { mandatory: true } : {}),
      ...(position !== undefined ? { position: Number(position) } : {}),
      ...(/\bValueFromPipeline\b(?!ByPropertyName)/.test(parameterAttr) ? { byValue: true } : {}),
      ...(/\bValueFromPipelineByPropertyName\b/.test(parameterAttr) ? { byPropertyName: true } : {}),
      ...(aliases ? { aliases } : {}),
    };
  });
}

function helpOf(source: string): Map<string, string[]> {
  const start = source.indexOf("<#");
  const end = source.indexOf("#>", start);
  expect(start).toBeGreaterThan(0);
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of source.slice(start + 2, end).split("\n")) {
    const keyword = /^\s*\.([A-Z]+)(?:\s+(\S+))?\s*$/.exec(line);
    if (keyword) {
      const key = keyword[2] ? `${keyword[1]} ${keyword[2]}` : keyword[1]!;
      current = [];
      sections.set(sections.has(key) ? `${key}#${sections.size}` : key, current);
    } else if (current) current.push(line.trim());
  }
  return sections;
}

function exportedFunctions(): string[] {
  const block = /FunctionsToExport\s*=\s*@\(([^)]*)\)/.exec(manifest)?.[1] ?? "";
  return [...block.matchAll(/'([^']+)'/g)].map((m) => m[1]!).sort();
}

describe("SysmonTs.psd1", () => {
  it("exports exactly one function per Public/*.ps1 file, named after the file", () => {
    const commands = publicFiles.map((f) => f.replace(/\.ps1$/, ""));
    expect(exportedFunctions()).toEqual(commands);
    for (const file of publicFiles) {
      const defined = [...read(`Public/${file}`).matchAll(/^function\s+([\w-]+)/gm)].map((m) => m[1]);
      expect({ file, defined }).toEqual({ file, defined: [file.replace(/\.ps1$/, "")] });
    }
  });

  it("exports every command the issue and about_SysmonTs name", () => {
    expect(exportedFunctions()).toEqual(Object.keys(CONTRACT).sort());
    const about = read("en-US/about_SysmonTs.help.txt");
    for (const command of Object.keys(CONTRACT)) expect(about).toContain(command);
  });

  it("names files that exist, the root module, and the package's version", () => {
    const listed = [...manifest.matchAll(/'([\w./-]+\.(?:psm1|psd1|ps1xml|txt))'/g)].map((m) => m[1]!);
    expect(listed).toEqual(expect.arrayContaining(["SysmonTs.psm1", "SysmonTs.Types.ps1xml", "SysmonTs.Format.ps1xml", "SysmonTs.Catalogue.psd1"]));
    for (const file of listed) expect(() => read(file)).not.toThrow();
    expect(manifest).toMatch(/RootModule\s*=\s*'SysmonTs\.psm1'/);
    const version = (JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string }).version;
    expect(manifest).toContain(`ModuleVersion        = '${version}'`);
    expect(manifest).toMatch(/CmdletsToExport\s*=\s*@\(\)/);
    expect(manifest).toMatch(/AliasesToExport\s*=\s*@\(\)/);
  });
});

describe.each(publicFiles.map((f) => f.replace(/\.ps1$/, "")))("%s", (command) => {
  const source = read(`Public/${command}.ps1`);
  const verb = command.split("-")[0]!;

  it("uses an approved verb", () => {
    expect(APPROVED_VERBS).toContain(verb);
  });

  it("has comment-based help: synopsis, description, every parameter and an example", () => {
    const help = helpOf(source);
    expect(help.get("SYNOPSIS")?.join(" ").trim()).toMatch(/\w{3,}/);
    expect(help.get("DESCRIPTION")?.join(" ").trim().length).toBeGreaterThan(80);
    const documented = [...help.keys()].filter((k) => k.startsWith("PARAMETER ")).map((k) => k.slice("PARAMETER ".length)).sort();
    expect(documented).toEqual(parametersOf(source).map((p) => p.name).sort());
    for (const key of help.keys()) if (key.startsWith("PARAMETER ")) expect(help.get(key)!.join(" ").trim().length).toBeGreaterThan(10);
    const examples = [...help.keys()].filter((k) => k.startsWith("EXAMPLE"));
    expect(examples.length).toBeGreaterThanOrEqual(1);
    for (const key of examples) expect(help.get(key)!.join("\n")).toContain(command);
  });

  it("has exactly the promised parameters", () => {
    const actual = parametersOf(source).map(({ attributes: _attributes, ...rest }) => rest);
    expect(actual).toEqual(CONTRACT[command]);
  });

  it(STATE_CHANGING_VERBS.has(verb) ? "supports -WhatIf/-Confirm and asks ShouldProcess" : "does not claim to change state", () => {
    const declares = /\[CmdletBinding\([^)]*\bSupportsShouldProcess\b/.test(source);
    const asks = /\$PSCmdlet\.ShouldProcess\(/.test(source);
    expect({ declares, asks }).toEqual(STATE_CHANGING_VERBS.has(verb) ? { declares: true, asks: true } : { declares: false, asks: false });
  });

  it("reports failures as ErrorRecords keyed by the engine's error code", () => {
    expect(source).toMatch(/ConvertTo-MonitorErrorRecord -ErrorRecord \$_/);
    expect(source).toMatch(/\$PSCmdlet\.(ThrowTerminatingError|WriteError)\(/);
  });
});

describe("module source", () => {
  const allSources = [read("SysmonTs.psm1"), ...publicFiles.map((f) => read(`Public/${f}`)), ...privateFiles.map((f) => read(`Private/${f}`))];
  const defined = new Set(allSources.flatMap((s) => [...s.matchAll(/^\s*function\s+([\w-]+)/gm)].map((m) => m[1]!.toLowerCase())));
  /** Built-in commands the module calls; anything else in Verb-Noun form must be defined by it. */
  const BUILT_IN = new Set(
    [
      "Get-ChildItem", "Sort-Object", "Export-ModuleMember", "Import-PowerShellDataFile", "Join-Path", "Test-Path", "Resolve-Path",
      "Split-Path", "Get-Command", "Select-Object", "Where-Object", "ForEach-Object", "Write-Warning", "Write-Verbose", "Start-Sleep",
      "Set-StrictMode", "Get-Item", "Set-Content", "Get-Date", "Format-Table", "Format-List", "Get-WinEvent", "Get-Help", "Get-Verb",
    ].map((c) => c.toLowerCase()),
  );

  it("calls only commands it defines or that ship with PowerShell", () => {
    const code = allSources.map((s) => s.replace(/<#[\s\S]*?#>/g, "").replace(/#[^\n]*/g, "").replace(/'[^'\n]*'/g, "''")).join("\n");
    const called = new Set([...code.matchAll(/(?<![\w$.-])([A-Z][a-z]+-[A-Z][A-Za-z]+)\b/g)].map((m) => m[1]!));
    const unknown = [...called].filter((c) => !defined.has(c.toLowerCase()) && !BUILT_IN.has(c.toLowerCase()));
    expect(unknown).toEqual([]);
    for (const name of defined) expect(APPROVED_VERBS).toContain(name.split("-")[0]!.replace(/^\w/, (c) => c.toUpperCase()).replace(/^Convertto$/, "ConvertTo").replace(/^Convertfrom$/, "ConvertFrom"));
  });

  it("never assigns to PowerShell's automatic variables", () => {
    for (const source of allSources) {
      expect(source).not.toMatch(/\$(event|input|args|_|psitem|this|matches|error|host|pid|pwd|sender|eventargs)\s*=(?!=)/i);
    }
  });

  it("works on both platforms from one file, choosing the transport by $IsWindows", () => {
    const channel = read("Private/MonitorChannel.ps1");
    expect(channel).toContain("[System.Net.Sockets.UnixDomainSocketEndPoint]::new(");
    expect(channel).toContain("[System.IO.Pipes.NamedPipeClientStream]::new(");
    expect(channel).toContain("/run/sysmonts/control.sock");
    expect(channel).toContain("\\\\.\\pipe\\SysmonTs");
    expect(channel).toMatch(/if \(\$IsWindows\)/);
  });
});
