export type * from "./records";
export { listPids, ownerUidOf, readBootTimeMs, readClockTicksPerSecond, readMachineId, readProcess, threadGroupOf } from "./linux/procfs";
export type { ProcSnapshot, ProcfsOptions } from "./linux/procfs";
export { openLinuxSensor } from "./linux/sensor";
export type { LinuxSensorOptions, SensorLogLevel } from "./linux/sensor";
export { CompositeSensor, DriverClient, DRIVER_DEVICE_PATH } from "./windows";
export type { DriverClientOptions, DriverStatus } from "./windows";
export { EtwSensor, ETW_SESSION_PLANS, expandEnvironmentVariables, escapeForEventLog, imphash, nativeToDosPath, registryDisplayPath } from "./windows";
