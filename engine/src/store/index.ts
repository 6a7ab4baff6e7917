// The embedded event store: what later stages (output, control, service, cli) may use.
export { openStore } from "./store";
export { compileFilters, decodeCursor, encodeCursor, normalizeQuery, parseTime, parseWhere, wildcardMatcher, DEFAULT_MAX, LIMIT_MAX } from "./query";
export type { NormalizedQuery } from "./query";
export { FILTER_OPS } from "./types";
export type { CommitInfo, EventQuery, EventStore, FieldFilter, FilterOp, QueryPage, StoreOptions, StoreState, StoreStatus } from "./types";
export { StoreDatabase } from "./database";
