/**
 * Every error the engine reports on purpose, listed once. The CLI maps `exitCode` to its exit
 * status, JSON-RPC puts `code` in the error object's `data`, and the PowerShell module uses it
 * as the FullyQualifiedErrorId with `category` as the ErrorCategory.
 * Exit codes follow Sysmon where it has one: 87 (ERROR_INVALID_PARAMETER) for a bad command
 * line, 740 (ERROR_ELEVATION_REQUIRED) when root is needed (spec/cli-and-output.md §11).
 */
export const ERROR_CODES = {
  SYSMONTS_E_USAGE: { exitCode: 87, category: "InvalidArgument", meaning: "the command line is not valid" },
  SYSMONTS_E_CONFIG_XML: { exitCode: 1, category: "ParserError", meaning: "the configuration is not well-formed XML or is not a Sysmon configuration" },
  SYSMONTS_E_CONFIG_SCHEMA: { exitCode: 1, category: "InvalidData", meaning: "the schemaversion attribute is missing, malformed or not supported" },
  SYSMONTS_E_CONFIG_FIELD: { exitCode: 1, category: "InvalidData", meaning: "a rule names a field that the event does not have" },
  SYSMONTS_E_CONFIG_ELEMENT: { exitCode: 1, category: "InvalidData", meaning: "an element or attribute is not part of the configuration grammar" },
  SYSMONTS_E_CONFIG_CONDITION: { exitCode: 1, category: "InvalidData", meaning: "a condition operator is unknown or its value is invalid" },
  SYSMONTS_E_CONFIG_OPTION: { exitCode: 1, category: "InvalidData", meaning: "a top-level option has an invalid value" },
  SYSMONTS_E_CONFIG_LIMIT: { exitCode: 1, category: "LimitsExceeded", meaning: "the configuration exceeds a size limit" },
  SYSMONTS_E_CONFIG_ENCODING: { exitCode: 1, category: "InvalidData", meaning: "the configuration's text encoding cannot be read" },
  SYSMONTS_E_FILE: { exitCode: 1, category: "ReadError", meaning: "a file could not be read or written" },
  SYSMONTS_E_EVENT_UNKNOWN: { exitCode: 1, category: "InvalidArgument", meaning: "the event ID is not in the catalogue" },
  SYSMONTS_E_SENSOR: { exitCode: 3, category: "ResourceUnavailable", meaning: "the kernel sensor could not be loaded or attached" },
  SYSMONTS_E_PRIVILEGE: { exitCode: 740, category: "PermissionDenied", meaning: "the operation needs root or Administrator rights" },
  SYSMONTS_E_STORE: { exitCode: 1, category: "WriteError", meaning: "the event store could not be opened or written" },
  SYSMONTS_E_QUERY: { exitCode: 87, category: "InvalidArgument", meaning: "the event query is not valid" },
  SYSMONTS_E_NOT_RUNNING: { exitCode: 5, category: "ConnectionError", meaning: "the monitor is not running (no control channel to connect to)" },
  SYSMONTS_E_NOT_INSTALLED: { exitCode: 5, category: "ObjectNotFound", meaning: "the monitor is not installed" },
  SYSMONTS_E_ALREADY_INSTALLED: { exitCode: 1, category: "ResourceExists", meaning: "the monitor is already installed" },
  SYSMONTS_E_RPC_PROTOCOL: { exitCode: 1, category: "ProtocolError", meaning: "a control-channel message is malformed" },
  SYSMONTS_E_RPC_DENIED: { exitCode: 4, category: "PermissionDenied", meaning: "the control-channel peer is not allowed to connect" },
  SYSMONTS_E_DRIVER_RECORD: { exitCode: 3, category: "InvalidData", meaning: "a record from the Windows driver is truncated, of an unknown type or inconsistent" },
  SYSMONTS_E_DRIVER_UNAVAILABLE: { exitCode: 3, category: "ResourceUnavailable", meaning: "the SysmonTs kernel driver is not loaded or its device cannot be opened" },
  SYSMONTS_E_WINDOWS_SERVICE: { exitCode: 3, category: "ResourceUnavailable", meaning: "a Windows service or driver operation (SCM, registry) failed" },
  SYSMONTS_E_EVENTLOG: { exitCode: 3, category: "ResourceUnavailable", meaning: "the Windows event-log provider could not be registered (not Windows, or the manifest is not installed)" },
  SYSMONTS_E_BENCH: { exitCode: 1, category: "NotSpecified", meaning: "a benchmark could not run: a tool is missing, the engine did not start or a measurement failed" },
  SYSMONTS_E_INTERNAL: { exitCode: 70, category: "NotSpecified", meaning: "an unexpected internal error" },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A position in a source file, 1-based as editors show it. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export class SysmonTsError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SysmonTsError";
    this.code = code;
    this.details = options.details ?? {};
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exitCode;
  }
}

/**
 * An error tied to a place in a file, printed `file:line:col: message` like a compiler's.
 *
 * @example
 * new PositionedError("SYSMONTS_E_CONFIG_FIELD", "unknown field 'ParentImagee' for ProcessCreate",
 *   { file: "sysmonconfig.xml", line: 214, column: 9 }).toString();
 * // "sysmonconfig.xml:214:9: unknown field 'ParentImagee' for ProcessCreate"
 */
export class PositionedError extends SysmonTsError {
  readonly position: SourcePosition;

  constructor(code: ErrorCode, message: string, position: SourcePosition, options: { details?: Record<string, unknown> } = {}) {
    super(code, `${position.file}:${position.line}:${position.column}: ${message}`, {
      details: { ...options.details, file: position.file, line: position.line, column: position.column, reason: message },
    });
    this.name = "PositionedError";
    this.position = position;
  }

  /** The message without the position prefix. */
  get reason(): string {
    return String(this.details["reason"]);
  }
}

/** Normalises anything thrown into a SysmonTsError, keeping the original as the cause. */
export function asSysmonTsError(thrown: unknown): SysmonTsError {
  if (thrown instanceof SysmonTsError) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new SysmonTsError("SYSMONTS_E_INTERNAL", message, { cause: thrown });
}
