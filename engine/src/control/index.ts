export { startControlServer } from "./server";
export type { ControlServer, ControlServerOptions, ControlServerStats, PeerIdentity, RpcContext, RpcMethod } from "./server";
export { ControlConnection, RemoteEngineError, callControl } from "./client";
export type { ControlClientOptions } from "./client";
export {
  MAX_MESSAGE_BYTES,
  RPC_ENGINE_ERROR,
  RPC_INTERNAL_ERROR,
  RPC_INVALID_PARAMS,
  RPC_INVALID_REQUEST,
  RPC_METHOD_NOT_FOUND,
  RPC_PARSE_ERROR,
  RpcParamsError,
  defaultControlEndpoint,
} from "./protocol";
export * from "./params";
