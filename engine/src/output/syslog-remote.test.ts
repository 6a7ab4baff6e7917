// The TCP syslog sink against a real local TCP server standing in for a collector that dies with
// messages it accepted but never read (the kernel took them; the collector's reset discards them).
import { type Server, type Socket, createServer } from "node:net";
import { type StampedEvent, eventFromFields } from "../schema";
import { RemoteSyslogSink } from "./syslog-remote";

let nextRecordId = 1;
function event(): StampedEvent {
  const recordId = nextRecordId++;
  return { recordId, timeCreated: Date.now(), computer: "host", event: eventFromFields(1, { Image: "/usr/bin/true", ProcessId: recordId }) };
}

const recordIds = (text: string): number[] => [...text.matchAll(/<EventRecordID>(\d+)<\/EventRecordID>/g)].map((m) => Number(m[1]));

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("remote syslog sink over TCP", () => {
  let server: Server;
  let port: number;
  const connections: { socket: Socket; received: string }[] = [];

  beforeEach(async () => {
    connections.length = 0;
    // Connections start paused: the first one never reads, like a collector that stalls and dies.
    server = createServer({ pauseOnConnect: true }, (socket) => {
      const connection = { socket, received: "" };
      connections.push(connection);
      socket.on("data", (chunk: Buffer) => (connection.received += chunk.toString("utf8")));
      socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  });
  afterEach(async () => {
    for (const c of connections) c.socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("writes again, on the next connection, what a collector reset before reading it", async () => {
    const sink = new RemoteSyslogSink({ kind: "syslog-remote", transport: "tcp", host: "127.0.0.1", port, retryMinMs: 20, retryMaxMs: 50 });
    const unread = event();
    sink.write(unread);
    await waitFor(() => sink.stats().sent === 1 && connections.length === 1, "the first batch to be written");
    connections[0]!.socket.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 100));

    const next = event();
    sink.write(next);
    await waitFor(() => connections.length === 2, "a second connection");
    connections[1]!.socket.resume();
    await waitFor(() => recordIds(connections[1]!.received).length === 2, "both events on the second connection");
    expect(recordIds(connections[0]!.received)).toEqual([]);
    expect(recordIds(connections[1]!.received)).toEqual([unread.recordId, next.recordId]);
    await sink.close();
    expect(sink.stats()).toMatchObject({ sent: 2, dropped: 0, queued: 0 });
  });

  it("does not write anything twice while the connection lives", async () => {
    const sink = new RemoteSyslogSink({ kind: "syslog-remote", transport: "tcp", host: "127.0.0.1", port });
    const events = Array.from({ length: 5 }, () => event());
    sink.write(events[0]!);
    await waitFor(() => connections.length === 1, "a connection");
    connections[0]!.socket.resume();
    for (const e of events.slice(1)) sink.write(e);
    await waitFor(() => recordIds(connections[0]!.received).length >= 5, "five events");
    await sink.close();
    expect(recordIds(connections[0]!.received)).toEqual(events.map((e) => e.recordId));
  });
});
