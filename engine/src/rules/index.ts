// Public surface of the rules stage: the decision for one event and FieldSizes trimming.
export { decide, canInclude, idHasIncludeRules } from "./decide";
export type { Decision } from "./decide";
export { applyFieldSizes, trimToSize } from "./field-sizes";
