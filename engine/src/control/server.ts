import { chmodSync, mkdirSync, unlinkSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { SysmonTsError } from "../base";
import {
  MAX_MESSAGE_BYTES,
  RPC_ENGINE_ERROR,
  RPC_INVALID_REQUEST,
  RPC_METHOD_NOT_FOUND,
  RPC_PARSE_ERROR,
  type RpcErrorObject,
  type RpcId,
  toRpcError,
} from "./protocol";

/** Who is on the other end of a connection, as the platform reports it. */
export interface PeerIdentity {
  readonly uid?: number;
  readonly pid?: number;
  readonly description: string;
}

export interface RpcContext {
  readonly peer: PeerIdentity;
  readonly connectionId: number;
  /** Sends a notification to this client; false when it was dropped (client gone or too slow). */
  notify(method: string, params: unknown): boolean;
  /** Runs when the client disconnects (subscriptions clean up here). */
  onClose(callback: () => void): void;
}

export type RpcMethod = (params: unknown, context: RpcContext) => unknown;

export interface ControlServerOptions {
  /** A Unix socket path or a Windows pipe name (\\.\pipe\...). */
  readonly endpoint: string;
  readonly methods: Readonly<Record<string, RpcMethod>>;
  /**
   * Identifies and authorises a peer before any byte is read from it; null refuses it. The
   * platform code (service/linux: SO_PEERCRED; service/windows: the pipe's DACL) supplies it.
   */
  readonly identifyPeer?: (socket: net.Socket) => PeerIdentity | null;
  readonly maxMessageBytes?: number;
  readonly maxClients?: number;
  /** A client whose unread responses pile up beyond this is disconnected (slow readers). */
  readonly maxPendingWriteBytes?: number;
  /** Idle clients without subscriptions are dropped after this long. */
  readonly idleTimeoutMs?: number;
  /** Unix socket file mode; 0600 so that only root can even connect. */
  readonly socketMode?: number;
  readonly log?: (level: "info" | "warn", message: string) => void;
}

export interface ControlServerStats {
  readonly clients: number;
  readonly accepted: number;
  readonly refused: number;
  readonly requests: number;
  readonly protocolErrors: number;
}

export interface ControlServer {
  readonly endpoint: string;
  stats(): ControlServerStats;
  close(): Promise<void>;
}

interface Response {
  readonly jsonrpc: "2.0";
  readonly id: RpcId;
  readonly result?: unknown;
  readonly error?: RpcErrorObject;
}

function errorResponse(id: RpcId, code: number, message: string, data?: Record<string, unknown>): Response {
  return { jsonrpc: "2.0", id, error: data ? { code, message, data } : { code, message } };
}

function isUnixSocketPath(endpoint: string): boolean {
  return !endpoint.startsWith("\\\\");
}

function removeStaleSocket(endpoint: string): Promise<void> {
  // A socket file left by a crashed engine refuses connections; a live one answers. Only the
  // stale kind may be removed, so two engines never share an endpoint.
  return new Promise((resolve, reject) => {
    const probe = net.connect(endpoint);
    probe.once("connect", () => {
      probe.destroy();
      reject(new SysmonTsError("SYSMONTS_E_ALREADY_INSTALLED", `another SysmonTs engine is already serving ${endpoint}`));
    });
    probe.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED") {
        try {
          unlinkSync(endpoint);
        } catch {
          // gone already
        }
      }
      resolve();
    });
  });
}

/**
 * Serves JSON-RPC 2.0, one message per line, on a Unix socket or named pipe (Node's `net`
 * serves both, so both platforms share this code path). Malformed input of any kind gets a
 * JSON-RPC error or a disconnect and never reaches the engine's state.
 */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  const maxClients = options.maxClients ?? 2048;
  const maxPendingWriteBytes = options.maxPendingWriteBytes ?? 16 * 1024 * 1024;
  const idleTimeoutMs = options.idleTimeoutMs ?? 10 * 60 * 1000;
  const log = options.log ?? (() => undefined);
  const sockets = new Set<net.Socket>();
  let nextConnectionId = 1;
  const counters = { accepted: 0, refused: 0, requests: 0, protocolErrors: 0 };

  if (isUnixSocketPath(options.endpoint)) {
    mkdirSync(path.dirname(options.endpoint), { recursive: true, mode: 0o700 });
    await removeStaleSocket(options.endpoint);
  }

  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    const connectionId = nextConnectionId++;
    if (sockets.size >= maxClients) {
      counters.refused++;
      refuse(socket, errorResponse(null, RPC_ENGINE_ERROR, `too many control clients (limit ${maxClients})`, { code: "SYSMONTS_E_RPC_PROTOCOL" }));
      return;
    }
    let peer: PeerIdentity | null;
    try {
      peer = options.identifyPeer ? options.identifyPeer(socket) : { description: "unchecked" };
    } catch {
      peer = null;
    }
    if (!peer) {
      counters.refused++;
      log("warn", "control channel: refused a peer that is not root/Administrator");
      refuse(socket, errorResponse(null, RPC_ENGINE_ERROR, "access denied: the control channel is for root/Administrators only", { code: "SYSMONTS_E_RPC_DENIED" }));
      return;
    }
    counters.accepted++;
    sockets.add(socket);
    serveConnection(socket, connectionId, peer);
    socket.resume();
  });

  /**
   * Answers a refused client with one error and closes. Its input is read and discarded
   * (never parsed), so the client sees the error instead of a reset from unread data.
   */
  function refuse(socket: net.Socket, response: Response): void {
    socket.on("error", () => undefined);
    socket.on("data", () => undefined);
    socket.setTimeout(2000, () => socket.destroy());
    socket.resume();
    socket.end(JSON.stringify(response) + "\n");
  }

  function serveConnection(socket: net.Socket, connectionId: number, peer: PeerIdentity): void {
    const closeCallbacks: (() => void)[] = [];
    let buffered: Buffer[] = [];
    let bufferedBytes = 0;
    let inFlight = 0;
    let readEnded = false;
    let subscribed = false;

    const send = (message: unknown): boolean => {
      if (socket.destroyed || !socket.writable) return false;
      if (socket.writableLength > maxPendingWriteBytes) {
        log("warn", `control channel: client ${connectionId} is not reading its responses; disconnecting`);
        socket.destroy();
        return false;
      }
      socket.write(JSON.stringify(message) + "\n");
      return true;
    };
    const context: RpcContext = {
      peer,
      connectionId,
      notify: (method, params) => {
        subscribed = true;
        return send({ jsonrpc: "2.0", method, params });
      },
      onClose: (callback) => {
        subscribed = true;
        closeCallbacks.push(callback);
      },
    };
    const maybeFinish = (): void => {
      if (readEnded && inFlight === 0 && !socket.destroyed) socket.end();
    };

    const handleLine = (line: Buffer): void => {
      const text = line.toString("utf8").trim();
      if (text === "") return;
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        counters.protocolErrors++;
        send(errorResponse(null, RPC_PARSE_ERROR, "parse error: the message is not valid JSON"));
        return;
      }
      if (Array.isArray(message)) {
        if (message.length === 0) {
          counters.protocolErrors++;
          send(errorResponse(null, RPC_INVALID_REQUEST, "invalid request: empty batch"));
          return;
        }
        inFlight++;
        Promise.all(message.map((m) => handleRequest(m))).then((responses) => {
          const answered = responses.filter((r): r is Response => r !== undefined);
          if (answered.length > 0) send(answered);
          inFlight--;
          maybeFinish();
        });
        return;
      }
      inFlight++;
      handleRequest(message).then((response) => {
        if (response) send(response);
        inFlight--;
        maybeFinish();
      });
    };

    const handleRequest = async (message: unknown): Promise<Response | undefined> => {
      counters.requests++;
      if (typeof message !== "object" || message === null) {
        counters.protocolErrors++;
        return errorResponse(null, RPC_INVALID_REQUEST, "invalid request: expected a JSON-RPC 2.0 object");
      }
      const request = message as Record<string, unknown>;
      const rawId = request["id"];
      const hasId = "id" in request;
      const id: RpcId = typeof rawId === "string" || typeof rawId === "number" ? rawId : null;
      if (request["jsonrpc"] !== "2.0" || typeof request["method"] !== "string" || (hasId && rawId !== null && id === null)) {
        counters.protocolErrors++;
        return errorResponse(id, RPC_INVALID_REQUEST, "invalid request: needs jsonrpc \"2.0\", a string method and a string, number or null id");
      }
      const params = request["params"];
      if (params !== undefined && (typeof params !== "object" || params === null)) {
        counters.protocolErrors++;
        return errorResponse(id, RPC_INVALID_REQUEST, "invalid request: params must be an object or an array");
      }
      const name = request["method"];
      const method = Object.hasOwn(options.methods, name) ? options.methods[name] : undefined;
      if (!method) {
        return hasId ? errorResponse(id, RPC_METHOD_NOT_FOUND, `method not found: ${name.slice(0, 100)}`) : undefined;
      }
      try {
        const result = await method(params, context);
        return hasId ? { jsonrpc: "2.0", id, result: result ?? null } : undefined;
      } catch (thrown) {
        if (!(thrown instanceof SysmonTsError)) log("warn", `control channel: method ${name} failed: ${String(thrown)}`);
        return hasId ? { jsonrpc: "2.0", id, error: toRpcError(thrown) } : undefined;
      }
    };

    socket.setTimeout(idleTimeoutMs, () => {
      if (!subscribed) socket.destroy();
    });
    socket.on("data", (chunk: Buffer) => {
      let start = 0;
      let newline = chunk.indexOf(0x0a, start);
      while (newline !== -1) {
        const part = chunk.subarray(start, newline);
        const line = buffered.length === 0 ? part : Buffer.concat([...buffered, part]);
        buffered = [];
        bufferedBytes = 0;
        if (line.length > maxMessageBytes) {
          tooLarge();
          return;
        }
        handleLine(line);
        start = newline + 1;
        newline = chunk.indexOf(0x0a, start);
      }
      if (start < chunk.length) {
        const rest = chunk.subarray(start);
        bufferedBytes += rest.length;
        if (bufferedBytes > maxMessageBytes) {
          tooLarge();
          return;
        }
        buffered.push(Buffer.from(rest));
      }
    });
    const tooLarge = (): void => {
      counters.protocolErrors++;
      send(errorResponse(null, RPC_INVALID_REQUEST, `message too large (limit ${maxMessageBytes} bytes)`));
      buffered = [];
      bufferedBytes = 0;
      socket.end();
      socket.destroySoon();
    };
    socket.on("end", () => {
      readEnded = true;
      if (bufferedBytes > 0) handleLine(Buffer.concat(buffered));
      buffered = [];
      maybeFinish();
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      sockets.delete(socket);
      for (const callback of closeCallbacks) {
        try {
          callback();
        } catch {
          // a cleanup failure must not affect other clients
        }
      }
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // A deep backlog so bursts of clients queue in the kernel instead of failing with EAGAIN.
    server.listen({ path: options.endpoint, backlog: 4096 }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) => log("warn", `control channel: ${error.message}`));
  if (isUnixSocketPath(options.endpoint)) chmodSync(options.endpoint, options.socketMode ?? 0o600);

  return {
    endpoint: options.endpoint,
    stats: () => ({ clients: sockets.size, ...counters }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          if (isUnixSocketPath(options.endpoint)) {
            try {
              unlinkSync(options.endpoint);
            } catch {
              // already removed
            }
          }
          resolve();
        });
      }),
  };
}
