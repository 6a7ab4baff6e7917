import { parseDnsMessage, ipv6CompressedText } from "./dns-message";
import { DnsTracker, queryResultsText, queryStatusText, type DnsOutcome } from "./dns";

/** Encodes a name as uncompressed labels. */
function name(text: string): number[] {
  const out: number[] = [];
  for (const label of text.split(".")) {
    const bytes = [...Buffer.from(label, "utf8")];
    out.push(bytes.length, ...bytes);
  }
  out.push(0);
  return out;
}
const u16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const u32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

function header(id: number, flags: number, qd: number, an: number): number[] {
  return [...u16(id), ...u16(flags), ...u16(qd), ...u16(an), ...u16(0), ...u16(0)];
}

function query(id: number, qname: string, qtype = 1): Uint8Array {
  return Uint8Array.from([...header(id, 0x0100, 1, 0), ...name(qname), ...u16(qtype), ...u16(1)]);
}

/** A response to `www.example.com` A: CNAME to edge.example.net (compressed owner), then two A and one AAAA. */
function response(id: number, rcode = 0): Uint8Array {
  const question = name("www.example.com"); // at offset 12
  const edge = name("edge.example.net");
  const cname = [0xc0, 12, ...u16(5), ...u16(1), ...u32(60), ...u16(edge.length), ...edge];
  const edgeOffset = 12 + question.length + 4 + 12; // where the CNAME's target name starts
  const a1 = [0xc0, edgeOffset, ...u16(1), ...u16(1), ...u32(60), ...u16(4), 93, 184, 216, 34];
  const a2 = [0xc0, edgeOffset, ...u16(1), ...u16(1), ...u32(60), ...u16(4), 10, 0, 0, 1];
  const aaaa = [0xc0, edgeOffset, ...u16(28), ...u16(1), ...u32(60), ...u16(16), 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const flags = 0x8180 | rcode;
  return Uint8Array.from([...header(id, flags, 1, 4), ...question, ...u16(1), ...u16(1), ...cname, ...a1, ...a2, ...aaaa]);
}

describe("parseDnsMessage", () => {
  it("reads a query", () => {
    expect(parseDnsMessage(query(0xbeef, "example.com", 28))).toEqual({
      id: 0xbeef, isResponse: false, opcode: 0, rcode: 0, truncated: false,
      questions: [{ name: "example.com", type: 28 }], answers: [],
    });
  });

  it("reads a response with compression pointers, CNAME, A and AAAA", () => {
    const message = parseDnsMessage(response(7));
    expect(message?.isResponse).toBe(true);
    expect(message?.answers).toEqual([
      { name: "www.example.com", type: 5, data: "edge.example.net" },
      { name: "edge.example.net", type: 1, data: "93.184.216.34" },
      { name: "edge.example.net", type: 1, data: "10.0.0.1" },
      { name: "edge.example.net", type: 28, data: "2001:db8::1" },
    ]);
  });

  it("never throws on truncated, looping or random input", () => {
    const full = response(9);
    for (let length = 0; length <= full.length; length++) {
      const message = parseDnsMessage(full.subarray(0, length));
      if (length < 12) expect(message).toBeNull();
      if (message !== null) expect(message.answers.length).toBeLessThanOrEqual(4);
    }
    // A pointer to itself, and a pointer forward: rejected.
    expect(parseDnsMessage(Uint8Array.from([...header(1, 0, 1, 0), 0xc0, 12, 0, 1, 0, 1]))).toBeNull();
    expect(parseDnsMessage(Uint8Array.from([...header(1, 0, 1, 0), 0xc0, 20, 0, 1, 0, 1, 0, 0, 0, 0]))).toBeNull();
    // Reserved label type, oversized counts, overlong name.
    expect(parseDnsMessage(Uint8Array.from([...header(1, 0, 1, 0), 0x80, 0, 0, 1, 0, 1]))).toBeNull();
    expect(parseDnsMessage(Uint8Array.from([...header(1, 0x8000, 0, 65535)]))?.answers).toEqual([]);
    const longName = Array.from({ length: 10 }, () => "a".repeat(60)).join(".");
    expect(parseDnsMessage(query(1, longName))).toBeNull();
    let seed = 12345;
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(12 + (i % 200));
      for (let j = 0; j < bytes.length; j++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        bytes[j] = seed >>> 24;
      }
      expect(() => parseDnsMessage(bytes)).not.toThrow();
    }
  });

  it("keeps hostile label bytes as text", () => {
    expect(parseDnsMessage(query(1, "<script>&\"'.ex;ample"))?.questions[0]?.name).toBe("<script>&\"'.ex;ample");
  });

  it("prints IPv6 like inet_ntop", () => {
    const v6 = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, "hex"));
    expect(ipv6CompressedText(v6("fe800000000000005cb96d15e59260fe"))).toBe("fe80::5cb9:6d15:e592:60fe");
    expect(ipv6CompressedText(v6("00000000000000000000000000000001"))).toBe("::1");
    expect(ipv6CompressedText(v6("00000000000000000000ffffac122605"))).toBe("::ffff:172.18.38.5");
    expect(ipv6CompressedText(v6("20010db8000100000001000000000001"))).toBe("2001:db8:1:0:1::1");
    expect(ipv6CompressedText(v6("20010db8000100010001000100010001"))).toBe("2001:db8:1:1:1:1:1:1");
  });
});

describe("QueryStatus and QueryResults text", () => {
  it("formats as the Windows samples do", () => {
    expect(queryStatusText(0, 2)).toBe("0");
    expect(queryStatusText(3, 0)).toBe("9003");
    expect(queryStatusText(2, 0)).toBe("9002");
    expect(queryStatusText(0, 0)).toBe("9501");
    const answers = parseDnsMessage(response(1))?.answers ?? [];
    // Same shape as "type:  5 arc.msn.com.nsatc.net;::ffff:52.179.129.229;" in the OTRF corpus.
    expect(queryResultsText(answers)).toBe("type:  5 edge.example.net;::ffff:93.184.216.34;::ffff:10.0.0.1;2001:db8::1;");
    expect(queryResultsText([{ name: "x", type: 6, data: "" }])).toBe("type:  6 ;");
    expect(queryResultsText([{ name: "x", type: 12, data: "host.example" }])).toBe("type:  12 host.example;");
    expect(queryResultsText([])).toBe("-");
  });
});

describe("DnsTracker", () => {
  it("pairs a response with its query by pid and transaction id", () => {
    const tracker = new DnsTracker();
    const out: DnsOutcome[] = [];
    tracker.onPacket({ pid: 100, timeMs: 1000, outgoing: true, message: query(42, "www.example.com") }, (o) => out.push(o));
    tracker.onPacket({ pid: 200, timeMs: 1001, outgoing: true, message: query(42, "other.example") }, (o) => out.push(o));
    expect(out).toEqual([]);
    tracker.onPacket({ pid: 100, timeMs: 1010, outgoing: false, message: response(42) }, (o) => out.push(o));
    expect(out).toEqual([{
      pid: 100, timeMs: 1010, queryTimeMs: 1000, queryName: "www.example.com", queryStatus: "0",
      queryResults: "type:  5 edge.example.net;::ffff:93.184.216.34;::ffff:10.0.0.1;2001:db8::1;",
    }]);
    expect(tracker.stats()).toMatchObject({ queries: 2, responses: 1, pending: 1 });
  });

  it("reports an unanswered query as timed out (1460) after the timeout", () => {
    const tracker = new DnsTracker({ timeoutMs: 5000 });
    const out: DnsOutcome[] = [];
    tracker.onPacket({ pid: 100, timeMs: 1000, outgoing: true, message: query(1, "slow.example") }, (o) => out.push(o));
    tracker.expire(5999, (o) => out.push(o));
    expect(out).toEqual([]);
    tracker.expire(6000, (o) => out.push(o));
    expect(out).toEqual([{ pid: 100, timeMs: 6000, queryTimeMs: 1000, queryName: "slow.example", queryStatus: "1460", queryResults: "-" }]);
    // A late response after the timeout has no query left; it is still reported from its question.
    tracker.onPacket({ pid: 100, timeMs: 7000, outgoing: false, message: response(1, 3) }, (o) => out.push(o));
    expect(out[1]).toMatchObject({ queryName: "www.example.com", queryStatus: "9003" });
    expect(tracker.stats()).toMatchObject({ timeouts: 1, unmatchedResponses: 1, pending: 0 });
  });

  it("ignores server-side traffic and counts malformed packets", () => {
    const tracker = new DnsTracker({ maxPending: 2 });
    const out: DnsOutcome[] = [];
    tracker.onPacket({ pid: 1, timeMs: 0, outgoing: false, message: query(5, "a.example") }, (o) => out.push(o));
    tracker.onPacket({ pid: 1, timeMs: 0, outgoing: true, message: response(5) }, (o) => out.push(o));
    tracker.onPacket({ pid: 1, timeMs: 0, outgoing: true, message: Uint8Array.of(1, 2, 3) }, (o) => out.push(o));
    expect(out).toEqual([]);
    expect(tracker.stats()).toMatchObject({ ignored: 2, malformed: 1 });
    for (let id = 0; id < 3; id++) tracker.onPacket({ pid: 1, timeMs: id, outgoing: true, message: query(id, `q${id}.example`) }, (o) => out.push(o));
    expect(tracker.stats()).toMatchObject({ pending: 2, evicted: 1 });
    expect(out).toEqual([expect.objectContaining({ queryName: "q0.example", queryStatus: "1460" })]);
  });
});
