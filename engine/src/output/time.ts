/**
 * TimeCreated as `YYYY-MM-DDTHH:MM:SS.` plus a fraction of `digits` digits and `Z`.
 * StampedEvent times are milliseconds in a double, which holds about a quarter of a
 * microsecond at today's epoch, so digits past the sixth are always 0 — as in Sysmon for
 * Linux, whose 100 ns clock leaves the last two of nine digits 0 (cli-and-output.md §6).
 *
 * @example
 * formatTimeCreated(Date.UTC(2021, 9, 24, 17, 5, 38, 412.32), 9); // "2021-10-24T17:05:38.412320000Z"
 */
export function formatTimeCreated(epochMs: number, digits: 7 | 9): string {
  const micros = Math.round(epochMs * 1000);
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = micros - seconds * 1_000_000;
  const whole = new Date(seconds * 1000).toISOString().slice(0, 19);
  return `${whole}.${String(fraction).padStart(6, "0")}${digits === 9 ? "000" : "0"}Z`;
}
