import { createSocket } from "node:dgram";
import type { Socket as DatagramSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { connect as connectTcp } from "node:net";
import type { Socket } from "node:net";
import { connect as connectTls } from "node:tls";
import type { StampedEvent } from "../schema";
import { renderLinuxXml } from "./linux-xml";
import { QueuedSink, partialFailure } from "./sink";
import type { QueuedSinkOptions } from "./sink";
import { formatRfc5424, frameOctetCounted } from "./syslog-format";

export interface RemoteSyslogSettings extends QueuedSinkOptions {
  readonly kind: "syslog-remote";
  readonly name?: string;
  readonly transport: "udp" | "tcp" | "tls";
  readonly host: string;
  readonly port: number;
  /** TLS: PEM file of the CA that signed the collector's certificate. */
  readonly caFile?: string;
  /** TLS: client certificate and key, for collectors that ask for one. */
  readonly certFile?: string;
  readonly keyFile?: string;
  /** TLS: the name the collector's certificate must carry (default: host). */
  readonly serverName?: string;
  /** HOSTNAME field of the messages (default: this machine's name). */
  readonly hostname?: string;
}

// A UDP datagram carries at most 65507 bytes; leave room for the RFC 5424 header.
const UDP_XML_MAX_BYTES = 65_000;
/**
 * TCP accepts a write long before the collector reads it, and a collector that stops or crashes
 * discards what it had not read, with no way for us to know how much (RFC 6587 has no
 * acknowledgements; RELP exists for that). Batches written this shortly before the connection
 * was seen to die are written again on the next one: at-least-once, so a restart may duplicate a
 * few messages but never silently loses them. Bounded, so a long outage costs no memory.
 */
const REPLAY_WINDOW_MS = 2_000;
const REPLAY_MAX_BYTES = 1 << 20;

/**
 * Forwards events as RFC 5424 syslog, the message being Sysmon for Linux's XML: over UDP
 * (one datagram each), or TCP / TLS with octet-counted framing (RFC 6587). Reconnects with
 * backoff; while the collector is away events wait in the bounded queue, then are dropped
 * and counted. Over TCP and TLS what a dying connection may have swallowed is written again on
 * the next one (REPLAY_WINDOW_MS).
 */
export class RemoteSyslogSink extends QueuedSink {
  readonly name: string;
  private readonly settings: RemoteSyslogSettings;
  private stream: Socket | null = null;
  private datagram: DatagramSocket | null = null;
  /** Batches written to the current connection lately, oldest first (see REPLAY_WINDOW_MS). */
  private recentlyWritten: { frames: Buffer; writtenAt: number }[] = [];
  private recentlyWrittenBytes = 0;
  /** What the last connection may have lost, written first on the next one. */
  private replay: Buffer[] = [];

  constructor(settings: RemoteSyslogSettings) {
    super(settings);
    this.settings = settings;
    this.name = settings.name ?? `syslog-${settings.transport}://${settings.host}:${settings.port}`;
  }

  private message(event: StampedEvent, maxBytes?: number): string {
    const xml = renderLinuxXml(event, { processId: process.pid, ...(maxBytes ? { maxBytes } : {}) });
    return formatRfc5424(xml, { time: event.timeCreated, host: this.settings.hostname, pid: process.pid });
  }

  protected async transmit(events: readonly StampedEvent[]): Promise<void> {
    if (this.settings.transport === "udp") return this.transmitUdp(events);
    const stream = this.stream ?? (await this.openStream());
    const frames = Buffer.concat(events.map((e) => frameOctetCounted(this.message(e))));
    const replayed = this.replay;
    this.replay = [];
    try {
      await new Promise<void>((resolve, reject) => {
        stream.write(replayed.length === 0 ? frames : Buffer.concat([...replayed, frames]), (error) => (error ? reject(error) : resolve()));
      });
    } catch (error) {
      // The batch itself goes back to the queue; what was being replayed waits for the next connection.
      this.replay = replayed;
      throw error;
    }
    for (const written of replayed) this.rememberWritten(written);
    this.rememberWritten(frames);
  }

  private rememberWritten(frames: Buffer): void {
    const now = Date.now();
    this.recentlyWritten.push({ frames, writtenAt: now });
    this.recentlyWrittenBytes += frames.length;
    while (this.recentlyWritten.length > 0) {
      const oldest = this.recentlyWritten[0]!;
      if (this.recentlyWrittenBytes <= REPLAY_MAX_BYTES && now - oldest.writtenAt <= REPLAY_WINDOW_MS) break;
      this.recentlyWritten.shift();
      this.recentlyWrittenBytes -= oldest.frames.length;
    }
  }

  /** The connection died: what it took in its last moments may never have been read. */
  private connectionLost(): void {
    const since = Date.now() - REPLAY_WINDOW_MS;
    this.replay = this.replay.concat(this.recentlyWritten.filter((b) => b.writtenAt >= since).map((b) => b.frames));
    this.recentlyWritten = [];
    this.recentlyWrittenBytes = 0;
  }

  private openStream(): Promise<Socket> {
    const { host, port } = this.settings;
    this.state = "connecting";
    return new Promise((resolve, reject) => {
      const socket =
        this.settings.transport === "tls"
          ? connectTls({
              host,
              port,
              servername: this.settings.serverName ?? host,
              ...(this.settings.caFile ? { ca: readFileSync(this.settings.caFile) } : {}),
              ...(this.settings.certFile ? { cert: readFileSync(this.settings.certFile) } : {}),
              ...(this.settings.keyFile ? { key: readFileSync(this.settings.keyFile) } : {}),
            })
          : connectTcp({ host, port });
      const ready = this.settings.transport === "tls" ? "secureConnect" : "connect";
      const onError = (error: Error): void => {
        socket.destroy();
        reject(error);
      };
      socket.once("error", onError);
      socket.once(ready, () => {
        socket.off("error", onError);
        socket.setNoDelay(true);
        // The collector closing (or resetting) the connection drops it here, so the next
        // batch reconnects instead of writing into a dead socket.
        const forget = (): void => {
          if (this.stream === socket) {
            this.stream = null;
            this.connectionLost();
          }
          socket.destroy();
        };
        socket.on("error", forget);
        socket.on("end", forget);
        socket.on("close", forget);
        // Nothing is expected back; reading keeps FIN and RST visible.
        socket.resume();
        this.stream = socket;
        this.state = "connected";
        resolve(socket);
      });
    });
  }

  private async transmitUdp(events: readonly StampedEvent[]): Promise<void> {
    let socket = this.datagram;
    if (!socket) {
      const created = createSocket(this.settings.host.includes(":") ? "udp6" : "udp4");
      await new Promise<void>((resolve, reject) => {
        created.once("error", reject);
        created.connect(this.settings.port, this.settings.host, () => {
          created.off("error", reject);
          resolve();
        });
      });
      created.on("error", () => {
        if (this.datagram === created) this.datagram = null;
        created.close();
      });
      this.datagram = socket = created;
      this.state = "connected";
    }
    const target = socket;
    for (let index = 0; index < events.length; index++) {
      const payload = Buffer.from(this.message(events[index]!, UDP_XML_MAX_BYTES), "utf8");
      try {
        await new Promise<void>((resolve, reject) => target.send(payload, (error) => (error ? reject(error) : resolve())));
      } catch (error) {
        throw partialFailure(error, index);
      }
    }
  }

  protected async shutdown(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    if (stream) await new Promise<void>((resolve) => stream.end(() => resolve()));
    stream?.destroy();
    const datagram = this.datagram;
    this.datagram = null;
    if (datagram) await new Promise<void>((resolve) => datagram.close(() => resolve()));
  }
}
