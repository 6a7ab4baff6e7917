// The Windows half of the service stage, re-exported by service/index.ts.
export { installWindowsConfig, installWindowsDriver, installedLayout, removeWindowsDriver } from "./install";
export { windowsLayout } from "./layout";
export type { WindowsLayout } from "./layout";
export { windowsServiceMain } from "./service-main";
