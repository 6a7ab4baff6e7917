// The shared corpora as the tests and benchmarks read them: real Sysmon configs by folder, and
// the open OTRF Windows events as SysmonEvents (events whose ID the catalogue lacks are skipped).
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { eventFromFields, findEvent } from "../../engine/src/schema";
import type { SysmonEvent } from "../../engine/src/schema";

/** ../shared/corpora beside the repository. */
export const CORPORA = path.resolve(__dirname, "../../../shared/corpora");

/** Every .xml file below `dir`, sorted. */
export function corpusXmlFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? corpusXmlFiles(full) : [full];
    })
    .filter((f) => f.endsWith(".xml"))
    .sort();
}

/**
 * The events of corpora/events-windows-otrf-open, file by file in name order. A bundled caller
 * (the benchmark) passes the corpora folder, as its __dirname is the bundle's.
 */
export function otrfEvents(options: { corpora?: string } = {}): SysmonEvent[] {
  const dir = path.join(options.corpora ?? CORPORA, "events-windows-otrf-open");
  const events: SysmonEvent[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort()) {
    for (const line of readFileSync(path.join(dir, file), "utf8").split("\n")) {
      if (!line.trim()) continue;
      const record = JSON.parse(line) as { EventID: number; EventData?: Record<string, unknown> };
      if (!findEvent(record.EventID)) continue;
      const fields: Record<string, string> = {};
      for (const [k, v] of Object.entries(record.EventData ?? {})) if (v !== null && typeof v !== "object") fields[k] = String(v);
      events.push(eventFromFields(record.EventID, fields));
    }
  }
  return events;
}
