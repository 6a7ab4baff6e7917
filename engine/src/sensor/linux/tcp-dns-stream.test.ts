import type { DnsRecord } from "../records";
import { TcpDnsReassembler, type TcpDnsSegment } from "./tcp-dns-stream";

const actor = { pid: 42, tid: 42, uid: 0 };

function segment(bytes: number[], options: { outgoing?: boolean; stream?: number; segmentLength?: number; pid?: number } = {}): TcpDnsSegment {
  return {
    kind: "tcp-dns-segment",
    timeMs: 1000,
    actor: { ...actor, pid: options.pid ?? actor.pid },
    outgoing: options.outgoing ?? true,
    stream: options.stream ?? 7,
    segmentLength: options.segmentLength ?? bytes.length,
    bytes: new Uint8Array(bytes),
  };
}

function collect(reassembler: TcpDnsReassembler, segments: TcpDnsSegment[]): DnsRecord[] {
  const out: DnsRecord[] = [];
  for (const s of segments) reassembler.push(s, (r) => out.push(r));
  return out;
}

describe("TcpDnsReassembler", () => {
  it("joins glibc's writev of [length, query] into one message", () => {
    const messages = collect(new TcpDnsReassembler(), [segment([0, 3]), segment([0xaa, 0xbb, 0xcc])]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ kind: "dns", transport: "tcp", outgoing: true, actor });
    expect(Array.from(messages[0]!.message)).toEqual([0xaa, 0xbb, 0xcc]);
  });

  it("splits two framed messages in one segment and keeps a partial third", () => {
    const reassembler = new TcpDnsReassembler();
    const first = collect(reassembler, [segment([0, 1, 9, 0, 2, 8, 8, 0, 3, 1])]);
    expect(first.map((m) => Array.from(m.message))).toEqual([[9], [8, 8]]);
    const rest = collect(reassembler, [segment([2, 3])]);
    expect(rest.map((m) => Array.from(m.message))).toEqual([[1, 2, 3]]);
  });

  it("keeps directions, streams and processes apart", () => {
    const reassembler = new TcpDnsReassembler();
    const out = collect(reassembler, [
      segment([0, 2, 1], { outgoing: true }),
      segment([0, 2, 5], { outgoing: false }),
      segment([0, 2, 6], { stream: 8 }),
      segment([0, 2, 7], { pid: 43 }),
      segment([1], { outgoing: true }),
      segment([5], { outgoing: false }),
    ]);
    expect(out.map((m) => [m.outgoing, Array.from(m.message)])).toEqual([
      [true, [1, 1]],
      [false, [5, 5]],
    ]);
  });

  it("drops a stream whose segment the kernel side cut, and counts it", () => {
    const reassembler = new TcpDnsReassembler();
    const out = collect(reassembler, [segment([0, 200, 1, 2], { segmentLength: 202 }), segment([0, 1, 4])]);
    expect(out.map((m) => Array.from(m.message))).toEqual([[4]]);
    expect(reassembler.dropped).toBe(1);
  });

  it("holds a bounded number of partial streams", () => {
    const reassembler = new TcpDnsReassembler({ maxStreams: 2 });
    collect(reassembler, [segment([0, 5], { stream: 1 }), segment([0, 5], { stream: 2 }), segment([0, 5], { stream: 3 })]);
    expect(reassembler.dropped).toBe(1);
    // stream 1 was evicted: its continuation is framed as a fresh message start
    expect(collect(reassembler, [segment([1, 2, 3, 4, 5], { stream: 2 })]).map((m) => m.message.length)).toEqual([5]);
  });
});
