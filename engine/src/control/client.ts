import net from "node:net";
import { type ErrorCode, ERROR_CODES, SysmonTsError } from "../base";
import { defaultControlEndpoint, MAX_MESSAGE_BYTES, type RpcErrorObject } from "./protocol";

export interface ControlClientOptions {
  readonly endpoint?: string;
  readonly timeoutMs?: number;
}

/** The engine's error, rebuilt on the client side with its stable code and details. */
export class RemoteEngineError extends SysmonTsError {
  readonly rpcCode: number;
  constructor(error: RpcErrorObject) {
    const data = error.data ?? {};
    const code = typeof data["code"] === "string" && data["code"] in ERROR_CODES ? (data["code"] as ErrorCode) : "SYSMONTS_E_RPC_PROTOCOL";
    super(code, error.message, { details: { ...data } });
    this.name = "RemoteEngineError";
    this.rpcCode = error.code;
  }
}

function notRunning(endpoint: string, cause: unknown): SysmonTsError {
  return new SysmonTsError("SYSMONTS_E_NOT_RUNNING", `the SysmonTs monitor is not running (no control channel at ${endpoint})`, { cause });
}

/**
 * A connection to the engine's control channel. Requests are answered in any order; each
 * waits for its own id. Notifications go to `onNotification`.
 */
export class ControlConnection {
  private readonly socket: net.Socket;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private buffered = "";
  private closedError: Error | undefined;
  onNotification: (method: string, params: unknown) => void = () => undefined;

  private constructor(socket: net.Socket, endpoint: string) {
    this.socket = socket;
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.receive(chunk));
    const fail = (error: Error): void => {
      this.closedError ??= error;
      for (const waiter of this.pending.values()) waiter.reject(this.closedError);
      this.pending.clear();
    };
    socket.on("error", (error) => fail(notRunning(endpoint, error)));
    socket.on("close", () => fail(new SysmonTsError("SYSMONTS_E_NOT_RUNNING", "the SysmonTs monitor closed the control connection")));
  }

  static async connect(options: ControlClientOptions = {}): Promise<ControlConnection> {
    // A Unix socket whose accept queue is momentarily full answers EAGAIN; that is load, not absence.
    for (let attempt = 0; ; attempt++) {
      try {
        return await ControlConnection.connectOnce(options);
      } catch (error) {
        const cause = error instanceof SysmonTsError ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
        if (cause?.code !== "EAGAIN" || attempt >= 50) throw error;
        await new Promise((r) => setTimeout(r, 10 + attempt * 10));
      }
    }
  }

  private static connectOnce(options: ControlClientOptions): Promise<ControlConnection> {
    const endpoint = options.endpoint ?? defaultControlEndpoint();
    return new Promise((resolve, reject) => {
      const socket = net.connect(endpoint);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(notRunning(endpoint, new Error("connect timed out")));
      }, options.timeoutMs ?? 5000);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve(new ControlConnection(socket, endpoint));
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EACCES" || code === "EPERM") {
          reject(new SysmonTsError("SYSMONTS_E_PRIVILEGE", `access to the control channel ${endpoint} needs root/Administrator rights`, { cause: error }));
        } else {
          reject(notRunning(endpoint, error));
        }
      });
    });
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    if (this.buffered.length > MAX_MESSAGE_BYTES * 64) {
      this.socket.destroy(new Error("response too large"));
      return;
    }
    let newline = this.buffered.indexOf("\n");
    while (newline !== -1) {
      const line = this.buffered.slice(0, newline);
      this.buffered = this.buffered.slice(newline + 1);
      if (line.trim() !== "") this.dispatch(line);
      newline = this.buffered.indexOf("\n");
    }
  }

  private dispatch(line: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof message["method"] === "string" && !("id" in message)) {
      this.onNotification(message["method"], message["params"]);
      return;
    }
    const id = message["id"];
    if (typeof id !== "number") {
      // An error without an id is the server refusing the whole connection (denied, too many clients).
      const error = message["error"] as RpcErrorObject | undefined;
      if (error) {
        this.closedError = new RemoteEngineError(error);
        for (const waiter of this.pending.values()) waiter.reject(this.closedError);
        this.pending.clear();
      }
      return;
    }
    const waiter = this.pending.get(id);
    if (!waiter) return;
    this.pending.delete(id);
    if (message["error"]) waiter.reject(new RemoteEngineError(message["error"] as RpcErrorObject));
    else waiter.resolve(message["result"]);
  }

  call<T = unknown>(method: string, params: Record<string, unknown> = {}, options: { timeoutMs?: number } = {}): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? 30_000;
      const timer = timeoutMs > 0 ? setTimeout(() => {
        this.pending.delete(id);
        reject(new SysmonTsError("SYSMONTS_E_NOT_RUNNING", `the SysmonTs monitor did not answer '${method}' within ${timeoutMs} ms`));
      }, timeoutMs) : undefined;
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.socket.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n");
    });
  }

  close(): void {
    this.socket.end();
    this.socket.destroySoon();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** One request on a fresh connection: what the CLI does for `status`, `-c`, `query`. */
export async function callControl<T = unknown>(method: string, params: Record<string, unknown> = {}, options: ControlClientOptions = {}): Promise<T> {
  const connection = await ControlConnection.connect(options);
  try {
    return await connection.call<T>(method, params, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
  } finally {
    connection.close();
  }
}
