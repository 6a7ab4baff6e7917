import koffi from "koffi";
import { eventDef, eventFromFields } from "../../schema";
import { EVENT_DATA_DESCRIPTOR_SIZE, EVENTLOG_MAX_STRING_CHARS, buildDataDescriptors, buildEventDescriptor, packEventPayload } from "./payload";

function utf16z(text: string): string {
  return Buffer.from(text + "\0", "utf16le").toString("hex");
}

describe("event-log payload packing", () => {
  const network = eventFromFields(3, {
    RuleName: "-", UtcTime: "2026-11-21 15:04:05.123", ProcessGuid: "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}", ProcessId: "4242",
    Image: "C:\\Windows\\System32\\svchost.exe", User: "NT AUTHORITY\\SYSTEM", Protocol: "tcp", Initiated: "true",
    SourceIsIpv6: "false", SourceIp: "10.0.0.1", SourcePort: "49712", DestinationIsIpv6: "false", DestinationIp: "93.184.216.34", DestinationPort: "443",
  });

  test("lays every field out at its manifest type, in manifest order", () => {
    const def = eventDef(3);
    const packed = packEventPayload(network);
    expect(packed.sizes.length).toBe(def.fields.length);
    const field = (name: string): string => {
      const i = def.fieldIndex.get(name)!;
      return packed.bytes.subarray(packed.offsets[i]!, packed.offsets[i]! + packed.sizes[i]!).toString("hex");
    };
    expect(field("RuleName")).toBe(utf16z("-"));
    expect(field("ProcessGuid")).toBe("5f3870572ac2e043bf4c06f5698ffbd9");
    expect(field("ProcessId")).toBe("92100000");
    expect(field("Initiated")).toBe("01000000");
    expect(field("SourceIsIpv6")).toBe("00000000");
    expect(field("SourcePort")).toBe("30c2");
    expect(field("DestinationPort")).toBe("bb01");
    expect(field("Image")).toBe(utf16z("C:\\Windows\\System32\\svchost.exe"));
    // Fields are contiguous: each starts where the previous ended.
    for (let i = 1; i < packed.sizes.length; i++) expect(packed.offsets[i]).toBe(packed.offsets[i - 1]! + packed.sizes[i - 1]!);
    expect(packed.bytes.length).toBe(packed.offsets.at(-1)! + packed.sizes.at(-1)!);
  });

  test("packs hex and 64-bit fields, and '-' in typed fields as zero", () => {
    const def = eventDef(1);
    const packed = packEventPayload(eventFromFields(1, { LogonId: "0x3e7", TerminalSessionId: "1" }));
    const at = (name: string): number => packed.offsets[def.fieldIndex.get(name)!]!;
    expect(packed.bytes.readBigUInt64LE(at("LogonId"))).toBe(0x3e7n);
    expect(packed.bytes.readUInt32LE(at("TerminalSessionId"))).toBe(1);
    expect(packed.bytes.subarray(at("ParentProcessGuid"), at("ParentProcessGuid") + 16).every((b) => b === 0)).toBe(true);
    expect(packed.bytes.readUInt32LE(at("ParentProcessId"))).toBe(0);
    const access = packEventPayload(eventFromFields(10, { GrantedAccess: "0x1410" }));
    expect(access.bytes.readUInt32LE(access.offsets[eventDef(10).fieldIndex.get("GrantedAccess")!]!)).toBe(0x1410);
  });

  test("cuts strings at the event log's limit with '...'", () => {
    const long = "A".repeat(EVENTLOG_MAX_STRING_CHARS + 50);
    const def = eventDef(1);
    const packed = packEventPayload(eventFromFields(1, { CommandLine: long }));
    const i = def.fieldIndex.get("CommandLine")!;
    expect(packed.sizes[i]).toBe((EVENTLOG_MAX_STRING_CHARS + 1) * 2);
    const text = packed.bytes.toString("utf16le", packed.offsets[i]!, packed.offsets[i]! + packed.sizes[i]! - 2);
    expect(text.endsWith("AAA...")).toBe(true);
  });

  test("rejects a numeric field that holds text, naming the event and field", () => {
    expect(() => packEventPayload(eventFromFields(3, { SourcePort: "https" }))).toThrow(/event 3 field SourcePort: 'https'/);
  });

  test("data descriptors point at each field's bytes in memory", () => {
    const packed = packEventPayload(network);
    const descriptors = buildDataDescriptors(packed, koffi.address(packed.bytes));
    expect(descriptors.length).toBe(packed.sizes.length * EVENT_DATA_DESCRIPTOR_SIZE);
    for (let i = 0; i < packed.sizes.length; i++) {
      expect(descriptors.readBigUInt64LE(i * 16)).toBe(koffi.address(packed.bytes) + BigInt(packed.offsets[i]!));
      const size = descriptors.readUInt32LE(i * 16 + 8);
      expect(descriptors.readUInt32LE(i * 16 + 12)).toBe(0);
      // Read through the raw address, as EventWriteEx will.
      const seen = Buffer.from(koffi.view(koffi.decode(descriptors, i * 16, "void *"), size));
      expect(seen.equals(packed.bytes.subarray(packed.offsets[i]!, packed.offsets[i]! + size))).toBe(true);
    }
  });

  test("the event descriptor carries the manifest's id, version, channel, level, task and keyword", () => {
    expect(buildEventDescriptor(1).toString("hex")).toBe("0100" + "05" + "10" + "04" + "00" + "0100" + "0000000000000080");
    expect(buildEventDescriptor(255).toString("hex")).toBe("ff00" + "03" + "10" + "02" + "00" + "ff00" + "0000000000000080");
  });
});
