// Driver records for events 8, 9, 10 and 25 mapped to raw records, with the module map the driver
// client keeps (module lists scripted: OpenProcess cannot run on Linux; the koffi binding runs
// on real processes in test/windows/module-map-wine.test.ts).
import { readFileSync } from "node:fs";
import { type RecordMapContext, recordTypeMask, toRawRecord } from "./driver-record-map";
import { decodeDriverRecord, encodeDriverRecord, epochMsToFileTime } from "./driver-records";
import { readPeExports } from "./pe-image";
import { ProcessModules, type ProcessModuleApi } from "./process-modules";

const KERNEL32 = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/kernel32.dll";
const KERNEL32_BASE = 0x7ffb_5e00_0000;
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

function context(calls: number[] = []): RecordMapContext {
  const api: ProcessModuleApi = { listModules: (pid) => (calls.push(pid), [{ base: KERNEL32_BASE, size: 0xc_0000, path: KERNEL32 }]) };
  return { paths: { devices: { "C:": "\\Device\\HarddiskVolume3" }, systemRoot: "C:\\Windows" }, answerBlock: () => undefined, modules: new ProcessModules({ api }) };
}

describe("SET_CONFIG record types for events 9 and 25", () => {
  const bit = (type: number) => 1 << type;
  it("asks for RAW_ACCESS_READ only when 9 can be included and PROCESS_TAMPERING only for 25", () => {
    const always = bit(1) | bit(2);
    expect(recordTypeMask(new Set([9]))).toBe(always | bit(15));
    expect(recordTypeMask(new Set([25]))).toBe(always | bit(16));
    expect(recordTypeMask(new Set([1, 5, 10])) & (bit(15) | bit(16))).toBe(0);
  });
});

describe("toRawRecord for events 8, 9, 10 and 25", () => {
  it("RAW_ACCESS_READ becomes a raw-access record with the native volume name", () => {
    const record = decodeDriverRecord(encodeDriverRecord("rawAccessRead", { timeMs: T0, pid: 612, tid: 716, fileObjectFlags: 0x00400000, reserved: 0, device: "\\Device\\HarddiskVolume2" }));
    expect(toRawRecord(record, context())).toEqual({ kind: "raw-access", timeMs: T0, actor: { pid: 612, tid: 716, uid: 4294967295 }, device: "\\Device\\HarddiskVolume2" });
  });

  it("PROCESS_TAMPERING becomes a tampering record of the new process with Sysmon's Type text", () => {
    const encode = (tamperType: number) =>
      decodeDriverRecord(encodeDriverRecord("processTampering", {
        timeMs: T0, pid: 4, tid: 120, processId: 5120, tamperType, processKey: 0x1c00000001a2n, createTime: epochMsToFileTime(T0 - 5), evidence: 2, reserved: 0,
        imageFileName: "\\Device\\HarddiskVolume3\\Users\\a\\svchost.exe",
      }));
    expect(toRawRecord(encode(1), context())).toEqual({
      kind: "tampering", timeMs: T0, actor: { pid: 5120, tid: 0, uid: 4294967295 },
      process: { pid: 5120, startTimeMs: T0 - 5, processKey: 0x1c00000001a2n }, type: "Image is replaced",
    });
    expect(toRawRecord(encode(2), context())).toMatchObject({ type: "Image is locked for access" });
    // An unknown type is not guessed at: the caller counts it as malformed.
    expect(toRawRecord(encode(9), context())).toBeNull();
  });

  it("PROCESS_ACCESS frames are mapped through the caller's modules", () => {
    const calls: number[] = [];
    const record = decodeDriverRecord(encodeDriverRecord("processAccess", {
      timeMs: T0, pid: 600, tid: 604, targetProcessId: 500, grantedAccess: 0x1010, operation: 1, frameCount: 2,
      callTrace: `${(KERNEL32_BASE + 0x2bcae).toString(16)}|4a1b2c`,
    }));
    expect(toRawRecord(record, context(calls))).toMatchObject({ kind: "process-access", callTrace: `${KERNEL32}+2bcae|UNKNOWN(00000000004A1B2C)` });
    expect(calls).toEqual([600]);
  });

  it("THREAD_CREATE gets StartModule and StartFunction from the target's modules", () => {
    const rva = readPeExports(readFileSync(KERNEL32)).find((e) => e.name === "LoadLibraryW")!.rva;
    const calls: number[] = [];
    const record = decodeDriverRecord(encodeDriverRecord("threadCreate", { timeMs: T0, pid: 600, tid: 604, targetProcessId: 500, newThreadId: 9001, startAddress: BigInt(KERNEL32_BASE + rva) }));
    expect(toRawRecord(record, context(calls))).toMatchObject({ kind: "remote-thread", targetPid: 500, startModule: KERNEL32, startFunction: "LoadLibraryW" });
    expect(calls).toEqual([500]);
  });

  it("an image load or exit of a process makes its next lookup read the module list again", () => {
    const calls: number[] = [];
    const ctx = context(calls);
    const access = decodeDriverRecord(encodeDriverRecord("processAccess", { timeMs: T0, pid: 600, tid: 1, targetProcessId: 500, grantedAccess: 0x10, operation: 1, frameCount: 1, callTrace: "10" }));
    const load = decodeDriverRecord(encodeDriverRecord("imageLoad", { timeMs: T0, pid: 600, tid: 1, processId: 600, flags: 0, imageBase: 0n, imageSize: 0n, imageFileName: "\\Device\\HarddiskVolume3\\x.dll" }));
    const exit = decodeDriverRecord(encodeDriverRecord("processExit", { timeMs: T0, pid: 600, tid: 1, processId: 600, exitStatus: 0, processKey: 1n }));
    for (const record of [access, access, load, access, exit, access]) toRawRecord(record, ctx);
    expect(calls).toEqual([600, 600, 600]);
  });
});
