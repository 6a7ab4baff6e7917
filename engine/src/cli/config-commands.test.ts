// `config check`, `config dump`, `rules eval` and `-s`, run as the CLI runs them, on real files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import type { Command } from "./command";
import { configCheckCommand } from "./config-check";
import { configDumpCommand } from "./config-dump";
import { rulesEvalCommand } from "./rules-eval";
import { schemaManifest, schemaPrintCommand } from "./schema-print";

const corpora = path.resolve(__dirname, "../../../../shared/corpora");

async function run(command: Command, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on("data", (c: Buffer) => out.push(c));
  stderr.on("data", (c: Buffer) => err.push(c));
  const code = await command.run({ args, stdout, stderr });
  return { code, out: Buffer.concat(out).toString("utf8"), err: Buffer.concat(err).toString("utf8") };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "sysmonts-config-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe("sysmonts config check", () => {
  it("exits 0 and prints warnings as file:line:col: warning: …", async () => {
    const file = write("warn.xml", '<Sysmon schemaversion="4.90">\n<EventFiltering>\n<RuleGroup groupRelation="or">\n<ProcessCreate onmatch="include">\n  <Image condition="contains any">a;b;</Image>\n</ProcessCreate>\n</RuleGroup>\n</EventFiltering>\n</Sysmon>\n');
    const { code, out, err } = await run(configCheckCommand, ["--platform", "linux", file]);
    expect(code).toBe(0);
    expect(out).toMatch(/Configuration file validated\. \(1 warning\)/);
    expect(err).toBe(`${file}:5:3: warning: 'contains any' value has an empty item (';;' or a leading/trailing ';'): an empty item occurs in every value, so this filter matches everything (config.md §8)\n`);
  });

  it("exits 1 with the error's position and a suggestion", async () => {
    const file = write("bad.xml", '<Sysmon schemaversion="4.90">\n<EventFiltering>\n<ProcessCreate onmatch="include">\n        <ParentImagee>x</ParentImagee>\n</ProcessCreate>\n</EventFiltering>\n</Sysmon>\n');
    const { code, err } = await run(configCheckCommand, [file]);
    expect(code).toBe(1);
    expect(err).toBe(`${file}:4:9: error: unknown field 'ParentImagee' for ProcessCreate; did you mean ParentImage? [SYSMONTS_E_CONFIG_FIELD]\n`);
  });

  it("hints at --platform windows for a Windows configuration checked as Linux", async () => {
    const { code, err } = await run(configCheckCommand, ["--platform", "linux", path.join(corpora, "configs-swiftonsecurity/sysmonconfig-export.xml")]);
    expect(code).toBe(1);
    expect(err).toMatch(/option not implemented on Linux \[SYSMONTS_E_CONFIG_OPTION\]\n\(use --platform windows/);
  });

  it("refuses a missing file argument as a usage error", async () => {
    await expect(run(configCheckCommand, [])).rejects.toMatchObject({ code: "SYSMONTS_E_USAGE" });
  });
});

describe("sysmonts config dump", () => {
  it("prints the sysmon -c layout of a rulestest config", async () => {
    const base = path.join(corpora, "configs-linux-sysmonforlinux-rulestest");
    const { code, out } = await run(configDumpCommand, ["--platform", "linux", path.join(base, "configs/18_named_rules.xml")]);
    expect(code).toBe(0);
    expect(out).toBe(`\n${readFileSync(path.join(base, "baseline/18_named_rules.rules"), "utf8").trimEnd()}\n`);
  });
});

describe("sysmonts rules eval", () => {
  it("decides OTRF events with sysmon-modular and names the technique", async () => {
    const config = path.join(corpora, "configs-sysmon-modular/merged/sysmonconfig.xml");
    const events = write(
      "events.jsonl",
      [
        JSON.stringify({ EventID: 1, EventData: { Image: "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", OriginalFileName: "PowerShell.EXE", CommandLine: "powershell -enc AAAA", ParentImage: "C:\\Program Files\\App\\app.exe" } }),
        JSON.stringify({ EventID: 3, EventData: { Image: "C:\\Windows\\System32\\svchost.exe", DestinationPort: 443 } }),
        "{not json",
        JSON.stringify({ EventID: 99, EventData: {} }),
        JSON.stringify({ EventID: 5, EventData: { Image: "C:\\x.exe" } }),
        JSON.stringify({ EventID: 5, EventData: { Image: "C:\\Users\\bob\\x.exe" } }),
      ].join("\n") + "\n",
    );
    const { code, out } = await run(rulesEvalCommand, ["--config", config, "--platform", "windows", events]);
    expect(code).toBe(1);
    const lines = out.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(6);
    expect(lines[0]).toEqual({ include: true, ruleName: "technique_id=T1059.001,technique_name=PowerShell" });
    expect(lines[1]).toEqual({ include: false, ruleName: "" });
    expect(lines[2]?.["error"]).toMatch(/^line 3: invalid JSON/);
    expect(lines[3]).toEqual({ error: "line 4: unknown event ID 99" });
    // sysmon-modular logs process exits only from user-writable folders.
    expect(lines[4]).toEqual({ include: false, ruleName: "" });
    expect(lines[5]).toMatchObject({ include: true });
  });

  it("decides every line of an OTRF file", async () => {
    const config = path.join(corpora, "configs-swiftonsecurity/sysmonconfig-export.xml");
    const file = path.join(corpora, "events-windows-otrf-open", "atomic__windows__credential_access__host__cmd_lsass_memory_dumpert_syscalls.jsonl");
    const { code, out } = await run(rulesEvalCommand, ["--config", config, "--platform", "windows", file]);
    const inputLines = readFileSync(file, "utf8").trimEnd().split("\n").length;
    expect(code).toBe(0);
    const results = out.trimEnd().split("\n").map((l) => JSON.parse(l) as { include: boolean });
    expect(results).toHaveLength(inputLines);
    expect(results.some((r) => r.include)).toBe(true);
    expect(results.some((r) => !r.include)).toBe(true);
  });
});

describe("sysmonts -s", () => {
  it("prints a manifest whose events agree with Sysmon for Linux v1.0.0's -s output", async () => {
    const { code, out } = await run(schemaPrintCommand, []);
    expect(code).toBe(0);
    const reference = readFileSync(path.join(corpora, "schemas-sysmon/sysmon-s-output/linux/sysmonv1.0.0.xml"), "utf8");
    const blocks = (text: string) => new Map([...text.matchAll(/<event [^>]*value="(\d+)"[^>]*>([\s\S]*?)<\/event>/g)].map((m) => [m[1], m[0]]));
    const ours = blocks(out);
    const theirs = blocks(reference);
    expect(theirs.size).toBe(27);
    const attr = (block: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(block.split("\n")[0] ?? "")?.[1];
    for (const [id, block] of theirs) {
      const mine = ours.get(id);
      expect(mine).toBeDefined();
      for (const name of ["name", "level", "template", "rulename", "version", "target"]) expect([id, name, attr(mine ?? "", name)]).toEqual([id, name, attr(block, name)]);
      expect([id, attr(mine ?? "", "ruledefault") ?? "exclude"]).toEqual([id, attr(block, "ruledefault") ?? (attr(block, "rulename") ? "exclude" : undefined) ?? "exclude"]);
      const data = (b: string) => b.split("\n").filter((l) => l.includes("<data ")).map((l) => l.trim());
      // Schema 4.90 only appends to the 4.81 events this output was made from.
      expect(data(mine ?? "").slice(0, data(block).length)).toEqual(data(block));
    }
    expect(out).toContain('<filters default="is">is,is not,contains,contains any,is any,contains all,excludes,excludes any,excludes all,begin with,not begin with,end with,not end with,less than,more than,image</filters>');
  });

  it("accepts all and a version prefix, and refuses other versions", async () => {
    expect((await run(schemaPrintCommand, ["all"])).out).toBe(schemaManifest());
    expect((await run(schemaPrintCommand, ["4.9"])).code).toBe(0);
    expect(await run(schemaPrintCommand, ["3.1"])).toEqual({ code: 1, out: "There is no schema that matches that version.\n", err: "" });
  });
});
