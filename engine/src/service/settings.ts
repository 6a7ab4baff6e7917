import { readFileSync } from "node:fs";
import { SysmonTsError } from "../base";
import type { SinkSettings } from "../output";

/**
 * The engine's own settings (not the Sysmon config): where the store lives and how much it
 * keeps, which sinks are on, where the control channel listens. JSON, so fleets can template it.
 */
export interface EngineSettings {
  readonly store: {
    /** null keeps no store (events still go to the sinks and the console). */
    readonly path: string | null;
    readonly maxBytes: number;
    readonly maxAgeDays: number;
  };
  /** Where kept events go besides the store (output/sinks.ts has every option of each kind). */
  readonly sinks: readonly SinkSettings[];
  readonly control: {
    /** null runs without a control channel. */
    readonly endpoint: string | null;
  };
}

export const DEFAULT_SETTINGS: EngineSettings = {
  store: { path: null, maxBytes: 1024 * 1024 * 1024, maxAgeDays: 30 },
  sinks: [],
  control: { endpoint: null },
};

function fail(file: string, message: string): never {
  throw new SysmonTsError("SYSMONTS_E_USAGE", `${file}: ${message}`, { details: { file } });
}

function readNumber(file: string, value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) fail(file, `'${name}' must be a positive number`);
  return value;
}

const SINK_REQUIRED: Record<string, readonly string[]> = {
  "syslog-local": [],
  "syslog-remote": ["transport", "host", "port"],
  jsonl: ["path"],
};

/** A sink entry must name a known kind and carry what that kind needs; the sink checks the rest. */
function checkSink(file: string, sink: unknown, index: number): asserts sink is SinkSettings {
  if (typeof sink !== "object" || sink === null || Array.isArray(sink)) fail(file, `'sinks[${index}]' must be an object`);
  const entry = sink as Record<string, unknown>;
  const kind = entry["kind"];
  const required = typeof kind === "string" ? SINK_REQUIRED[kind] : undefined;
  if (!required) fail(file, `'sinks[${index}].kind' must be one of ${Object.keys(SINK_REQUIRED).join(", ")}`);
  for (const name of required) {
    if (entry[name] === undefined) fail(file, `'sinks[${index}]' (${String(kind)}) needs '${name}'`);
  }
  if (kind === "syslog-remote" && !["udp", "tcp", "tls"].includes(String(entry["transport"]))) fail(file, `'sinks[${index}].transport' must be udp, tcp or tls`);
  if (kind === "syslog-remote" && (typeof entry["port"] !== "number" || !Number.isInteger(entry["port"]) || entry["port"] < 1 || entry["port"] > 65535)) {
    fail(file, `'sinks[${index}].port' must be a port number`);
  }
}

/** Settings from a JSON text; missing members take the defaults given, unknown ones are errors. */
export function parseSettings(text: string, options: { file: string; defaults?: EngineSettings }): EngineSettings {
  const defaults = options.defaults ?? DEFAULT_SETTINGS;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    fail(options.file, `not valid JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail(options.file, "must hold a JSON object");
  const top = raw as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (!["store", "sinks", "control", "$comment"].includes(key)) fail(options.file, `unknown setting '${key}' (expected store, sinks or control)`);
  }
  const store = (top["store"] ?? {}) as Record<string, unknown>;
  const control = (top["control"] ?? {}) as Record<string, unknown>;
  const storePath = store["path"] === undefined ? defaults.store.path : store["path"];
  if (storePath !== null && typeof storePath !== "string") fail(options.file, "'store.path' must be a path or null");
  const endpoint = control["endpoint"] === undefined ? defaults.control.endpoint : control["endpoint"];
  if (endpoint !== null && typeof endpoint !== "string") fail(options.file, "'control.endpoint' must be a path or null");
  const sinks = top["sinks"] === undefined ? defaults.sinks : top["sinks"];
  if (!Array.isArray(sinks)) fail(options.file, "'sinks' must be an array");
  sinks.forEach((sink, i) => checkSink(options.file, sink, i));
  return {
    store: {
      path: storePath,
      maxBytes: readNumber(options.file, store["maxBytes"], "store.maxBytes", defaults.store.maxBytes),
      maxAgeDays: readNumber(options.file, store["maxAgeDays"], "store.maxAgeDays", defaults.store.maxAgeDays),
    },
    sinks: sinks as SinkSettings[],
    control: { endpoint },
  };
}

export function loadSettingsFile(file: string, defaults?: EngineSettings): EngineSettings {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new SysmonTsError("SYSMONTS_E_FILE", `cannot read settings ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseSettings(text, defaults ? { file, defaults } : { file });
}
