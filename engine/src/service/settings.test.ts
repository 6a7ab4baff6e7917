import { DEFAULT_SETTINGS, parseSettings } from "./settings";

describe("engine settings", () => {
  it("fills what is missing from the defaults", () => {
    const settings = parseSettings('{"store":{"path":"/var/lib/x.db"}}', { file: "s.json" });
    expect(settings.store).toEqual({ path: "/var/lib/x.db", maxBytes: DEFAULT_SETTINGS.store.maxBytes, maxAgeDays: 30 });
    expect(settings.control.endpoint).toBeNull();
  });

  it("names the file and the member that is wrong", () => {
    expect(() => parseSettings("{", { file: "s.json" })).toThrow(/^s\.json: not valid JSON/);
    expect(() => parseSettings('{"stor":{}}', { file: "s.json" })).toThrow("s.json: unknown setting 'stor' (expected store, sinks or control)");
    expect(() => parseSettings('{"store":{"maxBytes":-1}}', { file: "s.json" })).toThrow("'store.maxBytes' must be a positive number");
    expect(() => parseSettings('{"sinks":{}}', { file: "s.json" })).toThrow("'sinks' must be an array");
    expect(() => parseSettings('{"sinks":[{"kind":"kafka"}]}', { file: "s.json" })).toThrow("'sinks[0].kind' must be one of syslog-local, syslog-remote, jsonl");
    expect(() => parseSettings('{"sinks":[{"kind":"jsonl"}]}', { file: "s.json" })).toThrow("'sinks[0]' (jsonl) needs 'path'");
    expect(() => parseSettings('{"sinks":[{"kind":"syslog-remote","transport":"tls","host":"h","port":99999}]}', { file: "s.json" })).toThrow("'sinks[0].port' must be a port number");
    expect(parseSettings('{"sinks":[{"kind":"syslog-remote","transport":"tcp","host":"127.0.0.1","port":514}]}', { file: "s.json" }).sinks).toHaveLength(1);
  });
});
