/**
 * The process cache of spec/cli-and-output.md §8: PID → entries, newest first, each with its
 * GUID and the facts of its ProcessCreate, so that events that carry only a PID get Image,
 * User and ProcessGuid, and children get their Parent* fields.
 *
 * - add: every exec (even one the rules will drop) and every /proc lookup; the PID's live
 *   entries are marked removed at the new entry's time.
 * - markExited: on ProcessTerminate, after its event is built; entries removed more than 60 s
 *   before the current event time are purged.
 * - lookup(pid, T): the newest entry with createTime ≤ T that is live or was removed less
 *   than 0.5 s before T. Newest-first means that with PID reuse or a second exec the entry
 *   whose window starts latest (the narrowest) wins, while a late event of the old process
 *   still finds the removed entry inside its 0.5 s grace window.
 */

export interface ProcessFacts {
  readonly pid: number;
  readonly guid: string;
  /** Process start, ms since the epoch. */
  readonly createTimeMs: number;
  /**
   * Tolerance on the create-time test. /proc start times are tick-precise and based on an
   * integer btime, so they can be up to ~1 s earlier than the kernel's (spec/events.md §5.3);
   * a tolerance keeps the first events of such a process from missing its entry.
   */
  readonly createSlackMs: number;
  /** Full image path, or "" when unknown. */
  readonly image: string;
  readonly commandLine: string;
  readonly currentDirectory: string;
  /** Real uid, -1 when unknown. */
  readonly uid: number;
  readonly parentPid: number;
  readonly sessionId: number;
  readonly ttyIndex: number;
  readonly loginUid: number;
  /** Windows: the account name of the token's user, which has no uid (spec/events.md §4, "User"). */
  readonly user?: string;
}

export interface ProcessEntry extends ProcessFacts {
  /** ms since the epoch; Infinity while live. */
  removedAtMs: number;
  /** Per-process DNS de-duplication (spec/events.md §4, DnsQuery), created on first use. */
  dnsSeen: Set<string> | null;
}

/** Removed entries stay findable for this long after their removal (spec §8). */
export const REMOVED_GRACE_MS = 500;
/** Removed entries are purged this long after their removal (spec §8). */
export const PURGE_AFTER_MS = 60_000;
/** Entries kept per PID, newest first: exec chains in one PID cannot grow without bound. */
const MAX_ENTRIES_PER_PID = 8;

export interface ProcessCacheStats {
  readonly pids: number;
  readonly entries: number;
  readonly added: number;
  readonly purged: number;
}

export class ProcessCache {
  private readonly byPid = new Map<number, ProcessEntry[]>();
  /** PIDs with removed entries, in removal order, for the 60 s purge. */
  private readonly removals: { pid: number; atMs: number }[] = [];
  private removalHead = 0;
  private entryCount = 0;
  private addedCount = 0;
  private purgedCount = 0;

  add(facts: ProcessFacts, nowMs: number): ProcessEntry {
    const entry: ProcessEntry = { ...facts, removedAtMs: Infinity, dnsSeen: null };
    let list = this.byPid.get(facts.pid);
    if (list === undefined) {
      list = [];
      this.byPid.set(facts.pid, list);
    } else {
      let marked = false;
      for (const old of list) {
        if (old.removedAtMs === Infinity) {
          old.removedAtMs = nowMs;
          marked = true;
        }
      }
      if (marked) this.removals.push({ pid: facts.pid, atMs: nowMs });
      if (list.length >= MAX_ENTRIES_PER_PID) {
        this.entryCount -= list.length - (MAX_ENTRIES_PER_PID - 1);
        list.length = MAX_ENTRIES_PER_PID - 1;
      }
    }
    list.unshift(entry);
    this.entryCount++;
    this.addedCount++;
    return entry;
  }

  /** Marks the PID's live entries removed at `timeMs`, then purges what expired by then. */
  markExited(pid: number, timeMs: number): void {
    const list = this.byPid.get(pid);
    if (list !== undefined) {
      let marked = false;
      for (const entry of list) {
        if (entry.removedAtMs === Infinity) {
          entry.removedAtMs = timeMs;
          marked = true;
        }
      }
      if (marked) this.removals.push({ pid, atMs: timeMs });
    }
    this.purge(timeMs);
  }

  /** The entry for `pid` at time `timeMs` (see the module comment), or undefined. */
  lookup(pid: number, timeMs: number): ProcessEntry | undefined {
    const list = this.byPid.get(pid);
    if (list === undefined) return undefined;
    for (const entry of list) {
      if (timeMs + entry.createSlackMs < entry.createTimeMs) continue;
      if (entry.removedAtMs === Infinity || timeMs < entry.removedAtMs + REMOVED_GRACE_MS) return entry;
    }
    return undefined;
  }

  /** The newest entry for `pid`, live or not (lookup without a time). */
  newest(pid: number): ProcessEntry | undefined {
    return this.byPid.get(pid)?.[0];
  }

  /** Drops entries removed more than 60 s before `nowMs`. */
  purge(nowMs: number): void {
    const cutoff = nowMs - PURGE_AFTER_MS;
    while (this.removalHead < this.removals.length) {
      const next = this.removals[this.removalHead];
      if (next === undefined || next.atMs > cutoff) break;
      this.removalHead++;
      const list = this.byPid.get(next.pid);
      if (list === undefined) continue;
      const kept = list.filter((e) => e.removedAtMs === Infinity || e.removedAtMs > cutoff);
      const dropped = list.length - kept.length;
      this.entryCount -= dropped;
      this.purgedCount += dropped;
      if (kept.length === 0) this.byPid.delete(next.pid);
      else if (dropped > 0) this.byPid.set(next.pid, kept);
    }
    if (this.removalHead > 1024 && this.removalHead * 2 > this.removals.length) {
      this.removals.splice(0, this.removalHead);
      this.removalHead = 0;
    }
  }

  stats(): ProcessCacheStats {
    return { pids: this.byPid.size, entries: this.entryCount, added: this.addedCount, purged: this.purgedCount };
  }

  clear(): void {
    this.byPid.clear();
    this.removals.length = 0;
    this.removalHead = 0;
    this.entryCount = 0;
  }
}
