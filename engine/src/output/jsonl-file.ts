import { closeSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import { write } from "node:fs";
import type { StampedEvent } from "../schema";
import { renderJson } from "./json";
import { QueuedSink } from "./sink";
import type { QueuedSinkOptions } from "./sink";

export interface JsonlFileSettings extends QueuedSinkOptions {
  readonly kind: "jsonl";
  readonly name?: string;
  readonly path: string;
  /** Rotate when the file would exceed this (default 100 MiB). */
  readonly maxBytes?: number;
  /** Rotated files kept besides the current one: path.1 (newest) .. path.N (default 5). */
  readonly keep?: number;
}

/** Flat JSON lines (the shared shape) appended to a file, rotated by size. */
export class JsonlFileSink extends QueuedSink {
  readonly name: string;
  private readonly settings: JsonlFileSettings;
  private fd: number | null = null;
  private size = 0;

  constructor(settings: JsonlFileSettings) {
    super(settings);
    this.settings = settings;
    this.name = settings.name ?? `jsonl:${settings.path}`;
  }

  private open(): number {
    if (this.fd === null) {
      this.fd = openSync(this.settings.path, "a", 0o600);
      this.size = statSync(this.settings.path).size;
      this.state = "connected";
    }
    return this.fd;
  }

  private rotate(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    const keep = this.settings.keep ?? 5;
    const path = this.settings.path;
    rmSync(`${path}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) {
      try {
        renameSync(`${path}.${i}`, `${path}.${i + 1}`);
      } catch {
        // not there yet
      }
    }
    if (keep > 0) renameSync(path, `${path}.1`);
    else rmSync(path, { force: true });
  }

  protected async transmit(events: readonly StampedEvent[]): Promise<void> {
    const maxBytes = this.settings.maxBytes ?? 100 * 1024 * 1024;
    let chunk = "";
    for (const event of events) chunk += `${renderJson(event)}\n`;
    const bytes = Buffer.from(chunk, "utf8");
    this.open();
    if (this.size > 0 && this.size + bytes.length > maxBytes) this.rotate();
    const fd = this.open();
    await new Promise<void>((resolve, reject) => write(fd, bytes, 0, bytes.length, null, (error) => (error ? reject(error) : resolve())));
    this.size += bytes.length;
  }

  protected async shutdown(): Promise<void> {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
