function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/**
 * Sysmon's UtcTime text: `YYYY-MM-DD HH:MM:SS.mmm` in UTC, milliseconds truncated
 * (spec/events.md §1). Takes milliseconds since the epoch; fractions are dropped.
 *
 * @example
 * formatUtcTime(Date.UTC(2024, 0, 2, 3, 4, 5, 678.9)); // "2024-01-02 03:04:05.678"
 */
export function formatUtcTime(epochMs: number): string {
  const d = new Date(Math.trunc(epochMs));
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}`
  );
}
