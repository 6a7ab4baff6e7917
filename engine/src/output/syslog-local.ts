import koffi from "koffi";
import type { StampedEvent } from "../schema";
import { renderLinuxXml } from "./linux-xml";
import { QueuedSink, partialFailure } from "./sink";
import type { QueuedSinkOptions } from "./sink";
import { formatLocalSyslog } from "./syslog-format";

export interface LocalSyslogSettings extends QueuedSinkOptions {
  readonly kind: "syslog-local";
  readonly name?: string;
  /** The syslog daemon's datagram socket (default /dev/log). */
  readonly socketPath?: string;
}

/** The libc calls the sink needs: node:dgram has no Unix datagram sockets. */
interface UnixDatagramApi {
  socket(domain: number, type: number, protocol: number): number;
  connect(fd: number, address: Buffer, length: number): number;
  send(fd: number, data: Buffer, length: number, flags: number): number;
  close(fd: number): number;
}

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const MSG_NOSIGNAL = 0x4000;

let api: UnixDatagramApi | undefined;

function libc(): UnixDatagramApi {
  if (!api) {
    const lib = koffi.load("libc.so.6");
    const socket = lib.func("int socket(int domain, int type, int protocol)");
    const connect = lib.func("int connect(int fd, const void *addr, uint32_t len)");
    const send = lib.func("intptr_t send(int fd, const void *buf, size_t len, int flags)");
    const close = lib.func("int close(int fd)");
    api = {
      socket: (d, t, p) => socket(d, t, p) as number,
      connect: (fd, a, l) => connect(fd, a, l) as number,
      send: (fd, b, l, f) => Number(send(fd, b, l, f)),
      close: (fd) => close(fd) as number,
    };
  }
  return api;
}

function sockaddrUn(path: string): Buffer {
  const address = Buffer.alloc(110);
  address.writeUInt16LE(AF_UNIX, 0);
  address.write(path, 2, "utf8");
  return address;
}

function errnoError(call: string): Error {
  const errno = koffi.errno();
  const error = new Error(`${call} failed (errno ${errno})`) as Error & { errno: number };
  error.errno = errno;
  return error;
}

/**
 * Writes events to the local syslog daemon the way Sysmon for Linux does: one datagram per
 * event on /dev/log, `<14>Mmm dd hh:mm:ss sysmon: <Event>…</Event>` (cli-and-output.md §6).
 * The socket is non-blocking: a daemon that cannot keep up makes send() fail with EAGAIN and
 * the batch waits in the bounded queue.
 */
export class LocalSyslogSink extends QueuedSink {
  readonly name: string;
  private readonly socketPath: string;
  private fd = -1;

  constructor(settings: LocalSyslogSettings) {
    super(settings);
    this.socketPath = settings.socketPath ?? "/dev/log";
    this.name = settings.name ?? `syslog-local:${this.socketPath}`;
  }

  private connect(): number {
    if (this.fd >= 0) return this.fd;
    const calls = libc();
    const fd = calls.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw errnoError("socket");
    const address = sockaddrUn(this.socketPath);
    if (calls.connect(fd, address, address.length) !== 0) {
      const error = errnoError(`connect ${this.socketPath}`);
      calls.close(fd);
      throw error;
    }
    this.fd = fd;
    this.state = "connected";
    return fd;
  }

  protected async transmit(events: readonly StampedEvent[]): Promise<void> {
    const calls = libc();
    let index = 0;
    try {
      const fd = this.connect();
      for (; index < events.length; index++) {
        const line = Buffer.from(formatLocalSyslog(renderLinuxXml(events[index]!, { processId: process.pid })), "utf8");
        if (calls.send(fd, line, line.length, MSG_NOSIGNAL) < 0) throw errnoError("send");
      }
    } catch (error) {
      // The daemon restarted (ECONNREFUSED) or vanished: reconnect on the next attempt.
      if (this.fd >= 0 && (error as { errno?: number }).errno !== 11) {
        calls.close(this.fd);
        this.fd = -1;
      }
      throw partialFailure(error, index);
    }
  }

  protected async shutdown(): Promise<void> {
    if (this.fd >= 0) libc().close(this.fd);
    this.fd = -1;
  }
}
