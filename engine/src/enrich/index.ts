export { createEnricher } from "./enricher";
export type { Enricher, EnricherOptions, EnricherStats } from "./enricher";
export { ZERO_GUID, logonGuidText, processGuidText } from "./guid";
export type { LogonGuidParts, ProcessGuidParts } from "./guid";
export { parseHashAlgorithms } from "./hashes";
export type { HashAlgorithm } from "./hashes";
export { logonIdText, windowsLogonGuidText } from "./windows-fields";
export type { WindowsLogonGuidParts } from "./windows-fields";
