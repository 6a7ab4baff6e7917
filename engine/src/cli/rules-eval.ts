import { readFileSync } from "node:fs";
import { SysmonTsError } from "../base";
import { loadConfigFile } from "../config";
import type { LoadedConfig } from "../config";
import { decide } from "../rules";
import { eventFromFields, findEvent } from "../schema";
import type { Command } from "./command";
import { describeConfigError, platformOption } from "./config-args";
import { lastValue, parseOptions } from "./options";

type LineResult = { include: boolean; ruleName: string } | { error: string };

/**
 * Decides one JSON line of shape {"EventID": 1, "EventData": {...}} (the corpora's JSONL
 * shape). Field names are matched case-insensitively, unknown ones ignored, missing ones "-".
 */
export function evaluateLine(config: LoadedConfig, line: string, lineNumber: number): LineResult {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (thrown) {
    return { error: `line ${lineNumber}: invalid JSON: ${thrown instanceof Error ? thrown.message : String(thrown)}` };
  }
  if (typeof record !== "object" || record === null || Array.isArray(record)) return { error: `line ${lineNumber}: expected a JSON object with EventID and EventData` };
  const { EventID: rawId, EventData: data } = record as { EventID?: unknown; EventData?: unknown };
  const id = typeof rawId === "string" && /^\d+$/.test(rawId) ? Number(rawId) : rawId;
  if (typeof id !== "number" || !Number.isInteger(id)) return { error: `line ${lineNumber}: EventID is missing or not a number` };
  if (!findEvent(id)) return { error: `line ${lineNumber}: unknown event ID ${id}` };
  if (data !== undefined && (typeof data !== "object" || data === null || Array.isArray(data))) return { error: `line ${lineNumber}: EventData must be an object` };
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries((data ?? {}) as Record<string, unknown>)) {
    if (value === null || value === undefined || typeof value === "object") continue;
    fields[name] = String(value);
  }
  return decide(config.rules, eventFromFields(id, fields));
}

/**
 * `sysmonts rules eval --config FILE EVENTS.jsonl`: one decision per input line, as JSON.
 * Exit 0 when every line was decided, 1 when some line was an error (still printed in place).
 */
export const rulesEvalCommand: Command = {
  words: ["rules", "eval"],
  usage: "rules eval --config <configfile> [--platform linux|windows] <events.jsonl|->",
  summary: "print {include, ruleName} for each {EventID, EventData} JSON line as Sysmon would decide it",
  async run({ args, stdout, stderr }) {
    const parsed = parseOptions(args, { values: ["config", "platform"], command: "rules eval" });
    const platform = platformOption(lastValue(parsed, "platform"), "rules eval");
    const configFile = lastValue(parsed, "config");
    const [input, extra] = parsed.positionals;
    if (configFile === undefined || input === undefined || extra !== undefined) throw new SysmonTsError("SYSMONTS_E_USAGE", "rules eval: give --config FILE and one events file (or - for stdin)");
    let config: LoadedConfig;
    try {
      config = loadConfigFile(configFile, { platform });
    } catch (thrown) {
      if (!(thrown instanceof SysmonTsError)) throw thrown;
      stderr.write(describeConfigError(thrown, platform));
      return thrown.exitCode;
    }
    let text: string;
    try {
      text = readFileSync(input === "-" ? 0 : input, "utf8");
    } catch (cause) {
      throw new SysmonTsError("SYSMONTS_E_FILE", `rules eval: cannot read ${input}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
    const lines = text.split(/\r?\n/);
    if (lines[lines.length - 1] === "") lines.pop();
    let failed = false;
    const out: string[] = [];
    lines.forEach((line, i) => {
      const result = line.trim() === "" ? { error: `line ${i + 1}: empty line` } : evaluateLine(config, line, i + 1);
      if ("error" in result) failed = true;
      out.push(JSON.stringify(result));
    });
    stdout.write(out.length ? `${out.join("\n")}\n` : "");
    return failed ? 1 : 0;
  },
};
