import type { RawRecord, Sensor, SensorCounters } from "../records";

/**
 * Several sensors fed to the engine as one: on Windows the driver client and the ETW sessions.
 * Counters add up, so a loss anywhere reaches the engine's loss reporter.
 */
export class CompositeSensor implements Sensor, Disposable {
  private readonly parts: readonly Sensor[];

  constructor(parts: readonly Sensor[]) {
    this.parts = [...parts];
  }

  drain(onRecord: (record: RawRecord) => void): number {
    let n = 0;
    for (const part of this.parts) n += part.drain(onRecord);
    return n;
  }

  counters(): SensorCounters {
    let produced = 0;
    let lostRingBuffer = 0;
    let malformed = 0;
    for (const part of this.parts) {
      const c = part.counters();
      produced += c.produced;
      lostRingBuffer += c.lostRingBuffer;
      malformed += c.malformed;
    }
    return { produced, lostRingBuffer, malformed };
  }

  setEnabledEvents(eventIds: ReadonlySet<number>): void {
    for (const part of this.parts) part.setEnabledEvents(eventIds);
  }

  /** Closes every part in reverse order, even when one of them throws; rethrows the first error. */
  close(): void {
    let first: unknown;
    for (const part of [...this.parts].reverse()) {
      try {
        part.close();
      } catch (error) {
        first ??= error;
      }
    }
    if (first !== undefined) throw first;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
