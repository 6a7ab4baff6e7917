import type { StampedEvent } from "../schema";
import { type FieldFilter, compileFilters } from "../store";

/** What a subscriber wants pushed: event IDs and field filters, both optional (AND). */
export interface EventFilter {
  readonly ids?: readonly number[];
  readonly where?: readonly FieldFilter[];
}

type Predicate = (event: StampedEvent) => boolean;

/** The store's own field matching, so Watch-MonitorEvent and Get-MonitorEvent select alike. */
export function compileFilter(filter: EventFilter): Predicate {
  const ids = filter.ids && filter.ids.length > 0 ? new Set(filter.ids) : undefined;
  const fields = compileFilters(filter.where ?? []);
  return (stamped) => (!ids || ids.has(stamped.event.id)) && fields(stamped.event);
}

/** Live event subscribers (Watch-MonitorEvent). A throwing listener is removed, never propagated. */
export class Subscriptions {
  private readonly entries = new Map<number, { predicate: Predicate; listener: (event: StampedEvent) => void }>();
  private nextId = 1;

  get size(): number {
    return this.entries.size;
  }

  add(filter: EventFilter, listener: (event: StampedEvent) => void): () => void {
    const id = this.nextId++;
    this.entries.set(id, { predicate: compileFilter(filter), listener });
    return () => this.entries.delete(id);
  }

  publish(event: StampedEvent): void {
    if (this.entries.size === 0) return;
    for (const [id, entry] of this.entries) {
      try {
        if (entry.predicate(event)) entry.listener(event);
      } catch {
        this.entries.delete(id);
      }
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
