/**
 * DNS over TCP arrives as pieces of a byte stream: the kernel side reports each segment a
 * read/write/send/recv moved on a connection to port 53, and here they are cut back into DNS
 * messages by their 2-byte length prefix (RFC 1035 §4.2.2). glibc, for one, writes the prefix
 * and the query as two segments and reads the answer's prefix before the answer.
 */
import type { DnsRecord, RecordActor } from "../records";

/** One segment of a port-53 TCP stream, as decoded from a dns record with protocol TCP. */
export interface TcpDnsSegment {
  readonly kind: "tcp-dns-segment";
  readonly timeMs: number;
  readonly actor: RecordActor;
  readonly outgoing: boolean;
  /** Identifies the connection (derived from the kernel socket address). */
  readonly stream: number;
  /** Bytes the call moved; more than `bytes.length` when the kernel side cut the copy. */
  readonly segmentLength: number;
  readonly bytes: Uint8Array;
}

export interface TcpDnsReassemblerOptions {
  /** Streams with a partial message held at once; the oldest is dropped beyond it. Default 1024. */
  readonly maxStreams?: number;
}

const MAX_FRAME = 2 + 0xffff;

export class TcpDnsReassembler {
  readonly #maxStreams: number;
  readonly #partial = new Map<string, Uint8Array>();
  #dropped = 0;

  constructor(options: TcpDnsReassemblerOptions = {}) {
    this.#maxStreams = options.maxStreams ?? 1024;
  }

  /** Segments whose bytes were lost (cut by the kernel side or evicted) and could not become messages. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Adds a segment; calls `onMessage` with a DnsRecord for each message it completes. */
  push(segment: TcpDnsSegment, onMessage: (record: DnsRecord) => void): void {
    const key = `${segment.actor.pid}:${segment.stream}:${segment.outgoing ? 1 : 0}`;
    const held = this.#partial.get(key);
    this.#partial.delete(key);
    if (segment.segmentLength > segment.bytes.length) {
      // Part of the stream is missing: the framing after it is unknowable, so what is held and
      // this segment are dropped, and the stream restarts at the next segment.
      this.#dropped += 1;
      return;
    }
    let buffer = held === undefined ? segment.bytes : concat(held, segment.bytes);
    while (buffer.length >= 2) {
      const frame = 2 + ((buffer[0]! << 8) | buffer[1]!);
      if (buffer.length < frame) break;
      const record: DnsRecord = {
        kind: "dns",
        timeMs: segment.timeMs,
        actor: segment.actor,
        transport: "tcp",
        outgoing: segment.outgoing,
        message: buffer.slice(2, frame),
      };
      onMessage(record);
      buffer = buffer.subarray(frame);
    }
    if (buffer.length === 0) return;
    if (buffer.length > MAX_FRAME) {
      this.#dropped += 1;
      return;
    }
    if (this.#partial.size >= this.#maxStreams) {
      const oldest = this.#partial.keys().next().value;
      if (oldest !== undefined) this.#partial.delete(oldest);
      this.#dropped += 1;
    }
    this.#partial.set(key, buffer.slice());
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}
