// The Windows sensor's public surface, re-exported by sensor/index.ts. Everything else in this
// folder (ETW layouts, decoders, koffi bindings) is private to it.
export { EtwSensor, ETW_SESSION_PLANS } from "./etw-sensor";
export type { EtwSensorOptions, EtwSessionPlan } from "./etw-sensor";
export { imphash } from "./imphash";
export { escapeForEventLog, expandEnvironmentVariables, nativeToDosPath, registryDisplayPath } from "./windows-paths";
export { CompositeSensor } from "./composite-sensor";
export { DRIVER_DEVICE_PATH, DriverClient } from "./driver-client";
export type { DriverClientCounters, DriverClientOptions, DriverClientState, DriverStatus } from "./driver-client";
export { createWindowsDetails } from "./windows-details";
export type { PeVersionStrings, ProcessTokenFacts, SignatureFacts, WindowsDetails, WindowsDetailsOptions, WindowsDetailsStats } from "./windows-details";
export { ClipboardAgent } from "./clipboard-agent";
export type { ClipboardAgentOptions, ClipboardAgentStats } from "./clipboard-agent";
export { ClipboardSensor } from "./clipboard-sensor";
export type { ClipboardSensorOptions } from "./clipboard-sensor";
export { clipboardWin32 } from "./clipboard-win32";
export { ARCHIVE_DIRECTORY_SDDL, createProtectedDirectory, directoryDaclSddl } from "./protected-directory";
