import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { renderRecordHeader } from "./driver-records-header";
import { type DriverRecord, drainDriverBuffer } from "./driver-records";

const headerDir = path.resolve(__dirname, "../../../../driver/windows/include");

describe("driver record header (driver/windows/include/sysmonts_records.h)", () => {
  it("is exactly what driver-records-header.ts renders from these layouts", () => {
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
static const uint16_t volume[] = u"\\\\Device\\\\HarddiskVolume2";
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
    at = (at + reg->Header.Size + SYSMONTS_RECORD_ALIGNMENT - 1) & ~(size_t)(SYSMONTS_RECORD_ALIGNMENT - 1);
    SYSMONTS_RAW_ACCESS_READ_RECORD *raw = (SYSMONTS_RAW_ACCESS_READ_RECORD *)(buffer + at);
    length = (uint16_t)(sizeof volume - 2);
    raw->Header.Size = (uint16_t)(sizeof *raw + length);
    raw->Header.Type = SYSMONTS_RECORD_RAW_ACCESS_READ;
    raw->Header.Version = SYSMONTS_RECORD_RAW_ACCESS_READ_VERSION;
    raw->Header.Pid = 612;
    raw->FileObjectFlags = 0x00400000;
    raw->Device.Offset = sizeof *raw; raw->Device.Length = length;
    memcpy((unsigned char *)raw + sizeof *raw, volume, length);
    at = (at + raw->Header.Size + SYSMONTS_RECORD_ALIGNMENT - 1) & ~(size_t)(SYSMONTS_RECORD_ALIGNMENT - 1);
    SYSMONTS_PROCESS_TAMPERING_RECORD *tamper = (SYSMONTS_PROCESS_TAMPERING_RECORD *)(buffer + at);
    tamper->Header.Size = (uint16_t)sizeof *tamper;
    tamper->Header.Type = SYSMONTS_RECORD_PROCESS_TAMPERING;
    tamper->Header.Version = SYSMONTS_RECORD_PROCESS_TAMPERING_VERSION;
    tamper->ProcessId = 5120; tamper->TamperType = 1; tamper->ProcessKey = 0x1c00000001a2ULL; tamper->Evidence = 3;
    at += tamper->Header.Size;
    fwrite(buffer, 1, at, stdout);
    return 0;
}
`);
      const binary = path.join(dir, "emit");
      execFileSync("gcc", ["-std=c11", "-I", headerDir, "-o", binary, source]);
      const bytes = execFileSync(binary);
      const seen: DriverRecord[] = [];
      expect(drainDriverBuffer(bytes, bytes.length, { onRecord: (r) => seen.push(r) })).toEqual({ decoded: 4, malformed: 0, abandonedBytes: 0 });
      expect(seen[0]).toMatchObject({ kind: "imageLoad", pid: 77, tid: 78, timeMs: 1500, processId: 77, flags: 2, imageBase: 0x7ff600000000n, imageSize: 0x30000n, imageFileName: "C:\\Windows\\notepad.exe" });
      expect(seen[1]).toMatchObject({ kind: "registry", operation: 3, valueType: 4, dataLength: 4, targetObject: "\\REGISTRY\\MACHINE\\SOFTWARE\\x\\v", details: "" });
      expect(seen[2]).toMatchObject({ kind: "rawAccessRead", pid: 612, fileObjectFlags: 0x00400000, device: "\\Device\\HarddiskVolume2" });
      expect(seen[3]).toMatchObject({ kind: "processTampering", processId: 5120, tamperType: 1, processKey: 0x1c00000001a2n, evidence: 3, imageFileName: "" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
