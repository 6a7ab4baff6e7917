/**
 * Reads a BPF_MAP_TYPE_RINGBUF from JavaScript through mmap, with no foreign call per record
 * (shared/notes/linux-ebpf.md §4, §9: the measured cheapest drain). The memory layout is kernel
 * UAPI (kernel/bpf/ringbuf.c), the one libbpf, cilium/ebpf and aya read:
 *
 *   map fd offset 0          one page, read-write: consumer_pos (u64)
 *   map fd offset page_size  one page, read-only: producer_pos (u64), then the data area mapped
 *                            twice back to back, so a record never wraps
 *   record                   u32 len (bit 31 busy, bit 30 discarded), u32 page offset, payload;
 *                            records are 8-aligned
 */
import { PROT_READ, PROT_WRITE, viewNative, type NativeCalls, type NativePointer } from "./libbpf";

const BUSY_BIT = 0x80000000;
const DISCARD_BIT = 0x40000000;
const LENGTH_MASK = 0x3fffffff;
const RECORD_HEADER_BYTES = 8;
/** Consumed space is handed back to the kernel at least this often within one drain. */
const RELEASE_EVERY = 256;

/** Receives one record's payload: bytes [offset, offset + length) of `data`, valid only during the call. */
export type RecordVisitor = (data: Buffer, offset: number, length: number) => void;

/** The three shared views a ring buffer consists of, however they were mapped. */
export interface RingBufferViews {
  /** consumer_pos, written by us. */
  readonly consumerPosition: BigUint64Array;
  /** producer_pos, written by the kernel. */
  readonly producerPosition: BigUint64Array;
  /** The data area, mapped twice (2 × dataBytes). */
  readonly data: Buffer;
  readonly dataBytes: number;
}

export class RingBufferReader {
  #views: RingBufferViews | null;
  readonly #headers: Int32Array;
  readonly #mask: number;

  constructor(views: RingBufferViews) {
    if (views.dataBytes <= 0 || (views.dataBytes & (views.dataBytes - 1)) !== 0) {
      throw new RangeError(`ring buffer size ${views.dataBytes} is not a power of two`);
    }
    this.#views = views;
    this.#headers = new Int32Array(views.data.buffer, views.data.byteOffset, views.data.byteLength >>> 2);
    this.#mask = views.dataBytes - 1;
  }

  /** Bytes produced but not yet consumed. */
  pendingBytes(): number {
    const views = this.#views;
    if (views === null) return 0;
    return Number(Atomics.load(views.producerPosition, 0) - Atomics.load(views.consumerPosition, 0));
  }

  /**
   * Hands every committed record to `visit` and frees its space; stops at a record the kernel is
   * still writing. Returns the number of records visited (discarded ones are skipped).
   */
  drain(visit: RecordVisitor, maxRecords = Number.POSITIVE_INFINITY): number {
    const views = this.#views;
    if (views === null) return 0;
    const { consumerPosition, producerPosition, data } = views;
    const headers = this.#headers;
    const mask = this.#mask;
    let consumer = Number(Atomics.load(consumerPosition, 0));
    let producer = Number(Atomics.load(producerPosition, 0));
    let visited = 0;
    let sinceRelease = 0;
    try {
      while (consumer < producer && visited < maxRecords) {
        const offset = consumer & mask;
        // Atomics.load orders the header read before the payload reads (acquire).
        const header = Atomics.load(headers, offset >>> 2) >>> 0;
        if ((header & BUSY_BIT) !== 0) break;
        const length = header & LENGTH_MASK;
        if ((header & DISCARD_BIT) === 0) {
          visit(data, offset + RECORD_HEADER_BYTES, length);
          visited += 1;
        }
        consumer += (length + RECORD_HEADER_BYTES + 7) & ~7;
        if (++sinceRelease >= RELEASE_EVERY) {
          Atomics.store(consumerPosition, 0, BigInt(consumer));
          sinceRelease = 0;
        }
        if (consumer >= producer) producer = Number(Atomics.load(producerPosition, 0));
      }
    } finally {
      Atomics.store(consumerPosition, 0, BigInt(consumer));
    }
    return visited;
  }

  /** Drops the views; drain() returns 0 afterwards. */
  detach(): void {
    this.#views = null;
  }
}

/** A ring buffer mapped from a map fd; close() unmaps it. */
export class MappedRingBuffer implements Disposable {
  readonly reader: RingBufferReader;
  readonly #calls: NativeCalls;
  #mappings: Array<{ address: NativePointer; length: number }>;

  private constructor(calls: NativeCalls, reader: RingBufferReader, mappings: Array<{ address: NativePointer; length: number }>) {
    this.#calls = calls;
    this.reader = reader;
    this.#mappings = mappings;
  }

  /** Maps the ring buffer of `mapFd` whose data area is `dataBytes` (the map's max_entries). */
  static map(calls: NativeCalls, mapFd: number, dataBytes: number): MappedRingBuffer | { error: string } {
    const page = calls.pageSize();
    const consumer = calls.mmap(page, PROT_READ | PROT_WRITE, mapFd, 0);
    if (consumer === null) return { error: `mmap of the ring buffer's consumer page failed: ${calls.strerror(calls.errno())}` };
    const producerLength = page + 2 * dataBytes;
    const producer = calls.mmap(producerLength, PROT_READ, mapFd, page);
    if (producer === null) {
      const reason = calls.strerror(calls.errno());
      calls.munmap(consumer, page);
      return { error: `mmap of the ring buffer's data pages failed: ${reason}` };
    }
    const consumerView = viewNative(consumer, page);
    const producerView = viewNative(producer, producerLength);
    const reader = new RingBufferReader({
      consumerPosition: new BigUint64Array(consumerView, 0, 1),
      producerPosition: new BigUint64Array(producerView, 0, 1),
      data: Buffer.from(producerView, page, 2 * dataBytes),
      dataBytes,
    });
    return new MappedRingBuffer(calls, reader, [
      { address: consumer, length: page },
      { address: producer, length: producerLength },
    ]);
  }

  /**
   * Unmaps. Safe because the views never leave this module: records are decoded into copies
   * during drain, and the reader drops its views first, so no JS object can touch the pages
   * afterwards (touching unmapped views is what crashes, notes §8.5).
   */
  close(): void {
    this.reader.detach();
    for (const mapping of this.#mappings) this.#calls.munmap(mapping.address, mapping.length);
    this.#mappings = [];
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
