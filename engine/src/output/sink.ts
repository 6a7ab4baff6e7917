import type { StampedEvent } from "../schema";

export interface SinkStats {
  /** Events handed to the transport (written to the socket or file). */
  readonly sent: number;
  /** Events given up on: the queue was full, or the sink closed with events still queued. */
  readonly dropped: number;
  readonly queued: number;
  /** "connected", "connecting", "retrying: <reason>", "closed". */
  readonly state: string;
}

/** Thrown by a transport that sent the first `sentBeforeFailure` events of a batch before failing. */
export function partialFailure(error: unknown, sentBeforeFailure: number): Error {
  const message = error instanceof Error ? error.message : String(error);
  return Object.assign(new Error(message, { cause: error }), { sentBeforeFailure });
}

/** Where kept events go besides the store. write() never blocks and never throws. */
export interface Sink {
  readonly name: string;
  write(event: StampedEvent): void;
  stats(): SinkStats;
  close(): Promise<void>;
}

export interface QueuedSinkOptions {
  /** Events held while the destination is slow or away; beyond this they are dropped and counted. */
  readonly queueCapacity?: number;
  /** Most events handed to the transport in one go. */
  readonly batchSize?: number;
  /** First and largest wait between attempts while the destination is away. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

/**
 * The shared half of every sink: a bounded queue filled by write(), drained off the caller's
 * stack one batch at a time, and retried with exponential backoff when the transport fails.
 * A failed batch goes back to the head of the queue, so what is not sent is either still
 * queued or counted as dropped.
 */
export abstract class QueuedSink implements Sink, AsyncDisposable {
  abstract readonly name: string;
  protected state = "connecting";
  private queue: StampedEvent[] = [];
  private sending = false;
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay: number;
  private sent = 0;
  private dropped = 0;
  private closing = false;
  private readonly capacity: number;
  private readonly batchSize: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private idleWaiters: (() => void)[] = [];

  constructor(options: QueuedSinkOptions) {
    this.capacity = options.queueCapacity ?? 10_000;
    this.batchSize = options.batchSize ?? 256;
    this.retryMinMs = options.retryMinMs ?? 250;
    this.retryMaxMs = options.retryMaxMs ?? 30_000;
    this.retryDelay = this.retryMinMs;
  }

  /** Hands a batch to the destination; rejects when it could not (then the batch is retried). */
  protected abstract transmit(events: readonly StampedEvent[]): Promise<void>;
  /** Releases the transport. */
  protected abstract shutdown(): Promise<void>;

  write(event: StampedEvent): void {
    if (this.closing || this.queue.length >= this.capacity) {
      this.dropped++;
      return;
    }
    this.queue.push(event);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.sending || this.retryTimer !== null) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize);
      try {
        await this.transmit(batch);
        this.sent += batch.length;
        this.retryDelay = this.retryMinMs;
      } catch (error) {
        // What went out before the failure is sent; the rest goes back to the head of the
        // queue, trimming the newest beyond capacity (counted).
        const partial = Math.min(batch.length, (error as { sentBeforeFailure?: number }).sentBeforeFailure ?? 0);
        this.sent += partial;
        this.queue = batch.slice(partial).concat(this.queue);
        if (this.queue.length > this.capacity) this.dropped += this.queue.splice(this.capacity).length;
        this.state = `retrying: ${(error as Error).message}`;
        if (!this.closing) {
          this.retryTimer = setTimeout(() => {
            this.retryTimer = null;
            void this.drain();
          }, this.retryDelay);
          this.retryDelay = Math.min(this.retryMaxMs, this.retryDelay * 2);
        }
        break;
      }
    }
    this.sending = false;
    if (this.queue.length === 0 || this.closing) {
      for (const resolve of this.idleWaiters) resolve();
      this.idleWaiters = [];
    }
  }

  /** Resolves once the queue is empty or the sink is retrying (tests and close use it). */
  drained(): Promise<void> {
    if (this.queue.length === 0 && !this.sending) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): SinkStats {
    return { sent: this.sent, dropped: this.dropped, queued: this.queue.length, state: this.state };
  }

  /** Sends what it can within `graceMs`, counts the rest as dropped, and releases the transport. */
  async close(options: { graceMs?: number } = {}): Promise<void> {
    if (this.closing) return;
    if (this.retryTimer === null) {
      await Promise.race([this.drained(), new Promise((r) => setTimeout(r, options.graceMs ?? 2000).unref())]);
    }
    this.closing = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    while (this.sending) await new Promise((r) => setTimeout(r, 5));
    this.dropped += this.queue.length;
    this.queue = [];
    await this.shutdown();
    this.state = "closed";
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
