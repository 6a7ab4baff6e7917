// FieldSizes trimming (config.md §3.1), applied after the decision, to output only.

import type { ConfigOptions } from "../config";
import type { SysmonEvent } from "../schema";

/**
 * Sysmon's TrimStringToNChars: a value longer than `max` becomes its first max−3 characters
 * plus "...", "-" when max is 1 or 2, and "" when max is 0. Sysmon for Linux counts UTF-8
 * bytes and may split a character; we count UTF-16 units and never produce broken text.
 *
 * @example
 * trimToSize("ABCDEFGHIJKLMN", 5); // "AB..."
 */
export function trimToSize(value: string, max: number): string {
  if (max < 0 || value.length <= max) return value;
  if (max === 0) return "";
  if (max <= 2) return "-";
  return `${value.slice(0, max - 3)}...`;
}

/**
 * Returns the event with FieldSizes limits applied: the same object when nothing needs
 * trimming, otherwise a copy (the caller's event is never modified).
 */
export function applyFieldSizes(options: Pick<ConfigOptions, "fieldLimits">, event: SysmonEvent): SysmonEvent {
  const limits = options.fieldLimits.get(event.id);
  if (!limits) return event;
  let values: string[] | undefined;
  for (const [index, max] of limits) {
    const value = event.values[index];
    if (value === undefined || value.length <= max) continue;
    values ??= [...event.values];
    values[index] = trimToSize(value, max);
  }
  return values ? { id: event.id, values } : event;
}
