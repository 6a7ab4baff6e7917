declare const SYSMONTS_VERSION: string | undefined;

/** The package version, injected at bundle time; "dev" when run from source (tests). */
export const VERSION: string = typeof SYSMONTS_VERSION === "string" ? SYSMONTS_VERSION : "0.0.0-dev";
