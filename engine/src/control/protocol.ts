import { SysmonTsError } from "../base";

/** One JSON-RPC message per line; a line longer than this is refused and the client dropped. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export const RPC_PARSE_ERROR = -32700;
export const RPC_INVALID_REQUEST = -32600;
export const RPC_METHOD_NOT_FOUND = -32601;
export const RPC_INVALID_PARAMS = -32602;
export const RPC_INTERNAL_ERROR = -32603;
/** Every SysmonTsError a method throws; its stable code travels in `data.code`. */
export const RPC_ENGINE_ERROR = -32000;

export type RpcId = string | number | null;

export interface RpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** Thrown by a method when its params do not have the documented shape. */
export class RpcParamsError extends SysmonTsError {
  constructor(message: string) {
    super("SYSMONTS_E_RPC_PROTOCOL", message);
    this.name = "RpcParamsError";
  }
}

/** Where the control channel lives when nothing else is said (spec: /run on Linux, a pipe on Windows). */
export function defaultControlEndpoint(platform: NodeJS.Platform = process.platform): string {
  return platform === "win32" ? "\\\\.\\pipe\\SysmonTs" : "/run/sysmonts/control.sock";
}

/** The error object for anything a method threw, without leaking stack traces to clients. */
export function toRpcError(thrown: unknown): RpcErrorObject {
  if (thrown instanceof RpcParamsError) {
    return { code: RPC_INVALID_PARAMS, message: thrown.message, data: { code: thrown.code } };
  }
  if (thrown instanceof SysmonTsError) {
    return { code: RPC_ENGINE_ERROR, message: thrown.message, data: { ...thrown.details, code: thrown.code } };
  }
  return { code: RPC_INTERNAL_ERROR, message: "internal error", data: { code: "SYSMONTS_E_INTERNAL" } };
}
