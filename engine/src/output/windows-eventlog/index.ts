// The event-log sink's public surface, re-exported by output/index.ts.
export { buildEventLogManifest, EVENTLOG_CHANNEL_NAME, EVENTLOG_PROVIDER_GUID, EVENTLOG_PROVIDER_NAME } from "./manifest";
export type { ManifestOptions } from "./manifest";
export { EventLogSink } from "./sink";
export type { EventLogSinkOptions, EventLogSinkStats } from "./sink";
