// Renderers and sinks: what the control channel, the service and the CLI may use.
export { renderLinuxXml, LINUX_XML_MAX_BYTES } from "./linux-xml";
export type { LinuxXmlOptions } from "./linux-xml";
export { renderWindowsXml } from "./windows-xml";
export type { WindowsXmlOptions } from "./windows-xml";
export { eventFromJson, eventToJson, renderJson } from "./json";
export type { JsonEvent, JsonEventValue } from "./json";
export { TABLE_HEADER, renderTableRow } from "./table";
export { formatTimeCreated } from "./time";
export { EventLogSink, buildEventLogManifest, EVENTLOG_CHANNEL_NAME, EVENTLOG_PROVIDER_GUID, EVENTLOG_PROVIDER_NAME } from "./windows-eventlog";
