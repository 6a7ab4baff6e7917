declare const SYSMONTS_VERSION: string | undefined;

/** The package version, injected at bundle time; a dev marker when run from source (tests). */
export const VERSION: string = typeof SYSMONTS_VERSION === "string" ? SYSMONTS_VERSION : "0.0.0-dev";

/** The newest Sysmon schema this engine implements (event 4's SchemaVersion, `%.2f`). */
export const SCHEMA_VERSION = "4.90";
