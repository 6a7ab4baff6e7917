import { SysmonTsError, asSysmonTsError, PositionedError } from "../base";
import { dumpConfig, describeRules, loadConfig } from "../config";
import { decide } from "../rules";
import { ALL_EVENTS, findEvent, eventFromFields, type StampedEvent } from "../schema";
import { FILTER_OPS, type EventQuery, type FieldFilter, type FilterOp, parseTime } from "../store";
import { eventToJson } from "../output";
import {
  type Params,
  type RpcMethod,
  RpcParamsError,
  asParams,
  optionalArray,
  optionalBoolean,
  optionalIntegerArray,
  optionalNumber,
  optionalString,
  optionalTime,
  requiredString,
} from "../control";
import type { Engine } from "./engine";

function readWhere(params: Params): FieldFilter[] | undefined {
  const raw = optionalArray(params, "where");
  if (!raw) return undefined;
  return raw.map((item, i) => {
    if (typeof item !== "object" || item === null) throw new RpcParamsError(`'where[${i}]' must be an object {field, op, value}`);
    const { field, op, value } = item as Record<string, unknown>;
    if (typeof field !== "string" || field === "") throw new RpcParamsError(`'where[${i}].field' must be a field name`);
    const operator = op === undefined ? "eq" : op;
    if (typeof operator !== "string" || !FILTER_OPS.includes(operator as FilterOp)) {
      throw new RpcParamsError(`'where[${i}].op' must be one of ${FILTER_OPS.join(", ")}`);
    }
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      throw new RpcParamsError(`'where[${i}].value' must be text`);
    }
    return { field, op: operator as FilterOp, value: String(value) };
  });
}

function readTime(params: Params, name: string): number | undefined {
  const value = optionalTime(params, name);
  if (value === undefined) return undefined;
  try {
    return parseTime(value);
  } catch (error) {
    throw new RpcParamsError(`'${name}': ${(error as Error).message}`);
  }
}

/** events.query params → the store's query model; anything malformed is an invalid-params error. */
export function readQuery(params: Params): EventQuery {
  const order = optionalString(params, "order");
  if (order !== undefined && order !== "newest" && order !== "oldest") throw new RpcParamsError("'order' must be \"newest\" or \"oldest\"");
  const query: { -readonly [K in keyof EventQuery]: EventQuery[K] } = {};
  const ids = optionalIntegerArray(params, "ids");
  if (ids) query.ids = ids;
  const since = readTime(params, "since");
  if (since !== undefined) query.since = since;
  const until = readTime(params, "until");
  if (until !== undefined) query.until = until;
  const where = readWhere(params);
  if (where) query.where = where;
  const processGuid = optionalString(params, "processGuid");
  if (processGuid) query.processGuid = processGuid;
  const descendants = optionalBoolean(params, "descendants");
  if (descendants !== undefined) query.descendants = descendants;
  if (order) query.order = order;
  const max = optionalNumber(params, "max", { min: 1, max: 10_000 });
  if (max !== undefined) query.max = Math.floor(max);
  const cursor = optionalString(params, "cursor");
  if (cursor) query.cursor = cursor;
  return query;
}

interface ConfigProblem {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
  readonly code: string;
}

function problemOf(error: unknown): ConfigProblem {
  const e = asSysmonTsError(error);
  if (e instanceof PositionedError) {
    return { file: e.position.file, line: e.position.line, column: e.position.column, message: e.reason, code: e.code };
  }
  return { message: e.message, code: e.code };
}

/** `config.set` failures carry the positioned problem in data.errors, for the CLI and PowerShell. */
function configRejected(error: unknown): SysmonTsError {
  const e = asSysmonTsError(error);
  return new SysmonTsError(e.code, e.message, { details: { ...e.details, errors: [problemOf(error)] } });
}

function decideRecorded(config: ReturnType<typeof loadConfig>, raw: unknown): Record<string, unknown> {
  if (typeof raw !== "object" || raw === null) return { error: "an event must be an object {EventID, EventData}" };
  const record = raw as Record<string, unknown>;
  const id = Number(record["EventID"] ?? record["Id"]);
  if (!findEvent(id)) return { error: `event ID ${String(record["EventID"] ?? record["Id"])} is not in the catalogue` };
  const data = (record["EventData"] ?? {}) as Record<string, string | number | boolean>;
  return { ...decide(config.rules, eventFromFields(id, data)) };
}

/** The control channel's methods over a running engine (contract: shared/protocol in the issue notes). */
export function engineMethods(engine: Engine, options: { requestStop: () => void }): Record<string, RpcMethod> {
  const subscriptions = new Map<string, () => void>();
  return {
    status: () => engine.status(),

    "config.get": () => {
      const config = engine.loadedConfig;
      return { file: config.file, hash: config.hash, schemaVersion: config.schemaVersion, xml: config.text, dump: dumpConfig(config), rules: describeRules(config) };
    },

    "config.set": (raw) => {
      const params = asParams(raw);
      const xml = requiredString(params, "xml");
      const file = optionalString(params, "file") ?? "config.xml";
      try {
        const config = engine.applyConfig(xml, file);
        return { hash: config.hash, schemaVersion: config.schemaVersion, warnings: config.warnings };
      } catch (error) {
        throw configRejected(error);
      }
    },

    "config.reset": () => {
      const config = engine.applyDefaultConfig();
      return { hash: config.hash, schemaVersion: config.schemaVersion, warnings: [] };
    },

    "config.test": (raw) => {
      const params = asParams(raw);
      const xml = requiredString(params, "xml");
      const file = optionalString(params, "file") ?? "config.xml";
      const events = optionalArray(params, "events");
      let config: ReturnType<typeof loadConfig>;
      try {
        config = loadConfig(xml, { file, platform: engine.platform });
      } catch (error) {
        return { valid: false, errors: [problemOf(error)], warnings: [] };
      }
      return {
        valid: true,
        errors: [],
        warnings: config.warnings,
        ...(events ? { decisions: events.map((e) => decideRecorded(config, e)) } : {}),
      };
    },

    "events.query": async (raw) => {
      const page = await engine.query(readQuery(asParams(raw)));
      return { events: page.events.map(eventToJson), cursor: page.cursor };
    },

    "events.subscribe": (raw, context) => {
      const params = asParams(raw);
      const query = readQuery(params);
      const subscription = `sub-${context.connectionId}-${Math.random().toString(36).slice(2, 10)}`;
      const unsubscribe = engine.subscribe({ ...(query.ids ? { ids: query.ids } : {}), ...(query.where ? { where: query.where } : {}) }, (event: StampedEvent) => {
        if (!context.notify("events.event", { subscription, event: eventToJson(event) })) unsubscribe();
      });
      subscriptions.set(subscription, unsubscribe);
      context.onClose(() => {
        unsubscribe();
        subscriptions.delete(subscription);
      });
      return { subscription };
    },

    "events.unsubscribe": (raw) => {
      const subscription = requiredString(asParams(raw), "subscription");
      const unsubscribe = subscriptions.get(subscription);
      if (!unsubscribe) throw new RpcParamsError(`no subscription '${subscription}'`);
      unsubscribe();
      subscriptions.delete(subscription);
      return {};
    },

    schema: (raw) => {
      const id = optionalNumber(asParams(raw), "id");
      const events = ALL_EVENTS.filter((e) => id === undefined || e.id === id);
      if (id !== undefined && events.length === 0) throw new SysmonTsError("SYSMONTS_E_EVENT_UNKNOWN", `event ID ${id} is not in the catalogue`);
      return {
        events: events.map((e) => ({ id: e.id, name: e.name, ruleName: e.ruleName, version: e.version, level: e.level, fields: e.fields.map((f) => ({ name: f.name, type: f.type })) })),
      };
    },

    "engine.stop": () => {
      setImmediate(options.requestStop);
      return {};
    },
  };
}

