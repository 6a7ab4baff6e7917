/**
 * Which kernel record kinds a set of Sysmon event IDs needs. Process create and exit are always
 * on: the process cache needs them whatever the config says, as Sysmon for Linux always traces
 * execve and exit (linux-sensors.md §1, "Activation").
 */
import { ENABLED_KINDS_SLOTS, RECORD_KIND } from "./layout";

const KINDS_BY_EVENT: ReadonlyMap<number, readonly number[]> = new Map([
  [2, [RECORD_KIND.fileTime]],
  [3, [RECORD_KIND.network]],
  [7, [RECORD_KIND.imageLoad]],
  [9, [RECORD_KIND.rawAccess]],
  [10, [RECORD_KIND.processAccess]],
  [11, [RECORD_KIND.fileCreate]],
  [22, [RECORD_KIND.dns]],
  [23, [RECORD_KIND.fileDelete]],
  // ProcessTampering comes from exec records, which are always on.
  [25, []],
  [26, [RECORD_KIND.fileDelete]],
  [100, [RECORD_KIND.bpf]],
]);

const ALWAYS_ON: readonly number[] = [RECORD_KIND.exec, RECORD_KIND.exit];

/**
 * Programs on the hottest syscalls (mmap, read, write) are attached only while a record kind
 * that needs them is on: an attached tracepoint costs every caller of the syscall, even when the
 * program returns at once, and /bin/true alone makes a dozen of these calls.
 */
export const ON_DEMAND_PROGRAMS: ReadonlyMap<string, number> = new Map([
  ["sysmonts_mmap_enter", RECORD_KIND.imageLoad],
  ["sysmonts_mmap_exit", RECORD_KIND.imageLoad],
  ["sysmonts_read_enter", RECORD_KIND.dns],
  ["sysmonts_read_exit", RECORD_KIND.dns],
  ["sysmonts_write_enter", RECORD_KIND.dns],
  ["sysmonts_write_exit", RECORD_KIND.dns],
  ["sysmonts_writev_enter", RECORD_KIND.dns],
  ["sysmonts_writev_exit", RECORD_KIND.dns],
]);

/** Event IDs this sensor can produce records for. */
export const SENSOR_EVENT_IDS: readonly number[] = [1, 5, ...KINDS_BY_EVENT.keys()];

/** One flag per `enabled_kinds` slot (indexed by record kind): 1 = the kernel produces it. */
export function enabledKindFlags(eventIds: ReadonlySet<number>): Uint32Array {
  const flags = new Uint32Array(ENABLED_KINDS_SLOTS);
  for (const kind of ALWAYS_ON) flags[kind] = 1;
  for (const id of eventIds) {
    for (const kind of KINDS_BY_EVENT.get(id) ?? []) flags[kind] = 1;
  }
  return flags;
}
