import { RingBufferReader, type RingBufferViews } from "./ringbuf";

const BUSY = 0x80000000;
const DISCARD = 0x40000000;

/** A ring in ordinary memory with the kernel's layout; writes mirror into the second mapping. */
class TestRing {
  readonly views: RingBufferViews;
  producer = 0;

  constructor(readonly size: number) {
    this.views = {
      consumerPosition: new BigUint64Array(1),
      producerPosition: new BigUint64Array(1),
      data: Buffer.alloc(2 * size),
      dataBytes: size,
    };
  }

  /** Reserves and (unless told otherwise) commits a record holding `payload`. */
  write(payload: Buffer, state: "committed" | "busy" | "discarded" = "committed"): number {
    const at = this.producer & (this.size - 1);
    const header = Buffer.alloc(8);
    const bits = state === "busy" ? BUSY : state === "discarded" ? DISCARD : 0;
    header.writeUInt32LE((payload.length | bits) >>> 0, 0);
    this.put(at, Buffer.concat([header, payload]));
    this.producer += (payload.length + 8 + 7) & ~7;
    this.views.producerPosition[0] = BigInt(this.producer);
    return at;
  }

  commit(at: number): void {
    const length = this.views.data.readUInt32LE(at) & 0x3fffffff;
    this.put(at, Buffer.from(new Uint32Array([length]).buffer));
  }

  private put(at: number, bytes: Buffer): void {
    for (let i = 0; i < bytes.length; i++) {
      const offset = (at + i) % this.size;
      this.views.data[offset] = bytes[i]!;
      this.views.data[offset + this.size] = bytes[i]!;
    }
  }

  consumer(): number {
    return Number(this.views.consumerPosition[0]);
  }
}

function collect(reader: RingBufferReader): string[] {
  const seen: string[] = [];
  reader.drain((data, offset, length) => seen.push(data.toString("latin1", offset, offset + length)));
  return seen;
}

describe("RingBufferReader", () => {
  it("hands over committed records in order and releases their 8-aligned space", () => {
    const ring = new TestRing(4096);
    ring.write(Buffer.from("first"));
    ring.write(Buffer.from("second!!"));
    const reader = new RingBufferReader(ring.views);
    expect(reader.pendingBytes()).toBe(16 + 16);
    expect(collect(reader)).toEqual(["first", "second!!"]);
    expect(ring.consumer()).toBe(32);
    expect(collect(reader)).toEqual([]);
  });

  it("stops at a record still being written and resumes once it is committed", () => {
    const ring = new TestRing(4096);
    ring.write(Buffer.from("a"));
    const busy = ring.write(Buffer.from("b"), "busy");
    ring.write(Buffer.from("c"));
    const reader = new RingBufferReader(ring.views);
    expect(collect(reader)).toEqual(["a"]);
    ring.commit(busy);
    expect(collect(reader)).toEqual(["b", "c"]);
  });

  it("skips discarded records but still frees their space", () => {
    const ring = new TestRing(4096);
    ring.write(Buffer.from("gone"), "discarded");
    ring.write(Buffer.from("kept"));
    const reader = new RingBufferReader(ring.views);
    expect(collect(reader)).toEqual(["kept"]);
    expect(ring.consumer()).toBe(ring.producer);
  });

  it("reads records that straddle the end of the data area through the double mapping", () => {
    const ring = new TestRing(64);
    const reader = new RingBufferReader(ring.views);
    ring.write(Buffer.alloc(40, 0x41));
    expect(collect(reader)).toHaveLength(1);
    const straddling = Buffer.from("0123456789abcdefXYZ");
    ring.write(straddling); // starts at 48, ends past 64
    expect(collect(reader)).toEqual([straddling.toString("latin1")]);
  });

  it("honours maxRecords and drains nothing after detach", () => {
    const ring = new TestRing(4096);
    for (let i = 0; i < 5; i++) ring.write(Buffer.from(String(i)));
    const reader = new RingBufferReader(ring.views);
    expect(reader.drain(() => {}, 2)).toBe(2);
    reader.detach();
    expect(reader.drain(() => {})).toBe(0);
    expect(reader.pendingBytes()).toBe(0);
  });

  it("rejects a data area that is not a power of two", () => {
    const views = { ...new TestRing(64).views, dataBytes: 48 };
    expect(() => new RingBufferReader(views)).toThrow(/power of two/);
  });
});
