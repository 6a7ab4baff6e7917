/**
 * Kernel times are CLOCK_BOOTTIME nanoseconds (bpf_ktime_get_boot_ns, and task->start_boottime,
 * which /proc/<pid>/stat field 22 also shows). They become wall-clock ms by adding
 * CLOCK_REALTIME − CLOCK_BOOTTIME, measured once when the sensor opens, as Sysmon for Linux does
 * (linux-sensors.md §1, "Times"): a later clock step shifts records by the same amount, which is
 * the documented upstream behaviour, and no per-record clock call is made.
 */
import { CLOCK_BOOTTIME, CLOCK_REALTIME, type NativeCalls } from "./libbpf";

/** Several bracketed samples; the one with the narrowest bracket is the most exact. */
const SAMPLES = 5;

function readNs(calls: NativeCalls, clock: number): number | null {
  const time = calls.clockGetTime(clock);
  return time === null ? null : time.seconds * 1e9 + time.nanoseconds;
}

/** Wall-clock ms at boot; null when the clocks cannot be read. */
export function measureBootToWallMs(calls: NativeCalls): number | null {
  let best: { width: number; offsetNs: number } | null = null;
  for (let i = 0; i < SAMPLES; i++) {
    const before = readNs(calls, CLOCK_BOOTTIME);
    const wall = readNs(calls, CLOCK_REALTIME);
    const after = readNs(calls, CLOCK_BOOTTIME);
    if (before === null || wall === null || after === null) return null;
    const width = after - before;
    if (best === null || width < best.width) best = { width, offsetNs: wall - (before + after) / 2 };
  }
  return best === null ? null : best.offsetNs / 1e6;
}
