import { SysmonTsError } from "../base";
import { type StampedEvent, eventDef } from "../schema";
import { renderJson, renderLinuxXml } from "../output";

export type ConsoleFormat = "xml" | "json" | "debug";

/** Sysmon's `-t` layout: `Event <SYMBOL>` then a tab-indented `Field: value` line per field. */
function renderDebug(stamped: StampedEvent): string {
  const def = eventDef(stamped.event.id);
  const lines = [`Event ${def.symbol}`];
  for (const field of def.fields) lines.push(`\t${field.name}: ${stamped.event.values[field.index] ?? "-"}`);
  return lines.join("\n");
}

export function consoleRenderer(format: string): (event: StampedEvent) => string {
  switch (format) {
    case "xml":
      return (e) => renderLinuxXml(e, { processId: process.pid });
    case "json":
      return renderJson;
    case "debug":
      return renderDebug;
    default:
      throw new SysmonTsError("SYSMONTS_E_USAGE", `unknown format '${format}' (expected xml, json or debug)`);
  }
}
