/**
 * For the engine's tests: an in-memory Sensor standing in for the Windows driver and clipboard
 * agent, which need Windows. Tests push RawRecords into `pending`; the engine drains them.
 */
import type { RawRecord, Sensor, SensorCounters } from "../sensor";

export class RecordSource implements Sensor {
  readonly pending: RawRecord[] = [];
  enabled: ReadonlySet<number> = new Set();
  closed = false;

  drain(onRecord: (record: RawRecord) => void): number {
    const records = this.pending.splice(0);
    records.forEach(onRecord);
    return records.length;
  }

  counters(): SensorCounters {
    return { produced: 0, lostRingBuffer: 0, malformed: 0 };
  }

  setEnabledEvents(eventIds: ReadonlySet<number>): void {
    this.enabled = eventIds;
  }

  close(): void {
    this.closed = true;
  }
}
