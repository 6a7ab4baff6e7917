import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
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

const headerDir = path.resolve(__dirname, "../../../../driver/windows/include");

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

describe("driver record header (driver/windows/include/sysmonts_records.h)", () => {
  it("is exactly what driver-records-header.ts renders from these layouts", async () => {
    const { renderRecordHeader } = await import("./driver-records-header");
    expect(readFileSync(path.join(headerDir, "sysmonts_records.h"), "utf8")).toBe(renderRecordHeader());
  });

  it("compiles as C11 and C++ with its offset assertions, for the host and for mingw-w64", () => {
    const header = path.join(headerDir, "sysmonts_records.h");
    execFileSync("gcc", ["-fsyntax-only", "-std=c11", "-Wall", "-Wextra", "-Werror", "-x", "c", header]);
    execFileSync("g++", ["-fsyntax-only", "-std=c++17", "-x", "c++", header]);
    execFileSync("x86_64-w64-mingw32-gcc", ["-fsyntax-only", "-x", "c", header]);
  });

  it("decodes a record laid out by C code through the header's structs", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sysmonts-records-"));
    try {
      const source = path.join(dir, "emit.c");
      writeFileSync(source, `
#include <stdio.h>
#include <string.h>
#include "sysmonts_records.h"
static const uint16_t image[] = u"C:\\\\Windows\\\\notepad.exe";
static const uint16_t target[] = u"\\\\REGISTRY\\\\MACHINE\\\\SOFTWARE\\\\x\\\\v";
int main(void) {
    unsigned char buffer[512] = {0};
    size_t at = 0;
    SYSMONTS_IMAGE_LOAD_RECORD *load = (SYSMONTS_IMAGE_LOAD_RECORD *)buffer;
    uint16_t length = (uint16_t)(sizeof image - 2);
    load->Header.Size = (uint16_t)(sizeof *load + length);
    load->Header.Type = SYSMONTS_RECORD_IMAGE_LOAD;
    load->Header.Version = SYSMONTS_RECORD_IMAGE_LOAD_VERSION;
    load->Header.Timestamp = 116444736000000000LL + 10000LL * 1500;
    load->Header.Pid = 77; load->Header.Tid = 78;
    load->ProcessId = 77; load->Flags = 2; load->ImageBase = 0x7ff600000000ULL; load->ImageSize = 0x30000;
    load->ImageFileName.Offset = sizeof *load; load->ImageFileName.Length = length;
    memcpy(buffer + sizeof *load, image, length);
    at = (load->Header.Size + SYSMONTS_RECORD_ALIGNMENT - 1) & ~(size_t)(SYSMONTS_RECORD_ALIGNMENT - 1);
    SYSMONTS_REGISTRY_RECORD *reg = (SYSMONTS_REGISTRY_RECORD *)(buffer + at);
    length = (uint16_t)(sizeof target - 2);
    reg->Header.Size = (uint16_t)(sizeof *reg + length);
    reg->Header.Type = SYSMONTS_RECORD_REGISTRY;
    reg->Header.Version = SYSMONTS_RECORD_REGISTRY_VERSION;
    reg->Operation = 3; reg->ValueType = 4; reg->DataLength = 4;
    reg->TargetObject.Offset = sizeof *reg; reg->TargetObject.Length = length;
    memcpy((unsigned char *)reg + sizeof *reg, target, length);
    at += reg->Header.Size;
    fwrite(buffer, 1, at, stdout);
    return 0;
}
`);
      const binary = path.join(dir, "emit");
      execFileSync("gcc", ["-std=c11", "-I", headerDir, "-o", binary, source]);
      const bytes = execFileSync(binary);
      const seen: DriverRecord[] = [];
      expect(drainDriverBuffer(bytes, bytes.length, { onRecord: (r) => seen.push(r) })).toEqual({ decoded: 2, malformed: 0, abandonedBytes: 0 });
      expect(seen[0]).toMatchObject({ kind: "imageLoad", pid: 77, tid: 78, timeMs: 1500, processId: 77, flags: 2, imageBase: 0x7ff600000000n, imageSize: 0x30000n, imageFileName: "C:\\Windows\\notepad.exe" });
      expect(seen[1]).toMatchObject({ kind: "registry", operation: 3, valueType: 4, dataLength: 4, targetObject: "\\REGISTRY\\MACHINE\\SOFTWARE\\x\\v", details: "" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
