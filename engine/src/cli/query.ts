import { SysmonTsError } from "../base";
import type { StampedEvent } from "../schema";
import { callControl } from "../control";
import { TABLE_HEADER, eventFromJson, renderJson, renderLinuxXml, renderTableRow } from "../output";
import { LIMIT_MAX, openStore, parseTime, parseWhere } from "../store";
import type { EventQuery, QueryPage } from "../store";
import type { Command } from "./command";
import { lastValue, parseOptions } from "./options";

export type QueryFormat = "xml" | "json" | "table";

export interface QueryRequest {
  readonly query: EventQuery;
  /** How many events in all (pages are fetched until this many or none are left). */
  readonly total: number;
  readonly format: QueryFormat;
  readonly storePath: string | undefined;
  readonly controlEndpoint: string | undefined;
}

/** Fetches one page: from a store file, or through the control channel of the running engine. */
export type QuerySource = (query: EventQuery) => Promise<QueryPage>;

const USAGE =
  "query [--id N[,N]] [--since T] [--until T] [--where Field=Value ...] [--process GUID [--descendants]] [--max N] [--oldest] [--format xml|json|table] [--store PATH | --control PATH]";

/**
 * Reads `sysmonts query` arguments into a store query. T is ISO-8601, a duration before now
 * (2h, 30m, 7d) or epoch milliseconds; --where takes Field=Value, !=, ~= (contains), ^=, $=.
 */
export function parseQueryArgs(args: readonly string[], options: { now?: number } = {}): QueryRequest {
  const parsed = parseOptions(args, {
    command: "query",
    values: ["id", "since", "until", "where", "max", "format", "store", "control", "process"],
    flags: ["oldest", "descendants"],
  });
  if (parsed.positionals.length > 0) throw new SysmonTsError("SYSMONTS_E_USAGE", `query: unexpected argument '${parsed.positionals[0]}'`);
  const ids = (parsed.values.get("id") ?? []).flatMap((text) =>
    text.split(",").map((part) => {
      const id = Number(part.trim());
      if (!Number.isInteger(id) || id < 0) throw new SysmonTsError("SYSMONTS_E_USAGE", `query: --id '${part}' is not an event ID`);
      return id;
    }),
  );
  const maxText = lastValue(parsed, "max") ?? "100";
  const total = Number(maxText);
  if (!Number.isInteger(total) || total < 1) throw new SysmonTsError("SYSMONTS_E_USAGE", `query: --max '${maxText}' is not a positive number`);
  const format = (lastValue(parsed, "format") ?? "table").toLowerCase();
  if (format !== "xml" && format !== "json" && format !== "table") throw new SysmonTsError("SYSMONTS_E_USAGE", `query: --format '${format}' is not xml, json or table`);
  const since = lastValue(parsed, "since");
  const until = lastValue(parsed, "until");
  const processGuid = lastValue(parsed, "process");
  const query: EventQuery = {
    ...(ids.length > 0 ? { ids } : {}),
    ...(since !== undefined ? { since: parseTime(since, options) } : {}),
    ...(until !== undefined ? { until: parseTime(until, options) } : {}),
    where: (parsed.values.get("where") ?? []).map((text) => parseWhere(text)),
    ...(processGuid !== undefined ? { processGuid, descendants: parsed.flags.has("descendants") } : {}),
    order: parsed.flags.has("oldest") ? "oldest" : "newest",
    max: Math.min(total, LIMIT_MAX),
  };
  return { query, total, format, storePath: lastValue(parsed, "store"), controlEndpoint: lastValue(parsed, "control") };
}

/** One output line per event (plus a header for the table). */
export function formatEvent(event: StampedEvent, format: QueryFormat): string {
  switch (format) {
    case "xml":
      // The engine's PID is not known to a reader of stored events; 0 marks "not recorded".
      return renderLinuxXml(event, { processId: 0, threadId: 0 });
    case "json":
      return renderJson(event);
    case "table":
      return renderTableRow(event);
  }
}

/** Runs the query page by page through `source` and writes every event; resolves to the count. */
export async function writeQueryResults(request: QueryRequest, source: QuerySource, out: NodeJS.WritableStream): Promise<number> {
  let written = 0;
  let cursor: string | undefined;
  if (request.format === "table") out.write(`${TABLE_HEADER}\n`);
  while (written < request.total) {
    const page = await source({ ...request.query, max: Math.min(LIMIT_MAX, request.total - written), ...(cursor ? { cursor } : {}) });
    let chunk = "";
    for (const event of page.events) chunk += `${formatEvent(event, request.format)}\n`;
    out.write(chunk);
    written += page.events.length;
    if (page.cursor === null) break;
    cursor = page.cursor;
  }
  return written;
}

/** A QuerySource over the running engine's `events.query` method (flat JSON events back). */
export function controlQuerySource(endpoint: string | undefined): QuerySource {
  return async (query) => {
    const result = await callControl<{ events: Record<string, unknown>[]; cursor: string | null }>("events.query", { ...query }, endpoint ? { endpoint } : {});
    return { events: result.events.map(eventFromJson), cursor: result.cursor };
  };
}

export const queryCommand: Command = {
  words: ["query"],
  usage: USAGE,
  summary: "print stored events (newest first) from the running monitor or a store file",
  async run(context) {
    const request = parseQueryArgs(context.args);
    if (request.storePath === undefined) {
      await writeQueryResults(request, controlQuerySource(request.controlEndpoint), context.stdout);
      return 0;
    }
    const store = openStore(request.storePath, { readOnly: true });
    try {
      await writeQueryResults(request, (query) => store.query(query), context.stdout);
    } finally {
      await store.close();
    }
    return 0;
  },
};
