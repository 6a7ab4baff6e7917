import { decodeEventRecordHeader, EVENT_RECORD_SIZE, EVENT_HEADER_FLAG_32_BIT_HEADER, EVENT_HEADER_FLAG_64_BIT_HEADER } from "./etw-record";
import { DNS_CLIENT_PROVIDER, KERNEL_NETWORK_PROVIDER, KERNEL_PROCESS_PROVIDER, WMI_ACTIVITY_PROVIDER, decodeEtwEvent } from "./etw-providers";

const FILETIME_EPOCH = 116444736000000000n;
const WHEN_MS = Date.UTC(2026, 10, 21, 15, 4, 5, 123);

function guidBytes(text: string): Buffer {
  const hex = text.replace(/[{}-]/g, "");
  const out = Buffer.alloc(16);
  out.writeUInt32LE(parseInt(hex.slice(0, 8), 16), 0);
  out.writeUInt16LE(parseInt(hex.slice(8, 12), 16), 4);
  out.writeUInt16LE(parseInt(hex.slice(12, 16), 16), 6);
  Buffer.from(hex.slice(16), "hex").copy(out, 8);
  return out;
}

/** An EVENT_RECORD laid out field by field as evntcons.h declares it (see etw-record.ts). */
function eventRecord(options: { provider: string; id: number; version?: number; pid: number; tid?: number; userDataLength: number; flags?: number }): Buffer {
  const b = Buffer.alloc(EVENT_RECORD_SIZE);
  b.writeUInt16LE(80, 0);
  b.writeUInt16LE(options.flags ?? EVENT_HEADER_FLAG_64_BIT_HEADER, 4);
  b.writeUInt32LE(options.tid ?? 77, 8);
  b.writeUInt32LE(options.pid, 12);
  b.writeBigInt64LE(FILETIME_EPOCH + BigInt(WHEN_MS) * 10000n, 16);
  guidBytes(options.provider).copy(b, 24);
  b.writeUInt16LE(options.id, 40);
  b.writeUInt8(options.version ?? 0, 42);
  b.writeUInt8(4, 44);
  b.writeUInt16LE(options.userDataLength, 86);
  return b;
}

/** Builds a UserData payload the way a manifest template packs it. */
class Payload {
  private parts: Buffer[] = [];
  u16(v: number): this { const b = Buffer.alloc(2); b.writeUInt16LE(v); this.parts.push(b); return this; }
  port(v: number): this { const b = Buffer.alloc(2); b.writeUInt16BE(v); this.parts.push(b); return this; }
  u32(v: number): this { const b = Buffer.alloc(4); b.writeUInt32LE(v); this.parts.push(b); return this; }
  u64(v: bigint): this { const b = Buffer.alloc(8); b.writeBigUInt64LE(v); this.parts.push(b); return this; }
  fileTime(ms: number): this { return this.u64(FILETIME_EPOCH + BigInt(ms) * 10000n); }
  bytes(hex: string): this { this.parts.push(Buffer.from(hex, "hex")); return this; }
  utf16(s: string): this { this.parts.push(Buffer.from(s + "\0", "utf16le")); return this; }
  done(): Buffer { return Buffer.concat(this.parts); }
}

function decode(provider: string, id: number, payload: Buffer, extra: { version?: number; pid?: number; flags?: number } = {}) {
  const header = decodeEventRecordHeader(eventRecord({ provider, id, pid: extra.pid ?? 4, version: extra.version, flags: extra.flags, userDataLength: payload.length }));
  return decodeEtwEvent(header, payload);
}

describe("EVENT_RECORD header", () => {
  test("reads ids, time, provider and pointer size from the documented offsets", () => {
    const h = decodeEventRecordHeader(eventRecord({ provider: DNS_CLIENT_PROVIDER.guid, id: 3008, version: 2, pid: 1234, tid: 5678, userDataLength: 99 }));
    expect(h).toMatchObject({ eventId: 3008, version: 2, processId: 1234, threadId: 5678, providerId: DNS_CLIENT_PROVIDER.guid, pointerSize: 8, userDataLength: 99, timeMs: WHEN_MS });
    const h32 = decodeEventRecordHeader(eventRecord({ provider: DNS_CLIENT_PROVIDER.guid, id: 1, pid: 1, userDataLength: 0, flags: EVENT_HEADER_FLAG_32_BIT_HEADER }));
    expect(h32.pointerSize).toBe(4);
  });

  test("rejects a short record", () => {
    expect(() => decodeEventRecordHeader(Buffer.alloc(80))).toThrow(/EVENT_RECORD is 80 bytes/);
  });
});

describe("Kernel-Network decoder", () => {
  test("TCPv4 connect (12): local end is the source, ports are in network order", () => {
    const payload = new Payload().u32(4242).u32(0).bytes("5db8d822").bytes("0a000001").port(443).port(49712)
      .u16(1460).u16(1).u16(0).u16(1).u32(65535).u16(8).u16(8).u32(0).u64(0xffffa001n).done();
    expect(decode(KERNEL_NETWORK_PROVIDER.guid, 12, payload)).toEqual({
      kind: "network", timeMs: WHEN_MS, actor: { pid: 4242, tid: 0, uid: 4294967295 }, protocol: "tcp", initiated: true, ipv6: false,
      sourceIp: "10.0.0.1", sourcePort: 49712, destinationIp: "93.184.216.34", destinationPort: 443,
    });
  });

  test("TCPv4 accept (15): the remote initiator is the source", () => {
    const payload = new Payload().u32(900).u32(0).bytes("ac122705").bytes("ac122706").port(56607).port(135).done();
    expect(decode(KERNEL_NETWORK_PROVIDER.guid, 15, payload)).toMatchObject({
      initiated: false, sourceIp: "172.18.39.5", sourcePort: 56607, destinationIp: "172.18.39.6", destinationPort: 135,
    });
  });

  test("TCPv6 connect (28) prints eight uncompressed groups", () => {
    const payload = new Payload().u32(7).u32(0).bytes("fe800000000000000202b3fffe1e8329").bytes("00000000000000000000000000000001").port(80).port(50000).done();
    expect(decode(KERNEL_NETWORK_PROVIDER.guid, 28, payload)).toMatchObject({
      ipv6: true, sourceIp: "0:0:0:0:0:0:0:1", destinationIp: "fe80:0:0:0:202:b3ff:fe1e:8329", destinationPort: 80, sourcePort: 50000,
    });
  });

  test("UDPv4 send (42) is udp and initiated; unknown event ids are ignored", () => {
    const payload = new Payload().u32(8).u32(40).bytes("08080808").bytes("c0a80102").port(53).port(60000).u32(0).u32(0).done();
    expect(decode(KERNEL_NETWORK_PROVIDER.guid, 42, payload)).toMatchObject({ protocol: "udp", initiated: true, destinationIp: "8.8.8.8", destinationPort: 53 });
    expect(decode(KERNEL_NETWORK_PROVIDER.guid, 10, payload)).toBeNull();
  });

  test("a truncated payload is an error naming the field, not a crash", () => {
    const payload = new Payload().u32(8).u32(40).bytes("0808").done();
    expect(() => decode(KERNEL_NETWORK_PROVIDER.guid, 12, payload)).toThrow(/too short for daddr at byte 8/);
  });
});

describe("DNS-Client decoder", () => {
  test("3008 gives name, type, status and results; the caller is the header's process", () => {
    const payload = new Payload().utf16("example.com").u32(1).u64(0x140000000n).u32(0).utf16("type:  5 example.net;::ffff:93.184.216.34;").done();
    expect(decode(DNS_CLIENT_PROVIDER.guid, 3008, payload, { pid: 3100 })).toEqual({
      kind: "dns-query", timeMs: WHEN_MS, actor: { pid: 3100, tid: 77, uid: 4294967295 },
      queryName: "example.com", queryType: 1, queryStatus: 0, queryResults: "type:  5 example.net;::ffff:93.184.216.34;",
    });
    expect(decode(DNS_CLIENT_PROVIDER.guid, 3006, payload)).toBeNull();
  });
});

describe("Kernel-Process decoder", () => {
  const created = WHEN_MS - 1500;

  test("ProcessStart v3 reads the sequence number as the process key and skips the SID", () => {
    const payload = new Payload().u32(5000).u64(0x1234n).fileTime(created).u32(600).u64(0x1200n).u32(1).u32(0).u32(3).u32(1)
      .bytes("0101000000000010" + "00300000") // S-1-16-12288 (High mandatory level)
      .utf16("\\Device\\HarddiskVolume3\\Windows\\System32\\notepad.exe").u32(0).u32(0).utf16("").utf16("").done();
    expect(decode(KERNEL_PROCESS_PROVIDER.guid, 1, payload, { version: 3, pid: 600 })).toMatchObject({
      kind: "exec", process: { pid: 5000, startTimeMs: created, processKey: 0x1234n }, parentPid: 600, sessionId: 1,
      image: "\\Device\\HarddiskVolume3\\Windows\\System32\\notepad.exe",
    });
  });

  test("ProcessStart v0 and v2 layouts", () => {
    const v0 = new Payload().u32(10).fileTime(created).u32(4).u32(0).utf16("\\Device\\HarddiskVolume1\\a.exe").done();
    expect(decode(KERNEL_PROCESS_PROVIDER.guid, 1, v0, { version: 0 })).toMatchObject({ process: { pid: 10, processKey: 0n }, image: "\\Device\\HarddiskVolume1\\a.exe" });
    const v2 = new Payload().u32(11).fileTime(created).u32(4).u32(2).u32(0).utf16("\\Device\\HarddiskVolume1\\b.exe").u32(0).u32(0).utf16("").utf16("").done();
    expect(decode(KERNEL_PROCESS_PROVIDER.guid, 1, v2, { version: 2 })).toMatchObject({ process: { pid: 11 }, sessionId: 2, image: "\\Device\\HarddiskVolume1\\b.exe" });
  });

  test("ProcessStop v2 gives the exit code", () => {
    const payload = new Payload().u32(5000).u64(0x1234n).fileTime(created).fileTime(WHEN_MS).u32(259).u32(1).u32(30).u64(0n).u64(0n).done();
    expect(decode(KERNEL_PROCESS_PROVIDER.guid, 2, payload, { version: 2 })).toMatchObject({ kind: "exit", process: { pid: 5000, processKey: 0x1234n }, exitCode: 259 });
  });

  test("ImageLoad honours the producer's pointer size", () => {
    const p64 = new Payload().u64(0x7ff600000000n).u64(0x2000n).u32(5000).u32(0).u32(0).u64(0x7ff600000000n).utf16("\\Device\\HarddiskVolume3\\Windows\\System32\\ntdll.dll").done();
    expect(decode(KERNEL_PROCESS_PROVIDER.guid, 5, p64)).toMatchObject({ kind: "image-load", actor: { pid: 5000 }, path: "\\Device\\HarddiskVolume3\\Windows\\System32\\ntdll.dll" });
    const p32 = new Payload().u32(0x400000).u32(0x2000).u32(77).u32(0).u32(0).u32(0x400000).utf16("\\Device\\HarddiskVolume3\\x86.dll").done();
    expect(decode(KERNEL_PROCESS_PROVIDER.guid, 5, p32, { flags: EVENT_HEADER_FLAG_32_BIT_HEADER })).toMatchObject({ actor: { pid: 77 }, path: "\\Device\\HarddiskVolume3\\x86.dll" });
  });
});

describe("WMI-Activity decoder", () => {
  test("5861 yields the filter and the consumer from PossibleCause", () => {
    const cause = [
      "Binding EventFilter: ",
      "instance of __EventFilter",
      "{",
      "\tCreatorSID = {1, 5, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 32, 2, 0, 0};",
      "\tEventNamespace = \"root\\\\cimv2\";",
      "\tName = \"EvilFilter\";",
      "\tQuery = \"SELECT * FROM __InstanceModificationEvent WITHIN 60 WHERE TargetInstance ISA 'Win32_PerfFormattedData_PerfOS_System'\";",
      "\tQueryLanguage = \"WQL\";",
      "};",
      "Perm. Consumer: ",
      "instance of CommandLineEventConsumer",
      "{",
      "\tCommandLineTemplate = \"C:\\\\Windows\\\\System32\\\\cmd.exe /c calc.exe\";",
      "\tName = \"EvilConsumer\";",
      "};",
    ].join("\n");
    const payload = new Payload().utf16("//./root/subscription").utf16("EvilFilter").utf16("CommandLineEventConsumer=\"EvilConsumer\"").utf16(cause).done();
    expect(decode(WMI_ACTIVITY_PROVIDER.guid, 5861, payload, { pid: 1800 })).toMatchObject({
      kind: "wmi-subscription", actor: { pid: 1800 }, namespace: "//./root/subscription", filterName: "EvilFilter",
      filterQuery: "SELECT * FROM __InstanceModificationEvent WITHIN 60 WHERE TargetInstance ISA 'Win32_PerfFormattedData_PerfOS_System'",
      consumerType: "CommandLineEventConsumer", consumerName: "EvilConsumer", consumerDestination: "C:\\Windows\\System32\\cmd.exe /c calc.exe",
    });
  });

  test("5861 gives the filter's EventNamespace and the creator's SID; a malformed SID gives none", () => {
    const cause = (sid: string) => ["instance of __EventFilter", "{", `\tCreatorSID = ${sid};`, "\tEventNamespace = \"root\\\\cimv2\";", "\tName = \"f\";", "};"].join("\n");
    const record = (sid: string) => decode(WMI_ACTIVITY_PROVIDER.guid, 5861, new Payload().utf16("//./root/subscription").utf16("f").utf16("c").utf16(cause(sid)).done(), { pid: 1800 });
    // S-1-5-32-544: revision 1, 2 sub-authorities, authority 5, then 32 and 544 little-endian.
    expect(record("{1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 32, 2, 0, 0}")).toMatchObject({ eventNamespace: "root\\cimv2", creatorSid: "S-1-5-32-544" });
    for (const bad of ["{1, 5, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 32, 2, 0, 0}", "{1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 32, 2, 0, 999}", "NULL"]) {
      expect(record(bad)).toMatchObject({ creatorSid: "" });
    }
  });
});
