import { readFileSync } from "node:fs";
import path from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { ALL_EVENTS } from "../../schema";
import { EVENTLOG_CHANNEL_NAME, EVENTLOG_PROVIDER_GUID, buildEventLogManifest, windowsEvents } from "./manifest";

const repoRoot = path.resolve(__dirname, "../../../..");
const sysmonManifestPath = path.resolve(repoRoot, "../shared/corpora/schemas-sysmon/sysmoncommon-manifest.xml");

type Node = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name, _path, _leaf, isAttribute) => !isAttribute && ["task", "template", "data", "event", "string", "manifest"].includes(name) });

function generated(): Node {
  const xml = buildEventLogManifest({ resourceFile: "C:\\Program Files\\SysmonTs\\SysmonTs.exe" });
  expect(XMLValidator.validate(xml)).toBe(true);
  return parser.parse(xml) as Node;
}

function provider(doc: Node): Node {
  const root = doc["instrumentationManifest"] as Node;
  return ((root["instrumentation"] as Node)["events"] as Node)["provider"] as Node;
}

/** Sysmon's own newest manifest block (schema 4.90) as published in SysmonCommon. */
function sysmonEvents(): Node[] {
  const doc = parser.parse(readFileSync(sysmonManifestPath, "utf8")) as Node;
  const manifests = (doc["manifests"] as Node)["manifest"] as Node[];
  const newest = manifests.find((m) => m["schemaversion"] === "4.90");
  if (!newest) throw new Error("no 4.90 block in the Sysmon manifest");
  return (newest["events"] as Node)["event"] as Node[];
}

describe("event-log instrumentation manifest", () => {
  test("declares the provider and its operational channel", () => {
    const p = provider(generated());
    expect(p["name"]).toBe("SysmonTs");
    expect(p["guid"]).toBe(EVENTLOG_PROVIDER_GUID);
    expect(p["resourceFileName"]).toBe("C:\\Program Files\\SysmonTs\\SysmonTs.exe");
    const channel = (p["channels"] as Node)["channel"] as Node;
    expect(channel["name"]).toBe(EVENTLOG_CHANNEL_NAME);
    expect(channel["type"]).toBe("Operational");
    expect(((channel["logging"] as Node)["maxSize"] as number)).toBe(67108864);
  });

  test("has one task, template and event for every Windows event of the catalogue, and no Linux-only one", () => {
    const p = provider(generated());
    const events = (p["events"] as Node)["event"] as Node[];
    const ids = events.map((e) => Number(e["value"]));
    const expected = ALL_EVENTS.filter((e) => e.target !== "linux").map((e) => e.id);
    expect(ids).toEqual(expected);
    expect(ids).toContain(27);
    expect(ids).not.toContain(100);
    expect(((p["tasks"] as Node)["task"] as Node[]).map((t) => Number(t["value"]))).toEqual(expected);
    expect(((p["templates"] as Node)["template"] as Node[]).length).toBe(expected.length);
  });

  test("matches Sysmon's 4.90 manifest event by event: version, level, field names, order and types", () => {
    const p = provider(generated());
    const ours = new Map(((p["events"] as Node)["event"] as Node[]).map((e) => [Number(e["value"]), e]));
    const templates = new Map(((p["templates"] as Node)["template"] as Node[]).map((t) => [t["tid"], t["data"] as Node[]]));
    let compared = 0;
    for (const theirs of sysmonEvents()) {
      const id = Number(theirs["value"]);
      if (theirs["target"] === "linux") continue;
      const event = ours.get(id);
      expect(event).toBeDefined();
      expect(Number(event!["version"])).toBe(Number(theirs["version"]));
      expect(event!["level"]).toBe(`win:${String(theirs["level"])}`);
      const fields = templates.get(event!["template"])!;
      const theirFields = theirs["data"] as Node[];
      expect(fields.map((f) => f["name"])).toEqual(theirFields.map((f) => f["name"]));
      expect(fields.map((f) => f["inType"])).toEqual(theirFields.map((f) => f["inType"]));
      expect(fields.map((f) => f["outType"] ?? null)).toEqual(theirFields.map((f) => f["outType"] ?? null));
      compared++;
    }
    expect(compared).toBe(27);
  });

  test("every event's message names each field in order, and strings resolve", () => {
    const doc = generated();
    const strings = ((((doc["instrumentationManifest"] as Node)["localization"] as Node)["resources"] as Node)["stringTable"] as Node)["string"] as Node[];
    const byId = new Map(strings.map((s) => [s["id"], String(s["value"])]));
    for (const def of windowsEvents()) {
      const message = byId.get(`event.${def.id}`)!;
      expect(message.startsWith(`${def.name}:`)).toBe(true);
      expect(message.split("%n").slice(1)).toEqual(def.fields.map((f, i) => `${f.name}: %${i + 1}`));
      // spec/events.md §2: "Process Create (rule: ProcessCreate)"; events without rules keep their name.
      expect(byId.get(`task.${def.id}`)).toBe(def.ruleName === null ? def.name : `${def.name} (rule: ${def.ruleName})`);
    }
  });
});
