export { ERROR_CODES, PositionedError, SysmonTsError, asSysmonTsError } from "./errors";
export type { ErrorCode, SourcePosition } from "./errors";
