import type { RawRecord, Sensor, SensorCounters } from "../records";
import { CompositeSensor } from "./composite-sensor";

/** An in-memory record source with fixed counters (the real parts need Windows). */
class ListSensor implements Sensor {
  enabled: ReadonlySet<number> = new Set();
  closed = false;
  constructor(
    private readonly records: RawRecord[],
    private readonly counts: SensorCounters,
    private readonly failOnClose = false,
  ) {}
  drain(onRecord: (record: RawRecord) => void): number {
    const taken = this.records.splice(0);
    taken.forEach(onRecord);
    return taken.length;
  }
  counters(): SensorCounters {
    return this.counts;
  }
  setEnabledEvents(eventIds: ReadonlySet<number>): void {
    this.enabled = eventIds;
  }
  close(): void {
    this.closed = true;
    if (this.failOnClose) throw new Error("close failed");
  }
}

const exit = (pid: number): RawRecord => ({ kind: "exit", timeMs: 0, actor: { pid, tid: 0, uid: 0 }, process: { pid, startTimeMs: 0, processKey: 0n }, exitCode: 0 });

describe("CompositeSensor", () => {
  it("drains every part in order and adds their counters", () => {
    const a = new ListSensor([exit(1), exit(2)], { produced: 5, lostRingBuffer: 1, malformed: 0 });
    const b = new ListSensor([exit(3)], { produced: 2, lostRingBuffer: 3, malformed: 4 });
    const both = new CompositeSensor([a, b]);
    const pids: number[] = [];
    expect(both.drain((r) => pids.push(r.actor.pid))).toBe(3);
    expect(pids).toEqual([1, 2, 3]);
    expect(both.counters()).toEqual({ produced: 7, lostRingBuffer: 4, malformed: 4 });
    both.setEnabledEvents(new Set([1, 27]));
    expect([...a.enabled]).toEqual([1, 27]);
    expect([...b.enabled]).toEqual([1, 27]);
  });

  it("closes every part even when one fails, then reports the failure", () => {
    const a = new ListSensor([], { produced: 0, lostRingBuffer: 0, malformed: 0 });
    const b = new ListSensor([], { produced: 0, lostRingBuffer: 0, malformed: 0 }, true);
    const both = new CompositeSensor([a, b]);
    expect(() => both[Symbol.dispose]()).toThrow("close failed");
    expect(a.closed && b.closed).toBe(true);
  });
});
