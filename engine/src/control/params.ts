import { RpcParamsError } from "./protocol";

/**
 * Small readers for JSON-RPC params: every method states what it accepts, and anything else
 * becomes an "invalid params" error naming the member, never an exception deeper down.
 */
export type Params = Readonly<Record<string, unknown>>;

export function asParams(raw: unknown): Params {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw new RpcParamsError("params must be an object");
  return raw as Params;
}

export function optionalString(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new RpcParamsError(`'${name}' must be a string`);
  return value;
}

export function requiredString(params: Params, name: string): string {
  const value = optionalString(params, name);
  if (value === undefined) throw new RpcParamsError(`'${name}' is required`);
  return value;
}

export function optionalNumber(params: Params, name: string, options: { min?: number; max?: number } = {}): number | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw new RpcParamsError(`'${name}' must be a number`);
  if (options.min !== undefined && value < options.min) throw new RpcParamsError(`'${name}' must be at least ${options.min}`);
  if (options.max !== undefined && value > options.max) throw new RpcParamsError(`'${name}' must be at most ${options.max}`);
  return value;
}

export function optionalBoolean(params: Params, name: string): boolean | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new RpcParamsError(`'${name}' must be true or false`);
  return value;
}

export function optionalIntegerArray(params: Params, name: string): number[] | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v))) {
    throw new RpcParamsError(`'${name}' must be an array of integers`);
  }
  return value as number[];
}

export function optionalArray(params: Params, name: string): readonly unknown[] | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new RpcParamsError(`'${name}' must be an array`);
  return value;
}

/** A time given as epoch milliseconds or as text the caller parses (ISO-8601, "2h"). */
export function optionalTime(params: Params, name: string): string | number | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" && typeof value !== "number") throw new RpcParamsError(`'${name}' must be a time (ISO-8601 text or epoch milliseconds)`);
  return value;
}
