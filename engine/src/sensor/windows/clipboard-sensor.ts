/**
 * The service's side of clipboard capture (event 24): connects to each session's clipboard agent
 * (clipboard-agent.ts), validates every line, and queues ClipboardRecords for the engine's drain.
 * A malformed line is counted and logged and the connection goes on; the queue is bounded and an
 * overflow is counted as lost, never silent.
 */
import net from "node:net";
import { asSysmonTsError } from "../../base";
import type { ClipboardRecord, RawRecord, Sensor, SensorCounters } from "../records";
import { LineSplitter, parseClipboardMessage } from "./clipboard-protocol";

/** Windows has no uid; the user comes from the owner's cached process (spec/events.md §4). */
const NO_UID = 4294967295;

export interface ClipboardSensorOptions {
  /** Records held between drains (default 256). */
  readonly queueLimit?: number;
  /** Delay between connection attempts to an agent that is not listening yet (default 200 ms). */
  readonly retryMs?: number;
  readonly log?: (level: "info" | "warn", message: string) => void;
}

export class ClipboardSensor implements Sensor, Disposable {
  private readonly queue: ClipboardRecord[] = [];
  private readonly sockets = new Map<string, net.Socket>();
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private enabled = true;
  private closed = false;
  private produced = 0;
  private lost = 0;
  private malformed = 0;

  constructor(private readonly options: ClipboardSensorOptions = {}) {}

  /** Reads the agent listening on `pipeName` until detach() or close(); reconnects if it drops. */
  attach(pipeName: string): void {
    if (this.closed || this.sockets.has(pipeName) || this.retries.has(pipeName)) return;
    const socket = net.connect(pipeName);
    this.sockets.set(pipeName, socket);
    socket.setEncoding("utf8");
    const splitter = new LineSplitter(
      (line) => this.accept(line, pipeName),
      () => {
        this.malformed++;
        this.options.log?.("warn", `clipboard agent ${pipeName} sent an over-long line; discarded`);
      },
    );
    socket.on("data", (chunk: string) => splitter.push(chunk));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      if (this.sockets.get(pipeName) !== socket) return;
      this.sockets.delete(pipeName);
      if (this.closed) return;
      this.retries.set(pipeName, setTimeout(() => {
        this.retries.delete(pipeName);
        this.attach(pipeName);
      }, this.options.retryMs ?? 200));
    });
  }

  /** Stops reading an agent (its session ended). */
  detach(pipeName: string): void {
    clearTimeout(this.retries.get(pipeName));
    this.retries.delete(pipeName);
    const socket = this.sockets.get(pipeName);
    this.sockets.delete(pipeName);
    socket?.destroy();
  }

  get connectedAgents(): number {
    let n = 0;
    for (const socket of this.sockets.values()) if (!socket.connecting && !socket.destroyed) n++;
    return n;
  }

  private accept(line: string, pipeName: string): void {
    let message;
    try {
      message = parseClipboardMessage(line);
    } catch (error) {
      this.malformed++;
      this.options.log?.("warn", `${pipeName}: ${asSysmonTsError(error).message}`);
      return;
    }
    this.produced++;
    if (!this.enabled) return;
    if (this.queue.length >= (this.options.queueLimit ?? 256)) {
      this.lost++;
      return;
    }
    this.queue.push({
      kind: "clipboard",
      timeMs: message.timeMs,
      actor: { pid: message.pid, tid: 0, uid: NO_UID },
      sessionId: message.sessionId,
      clientInfo: message.clientInfo,
      text: message.text,
    });
  }

  drain(onRecord: (record: RawRecord) => void): number {
    const records = this.queue.splice(0);
    for (const record of records) onRecord(record);
    return records.length;
  }

  counters(): SensorCounters {
    return { produced: this.produced, lostRingBuffer: this.lost, malformed: this.malformed };
  }

  setEnabledEvents(eventIds: ReadonlySet<number>): void {
    this.enabled = eventIds.has(24);
  }

  close(): void {
    this.closed = true;
    for (const name of [...this.sockets.keys(), ...this.retries.keys()]) this.detach(name);
    this.queue.length = 0;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
