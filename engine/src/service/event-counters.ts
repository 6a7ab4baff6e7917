/** Per event ID: what reached the rules, what was kept, excluded, or lost after being kept. */
export interface EventCounts {
  seen: number;
  kept: number;
  excluded: number;
  dropped: number;
}

/**
 * Counters indexed by event ID in a plain array: the hot path increments a number, never
 * allocates or hashes (IDs are 1..255).
 */
export class EventCounters {
  private readonly seen = new Float64Array(256);
  private readonly kept = new Float64Array(256);
  private readonly excluded = new Float64Array(256);
  private readonly dropped = new Float64Array(256);

  countSeen(id: number): void {
    this.seen[id & 0xff]!++;
  }
  countKept(id: number): void {
    this.kept[id & 0xff]!++;
  }
  countExcluded(id: number): void {
    this.excluded[id & 0xff]!++;
  }
  countDropped(id: number): void {
    this.dropped[id & 0xff]!++;
  }

  /** Only the IDs that saw anything, keyed by ID as text (JSON object keys). */
  snapshot(): Record<string, EventCounts> {
    const out: Record<string, EventCounts> = {};
    for (let id = 0; id < 256; id++) {
      const seen = this.seen[id]!;
      const kept = this.kept[id]!;
      if (seen === 0 && kept === 0) continue;
      out[String(id)] = { seen, kept, excluded: this.excluded[id]!, dropped: this.dropped[id]! };
    }
    return out;
  }
}
