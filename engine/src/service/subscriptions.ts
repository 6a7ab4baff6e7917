import type { StampedEvent } from "../schema";
import { findEvent } from "../schema";
import type { FieldFilter } from "../store";

/** What a subscriber wants pushed: event IDs and field filters, both optional (AND). */
export interface EventFilter {
  readonly ids?: readonly number[];
  readonly where?: readonly FieldFilter[];
}

type Predicate = (event: StampedEvent) => boolean;

function wildcardToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`, "is");
}

/** A field filter as a function over the event's text values, with the store's case-insensitive semantics. */
function fieldPredicate(filter: FieldFilter): Predicate {
  const wanted = filter.value.toLowerCase();
  const name = filter.field.toLowerCase();
  const test: (value: string) => boolean = (() => {
    switch (filter.op) {
      case "eq":
        return (v: string) => v === wanted;
      case "ne":
        return (v: string) => v !== wanted;
      case "contains":
        return (v: string) => v.includes(wanted);
      case "startswith":
        return (v: string) => v.startsWith(wanted);
      case "endswith":
        return (v: string) => v.endsWith(wanted);
      case "wildcard": {
        const re = wildcardToRegExp(filter.value);
        return (v: string) => re.test(v);
      }
    }
  })();
  return (stamped) => {
    const index = findEvent(stamped.event.id)?.fieldIndexLower.get(name);
    // An event without the field cannot equal anything; "ne" holds for it, as in the store.
    if (index === undefined) return filter.op === "ne";
    return test((stamped.event.values[index] ?? "-").toLowerCase());
  };
}

export function compileFilter(filter: EventFilter): Predicate {
  const ids = filter.ids && filter.ids.length > 0 ? new Set(filter.ids) : undefined;
  const fields = (filter.where ?? []).map(fieldPredicate);
  return (event) => (!ids || ids.has(event.event.id)) && fields.every((p) => p(event));
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
