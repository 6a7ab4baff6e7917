import { mkdtempSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { SysmonTsError } from "../base";
import { ControlConnection, RemoteEngineError, callControl } from "./client";
import { asParams, requiredString } from "./params";
import { startControlServer, type ControlServer, type RpcMethod } from "./server";

/** Sends raw bytes and collects every line the server answers until it closes or goes quiet. */
function rawExchange(endpoint: string, payload: string | Buffer, options: { halfClose?: boolean; quietMs?: number } = {}): Promise<string[]> {
  return new Promise((resolve) => {
    const socket = net.connect(endpoint);
    let received = "";
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received.split("\n").filter((l) => l !== ""));
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(finish, options.quietMs ?? 300);
    };
    socket.on("connect", () => {
      socket.write(payload);
      if (options.halfClose) socket.end();
      arm();
    });
    socket.on("data", (chunk) => {
      received += chunk.toString();
      arm();
    });
    socket.on("close", finish);
    socket.on("error", finish);
  });
}

describe("control server", () => {
  let dir: string;
  let endpoint: string;
  let server: ControlServer;
  let engineWork = 0;
  const methods: Record<string, RpcMethod> = {
    echo: (params) => ({ text: requiredString(asParams(params), "text") }),
    slow: () => new Promise((resolve) => setTimeout(() => resolve("late"), 50)),
    fail: () => {
      throw new SysmonTsError("SYSMONTS_E_CONFIG_FIELD", "x.xml:3:7: unknown field", { details: { line: 3, column: 7 } });
    },
    crash: () => {
      throw new TypeError("bug");
    },
    work: () => ++engineWork,
    tick: (_params, context) => {
      let n = 0;
      const timer = setInterval(() => context.notify("tick", { n: n++ }), 5);
      context.onClose(() => clearInterval(timer));
      return "subscribed";
    },
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "sysmonts-control-"));
    endpoint = path.join(dir, "run", "control.sock");
    server = await startControlServer({ endpoint, methods, maxClients: 2000 });
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers requests and keeps the socket private to its owner", async () => {
    expect(await callControl("echo", { text: "hi" }, { endpoint })).toEqual({ text: "hi" });
    expect(statSync(endpoint).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(endpoint)).mode & 0o777).toBe(0o700);
  });

  it("maps engine errors to -32000 with the stable code and position in data", async () => {
    const error = await callControl("fail", {}, { endpoint }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteEngineError);
    expect((error as RemoteEngineError).code).toBe("SYSMONTS_E_CONFIG_FIELD");
    expect((error as RemoteEngineError).rpcCode).toBe(-32000);
    expect((error as RemoteEngineError).details["line"]).toBe(3);
  });

  it("gives every kind of malformed input a proper JSON-RPC error", async () => {
    const lines = await rawExchange(
      endpoint,
      [
        "{not json",
        "42",
        "[]",
        '{"jsonrpc":"1.0","id":1,"method":"echo"}',
        '{"jsonrpc":"2.0","id":{"a":1},"method":"echo"}',
        '{"jsonrpc":"2.0","id":2,"method":"nope"}',
        '{"jsonrpc":"2.0","id":3,"method":"echo","params":"text"}',
        '{"jsonrpc":"2.0","id":4,"method":"echo","params":{"text":5}}',
        '{"jsonrpc":"2.0","id":5,"method":"crash"}',
        '{"jsonrpc":"2.0","id":6,"method":"__proto__"}',
        '{"jsonrpc":"2.0","method":"echo","params":{"text":"notification gets no answer"}}',
        "",
      ].join("\n"),
    );
    const answers = lines.map((l) => JSON.parse(l) as { id: unknown; error?: { code: number; message: string } });
    expect(answers.map((a) => a.error?.code)).toEqual([-32700, -32600, -32600, -32600, -32600, -32601, -32600, -32602, -32603, -32601]);
    expect(answers.find((a) => a.id === 5)?.error?.message).toBe("internal error");
  });

  it("answers batches, omitting notifications", async () => {
    const lines = await rawExchange(endpoint, '[{"jsonrpc":"2.0","id":1,"method":"echo","params":{"text":"a"}},{"jsonrpc":"2.0","method":"work"},{"jsonrpc":"2.0","id":2,"method":"nope"}]\n');
    const batch = JSON.parse(lines[0] ?? "null") as { id: number }[];
    expect(batch.map((r) => r.id)).toEqual([1, 2]);
  });

  it("refuses an oversized message and disconnects that client only", async () => {
    const big = await rawExchange(endpoint, Buffer.alloc(1024 * 1024 + 10, 0x61));
    expect(JSON.parse(big[0] ?? "{}").error.message).toMatch(/too large/);
    expect(await callControl("echo", { text: "still here" }, { endpoint })).toEqual({ text: "still here" });
  });

  it("answers a half-closed client's last request before closing", async () => {
    const lines = await rawExchange(endpoint, '{"jsonrpc":"2.0","id":9,"method":"slow"}', { halfClose: true, quietMs: 500 });
    expect(JSON.parse(lines[0] ?? "{}")).toEqual({ jsonrpc: "2.0", id: 9, result: "late" });
  });

  it("serves a thousand concurrent clients", async () => {
    const before = engineWork;
    const connections = await Promise.all(Array.from({ length: 1000 }, () => ControlConnection.connect({ endpoint })));
    const results = await Promise.all(connections.map((c) => c.call<number>("work")));
    expect(new Set(results).size).toBe(1000);
    expect(engineWork - before).toBe(1000);
    for (const c of connections) c.close();
  });

  it("pushes notifications and cleans up when the subscriber leaves", async () => {
    const connection = await ControlConnection.connect({ endpoint });
    const ticks: unknown[] = [];
    connection.onNotification = (method, params) => ticks.push([method, params]);
    await connection.call("tick");
    await new Promise((r) => setTimeout(r, 60));
    connection.close();
    expect(ticks.length).toBeGreaterThan(2);
    expect(ticks[0]).toEqual(["tick", { n: 0 }]);
    await new Promise((r) => setTimeout(r, 30));
    expect(server.stats().clients).toBe(0);
  });

  it("refuses peers the identity check rejects before any method runs", async () => {
    const guarded = await startControlServer({ endpoint: path.join(dir, "guarded.sock"), methods, identifyPeer: () => null });
    const before = engineWork;
    const error = await callControl("work", {}, { endpoint: guarded.endpoint }).catch((e: unknown) => e);
    expect((error as SysmonTsError).code).toBe("SYSMONTS_E_RPC_DENIED");
    expect(engineWork).toBe(before);
    expect(guarded.stats().refused).toBe(1);
    await guarded.close();
  });

  it("refuses to share an endpoint with a live server and replaces a stale socket file", async () => {
    await expect(startControlServer({ endpoint, methods })).rejects.toThrow(/already serving/);
    const stale = net.createServer().listen(path.join(dir, "stale.sock"));
    await new Promise((r) => stale.once("listening", r));
    // Simulate a crashed engine: the file stays, nobody listens.
    (stale as unknown as { _handle: { close(): void } | null })._handle?.close();
    const replacement = await startControlServer({ endpoint: path.join(dir, "stale.sock"), methods });
    expect(await callControl("echo", { text: "ok" }, { endpoint: replacement.endpoint })).toEqual({ text: "ok" });
    await replacement.close();
  });

  it("reports a stopped engine with one clear error", async () => {
    const error = await callControl("status", {}, { endpoint: path.join(dir, "absent.sock") }).catch((e: unknown) => e);
    expect((error as SysmonTsError).code).toBe("SYSMONTS_E_NOT_RUNNING");
    expect((error as Error).message).toMatch(/not running/);
  });
});
