import { SysmonTsError } from "../../base";
import {
  RECORD_HEADER_SIZE,
  RECORD_LAYOUTS,
  decodeDriverRecord,
  drainDriverBuffer,
  encodeDriverRecord,
  epochMsToFileTime,
  fileTimeToEpochMs,
  ioctlCode,
  type DriverRecord,
} from "./driver-records";

function processCreate(overrides: Partial<Record<string, unknown>> = {}): Buffer {
  return encodeDriverRecord("processCreate", {
    timeMs: 1_763_737_445_123.4, pid: 4, tid: 88,
    processId: 4242, parentProcessId: 1000, creatingProcessId: 1000, creatingThreadId: 1004,
    processKey: 0x1234_5678_9abc_def0n, createTime: epochMsToFileTime(1_763_737_445_000), sessionId: 1, flags: 1,
    authenticationId: 0x3e7n,
    imageFileName: "\\Device\\HarddiskVolume3\\Windows\\System32\\cmd.exe",
    commandLine: "cmd.exe /c echo ünïcødé ✓",
    userSid: "S-1-5-18", integrityLevel: "System",
    ...overrides,
  } as Parameters<typeof encodeDriverRecord<"processCreate">>[1]);
}

function aligned(records: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const r of records) {
    parts.push(r);
    const pad = (8 - (r.length % 8)) % 8;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  return Buffer.concat(parts);
}

describe("driver record decoder", () => {
  it("decodes what it encodes, strings and 64-bit values intact", () => {
    const record = decodeDriverRecord(processCreate());
    expect(record.kind).toBe("processCreate");
    if (record.kind !== "processCreate") throw new Error("kind");
    expect(record.pid).toBe(4);
    expect(record.tid).toBe(88);
    expect(record.timeMs).toBeCloseTo(1_763_737_445_123.4, 3);
    expect(record.processKey).toBe(0x1234_5678_9abc_def0n);
    expect(record.commandLine).toBe("cmd.exe /c echo ünïcødé ✓");
    expect(record.imageFileName).toBe("\\Device\\HarddiskVolume3\\Windows\\System32\\cmd.exe");
    expect(record.userSid).toBe("S-1-5-18");
    expect(fileTimeToEpochMs(record.createTime)).toBe(1_763_737_445_000);
  });

  it("has a distinct type and kind for every layout", () => {
    expect(new Set(RECORD_LAYOUTS.map((l) => l.type)).size).toBe(RECORD_LAYOUTS.length);
    expect(new Set(RECORD_LAYOUTS.map((l) => l.kind)).size).toBe(RECORD_LAYOUTS.length);
  });

  it("converts FILETIME like Windows: 1601 epoch, 100 ns ticks", () => {
    expect(fileTimeToEpochMs(116444736000000000n)).toBe(0);
    // 2026-11-21T00:00Z is 1795219200 s after 1970; (1795219200 + 11644473600) * 10^7.
    expect(epochMsToFileTime(Date.UTC(2026, 10, 21))).toBe(134396928000000000n);
  });

  it("walks an aligned READ buffer and skips a record of unknown type without losing the rest", () => {
    const unknown = Buffer.alloc(32);
    unknown.writeUInt16LE(32, 0);
    unknown.writeUInt16LE(999, 2);
    const exit = encodeDriverRecord("processExit", { timeMs: 0, pid: 4, tid: 8, processId: 4242, exitStatus: 259, processKey: 7n });
    const buffer = aligned([processCreate(), unknown, exit]);
    const seen: DriverRecord[] = [];
    const errors: SysmonTsError[] = [];
    const result = drainDriverBuffer(buffer, buffer.length, { onRecord: (r) => seen.push(r), onMalformed: (e) => errors.push(e) });
    expect(result).toEqual({ decoded: 2, malformed: 1, abandonedBytes: 0 });
    expect(seen.map((r) => r.kind)).toEqual(["processCreate", "processExit"]);
    expect(errors[0]?.message).toMatch(/unknown type 999/);
    expect(errors[0]?.details).toMatchObject({ offset: expect.any(Number), type: 999 });
  });

  it("stops at a record whose size cannot be trusted and reports the abandoned bytes", () => {
    const good = processCreate();
    const bad = Buffer.alloc(40);
    bad.writeUInt16LE(4000, 0);
    const buffer = aligned([good, bad]);
    const result = drainDriverBuffer(buffer, buffer.length, { onRecord: () => undefined });
    expect(result.decoded).toBe(1);
    expect(result.malformed).toBe(1);
    expect(result.abandonedBytes).toBe(40);
  });

  it("rejects a string that points outside its record, naming field and offset", () => {
    const record = processCreate();
    record.writeUInt16LE(record.length - 2, RECORD_HEADER_SIZE + 48); // imageFileName.Offset
    expect(() => decodeDriverRecord(record)).toThrow(/string imageFileName .* outside/);
  });

  it("rejects a truncated header, a record older than its layout and a size beyond the buffer", () => {
    expect(() => decodeDriverRecord(Buffer.alloc(10))).toThrow(/header needs 24/);
    const old = processCreate();
    old.writeUInt32LE(0, 4);
    expect(() => decodeDriverRecord(old)).toThrow(/older or shorter/);
    const long = processCreate();
    long.writeUInt16LE(long.length + 1, 0);
    try {
      decodeDriverRecord(long);
      throw new Error("decoded");
    } catch (thrown) {
      expect(thrown).toBeInstanceOf(SysmonTsError);
      expect((thrown as SysmonTsError).code).toBe("SYSMONTS_E_DRIVER_RECORD");
    }
  });

  it("reads a newer driver's record with appended fixed fields", () => {
    const exit = encodeDriverRecord("processExit", { timeMs: 0, pid: 1, tid: 2, processId: 3, exitStatus: 0, processKey: 9n });
    const newer = Buffer.concat([exit, Buffer.alloc(8, 0xee)]);
    newer.writeUInt16LE(newer.length, 0);
    newer.writeUInt32LE(2, 4);
    expect(decodeDriverRecord(newer)).toMatchObject({ kind: "processExit", version: 2, processId: 3, processKey: 9n });
  });

  it("computes the control codes as winioctl.h's CTL_CODE does", () => {
    // CTL_CODE(FILE_DEVICE_UNKNOWN=0x22, 0x800, METHOD_BUFFERED=0, FILE_READ_DATA|FILE_WRITE_DATA=3)
    expect(ioctlCode(0x800, 0)).toBe(0x22e000);
    expect(ioctlCode(0x801, 2)).toBe(0x22e006);
  });
});

describe("event 9 and 25 records, laid out by hand from the documented format", () => {
  // The layout as sysmonts_records.h documents it (driver/windows/README.md, "The record header is
  // generated"): the 24-byte header, the fixed fields packed, then UTF-16LE strings reached by
  // {offset, length}. Offsets are written out here rather than taken from placeFields, so a change
  // to the layout that moves a field fails this test.
  function header(size: number, type: number, pid: number, tid: number): Buffer {
    const b = Buffer.alloc(size);
    b.writeUInt16LE(size, 0);
    b.writeUInt16LE(type, 2);
    b.writeUInt32LE(1, 4);
    b.writeBigInt64LE(116444736000000000n + 10000n * 2500n, 8);
    b.writeUInt32LE(pid, 16);
    b.writeUInt32LE(tid, 20);
    return b;
  }

  it("decodes RAW_ACCESS_READ (type 15): flags at +24, Device string at +32, text after 36 fixed bytes", () => {
    const device = Buffer.from("\\Device\\HarddiskVolume2", "utf16le");
    const b = header(36 + device.length, 15, 612, 716);
    b.writeUInt32LE(0x00400000, 24); // FO_VOLUME_OPEN
    b.writeUInt16LE(36, 32);
    b.writeUInt16LE(device.length, 34);
    device.copy(b, 36);
    expect(decodeDriverRecord(b)).toEqual({
      kind: "rawAccessRead", type: 15, version: 1, timeMs: 2500, pid: 612, tid: 716,
      fileObjectFlags: 0x00400000, reserved: 0, device: "\\Device\\HarddiskVolume2",
    });
    expect(encodeDriverRecord("rawAccessRead", { timeMs: 2500, pid: 612, tid: 716, fileObjectFlags: 0x00400000, reserved: 0, device: "\\Device\\HarddiskVolume2" })).toEqual(b);
  });

  it("decodes PROCESS_TAMPERING (type 16): key at +32, create time at +40, image string at +56", () => {
    const image = Buffer.from("\\Device\\HarddiskVolume3\\Users\\a\\svchost.exe", "utf16le");
    const b = header(60 + image.length, 16, 4, 120);
    b.writeUInt32LE(5120, 24);
    b.writeUInt32LE(2, 28);
    b.writeBigUInt64LE(0x1c00000001a2n, 32);
    b.writeBigInt64LE(116444736000000000n + 10000n * 1000n, 40);
    b.writeUInt32LE(8, 48);
    b.writeUInt16LE(60, 56);
    b.writeUInt16LE(image.length, 58);
    image.copy(b, 60);
    const record = decodeDriverRecord(b);
    expect(record).toEqual({
      kind: "processTampering", type: 16, version: 1, timeMs: 2500, pid: 4, tid: 120,
      processId: 5120, tamperType: 2, processKey: 0x1c00000001a2n, createTime: 116444736000000000n + 10000000n,
      evidence: 8, reserved: 0, imageFileName: "\\Device\\HarddiskVolume3\\Users\\a\\svchost.exe",
    });
  });

  it("rejects a PROCESS_TAMPERING record cut before its image string", () => {
    const b = header(56, 16, 4, 120);
    expect(() => decodeDriverRecord(b)).toThrow(/PROCESS_TAMPERING version 1, 56 bytes is older or shorter than layout version 1 \(60 bytes\)/);
  });
});
