import { callControl } from "../control";
import type { EngineStatus } from "../service";
import type { Command } from "./command";
import { lastValue, parseOptions } from "./options";

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatStatus(status: EngineStatus): string {
  const lines = [
    `SysmonTs ${status.version} (pid ${status.pid}, ${status.platform}), up ${status.uptimeSeconds} s`,
    `Config:  ${status.config.file} (schema ${status.config.schemaVersion}, ${status.config.hash})`,
    `Sensor:  ${status.sensor.state}; ${status.sensor.produced} records, ${status.sensor.lostRingBuffer} lost to a full ring buffer, ${status.sensor.malformed} malformed`,
  ];
  const store = status.store as { path?: string; state?: string; sizeBytes?: number; eventCount?: number; oldestRecordId?: number | null; newestRecordId?: number | null } | null;
  lines.push(store ? `Store:   ${store.path} ${store.state}; ${store.eventCount} events, ${formatBytes(store.sizeBytes ?? 0)}, records ${store.oldestRecordId ?? "-"}..${store.newestRecordId ?? "-"}` : "Store:   none");
  for (const sink of status.sinks) lines.push(`Sink:    ${JSON.stringify(sink)}`);
  lines.push("Events:  id      seen      kept  excluded   dropped");
  for (const [id, c] of Object.entries(status.events)) {
    lines.push(`         ${id.padStart(3)} ${String(c.seen).padStart(9)} ${String(c.kept).padStart(9)} ${String(c.excluded).padStart(9)} ${String(c.dropped).padStart(9)}`);
  }
  return lines.join("\n") + "\n";
}

export const statusCommand: Command = {
  words: ["status"],
  usage: "status [--json] [--control PATH]",
  summary: "show the running monitor's state: config, sensor, per-event counts, store",
  async run(context) {
    const options = parseOptions(context.args, { command: "status", values: ["control"], flags: ["json"] });
    const endpoint = lastValue(options, "control");
    const status = await callControl<EngineStatus>("status", {}, endpoint ? { endpoint } : {});
    context.stdout.write(options.flags.has("json") ? JSON.stringify(status, null, 2) + "\n" : formatStatus(status));
    return 0;
  },
};
