import { findEvent } from "../schema";
import type { StampedEvent } from "../schema";
import { formatTimeCreated } from "./time";

// The field that says what an event acted on, per event ID; the first one present wins.
const DETAIL_FIELDS: readonly string[] = [
  "CommandLine", "TargetFilename", "TargetObject", "TargetImage", "ImageLoaded", "QueryName", "PipeName",
  "Device", "Configuration", "State", "Description", "Name", "Consumer",
];

function column(text: string, width: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f]/g, " ");
  return flat.length > width ? `${flat.slice(0, Math.max(0, width - 1))}…` : flat.padEnd(width);
}

function summaryOf(stamped: StampedEvent): { image: string; detail: string } {
  const def = findEvent(stamped.event.id);
  const values = stamped.event.values;
  const get = (name: string): string | undefined => {
    const index = def?.fieldIndex.get(name);
    const value = index === undefined ? undefined : values[index];
    return value === undefined || value === "-" ? undefined : value;
  };
  const image = get("Image") ?? get("SourceImage") ?? "-";
  if (stamped.event.id === 3) {
    const ip = get("DestinationIp");
    return { image, detail: ip ? `${get("Protocol") ?? ""} ${get("SourceIp") ?? "?"}:${get("SourcePort") ?? "?"} -> ${ip}:${get("DestinationPort") ?? "?"}`.trim() : "-" };
  }
  for (const name of DETAIL_FIELDS) {
    const value = get(name);
    if (value !== undefined) return { image, detail: value };
  }
  return { image, detail: "-" };
}

export const TABLE_HEADER = `${"TimeCreated (UTC)".padEnd(23)} ${"ID".padStart(3)} ${"Record".padStart(9)}  ${"Image".padEnd(30)} Detail`;

/**
 * One line of `sysmonts query --format table`, at most `width` columns (default 120): time,
 * event ID, record ID, the acting image and what it acted on.
 */
export function renderTableRow(stamped: StampedEvent, options: { width?: number } = {}): string {
  const width = Math.max(80, options.width ?? 120);
  const time = formatTimeCreated(stamped.timeCreated, 7).slice(0, 23).replace("T", " ");
  const { image, detail } = summaryOf(stamped);
  const fixed = `${time} ${String(stamped.event.id).padStart(3)} ${String(stamped.recordId).padStart(9)}  ${column(image, 30)} `;
  return `${fixed}${column(detail, width - fixed.length).trimEnd()}`;
}
