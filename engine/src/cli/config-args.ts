// Shared by `config check`, `config dump` and `rules eval`: which platform's Sysmon to
// reproduce, and how a configuration error is printed.
import { PositionedError, SysmonTsError } from "../base";
import { hostPlatform } from "../config";
import type { Platform } from "../config";

export function platformOption(value: string | undefined, command: string): Platform {
  if (value === undefined) return hostPlatform();
  if (value === "linux" || value === "windows") return value;
  throw new SysmonTsError("SYSMONTS_E_USAGE", `${command}: --platform must be linux or windows, not '${value}'`);
}

/** `file:line:col: error: reason [CODE]`, plus a hint where a Windows config meets Linux rules. */
export function describeConfigError(error: SysmonTsError, platform: Platform): string {
  const text = error instanceof PositionedError
    ? `${error.position.file}:${error.position.line}:${error.position.column}: error: ${error.reason} [${error.code}]`
    : `error: ${error.message} [${error.code}]`;
  const hint = platform === "linux" && /not implemented on Linux/.test(error.message) ? "\n(use --platform windows to read a Windows configuration)" : "";
  return `${text}${hint}\n`;
}
