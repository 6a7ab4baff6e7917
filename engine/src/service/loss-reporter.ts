/**
 * Turns loss counters into Error events (ID 255) at most once per second per source, so a
 * storm of drops costs one event a second and is never silent (DESIGN.md: every drop counted).
 */
export interface LossSource {
  /** Stable name that becomes the 255 event's ID field, e.g. "RingBufferFull". */
  readonly id: string;
  /** What was lost, for the Description ("records lost because the kernel ring buffer was full"). */
  readonly what: string;
  /** The running total; the reporter reports increases. */
  readonly total: () => number;
}

export class LossReporter {
  private readonly last = new Map<string, number>();

  constructor(private readonly sources: readonly LossSource[]) {
    for (const source of sources) this.last.set(source.id, source.total());
  }

  /** Calls `report` once per source whose total grew since the last check; run it each second. */
  check(report: (id: string, description: string) => void): void {
    for (const source of this.sources) {
      const total = source.total();
      const previous = this.last.get(source.id) ?? 0;
      if (total > previous) {
        report(source.id, `${total - previous} ${source.what} in the last interval (${total} since start)`);
        this.last.set(source.id, total);
      }
    }
  }
}
