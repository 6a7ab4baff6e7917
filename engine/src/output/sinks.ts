import { JsonlFileSink } from "./jsonl-file";
import type { JsonlFileSettings } from "./jsonl-file";
import type { Sink } from "./sink";
import { LocalSyslogSink } from "./syslog-local";
import type { LocalSyslogSettings } from "./syslog-local";
import { RemoteSyslogSink } from "./syslog-remote";
import type { RemoteSyslogSettings } from "./syslog-remote";

/** One entry of the engine settings' sink list. */
export type SinkSettings = LocalSyslogSettings | RemoteSyslogSettings | JsonlFileSettings;

/** Builds the sinks the engine settings ask for; nothing connects until the first event. */
export function createSinks(settings: readonly SinkSettings[]): Sink[] {
  return settings.map((entry) => {
    switch (entry.kind) {
      case "syslog-local":
        return new LocalSyslogSink(entry);
      case "syslog-remote":
        return new RemoteSyslogSink(entry);
      case "jsonl":
        return new JsonlFileSink(entry);
    }
  });
}
