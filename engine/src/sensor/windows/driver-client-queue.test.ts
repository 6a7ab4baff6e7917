// READ buffers laid out byte by byte from driver/windows/include/sysmonts_records.h (offsets cited
// per field), decoded by the driver client's queue into the RawRecords the enricher receives.
import type { RawRecord } from "../records";
import { DriverRecordQueue } from "./driver-client-queue";
import { NO_UID } from "./driver-record-map";

/** 2026-11-21T10:00:00Z as FILETIME: (1795255200 s + 11644473600 s) * 10^7. */
const T0_MS = Date.UTC(2026, 10, 21, 10, 0, 0);
const T0_FILETIME = (BigInt(T0_MS) * 10000n) + 116444736000000000n;
const CREATED_MS = Date.UTC(2026, 10, 21, 9, 59, 58, 250);
const CREATED_FILETIME = (BigInt(CREATED_MS) * 10000n) + 116444736000000000n;

type Fixed = readonly [offset: number, kind: "u32" | "u64" | "i64", value: number | bigint];

/**
 * SYSMONTS_RECORD_HEADER (+0 Size u16, +2 Type u16, +4 Version u32, +8 Timestamp i64, +16 Pid u32,
 * +20 Tid u32), then the fixed fields, then each SYSMONTS_STRING's UTF-16LE text after `fixedSize`.
 */
function record(type: number, fixedSize: number, fixed: readonly Fixed[], strings: readonly (readonly [offset: number, text: string])[] = []): Buffer {
  const texts = strings.map(([, text]) => Buffer.from(text, "utf16le"));
  const size = fixedSize + texts.reduce((n, t) => n + t.length, 0);
  const b = Buffer.alloc(size);
  b.writeUInt16LE(size, 0);
  b.writeUInt16LE(type, 2);
  b.writeUInt32LE(1, 4);
  b.writeBigInt64LE(T0_FILETIME, 8);
  b.writeUInt32LE(1234, 16);
  b.writeUInt32LE(5678, 20);
  for (const [offset, kind, value] of fixed) {
    if (kind === "u32") b.writeUInt32LE(Number(value), offset);
    else if (kind === "u64") b.writeBigUInt64LE(BigInt(value), offset);
    else b.writeBigInt64LE(BigInt(value), offset);
  }
  let at = fixedSize;
  strings.forEach(([offset], i) => {
    const text = texts[i]!;
    b.writeUInt16LE(text.length === 0 ? 0 : at, offset);
    b.writeUInt16LE(text.length, offset + 2);
    text.copy(b, at);
    at += text.length;
  });
  return b;
}

/** The same record under a later layout version (SYSMONTS_RECORD_HEADER.Version, +4). */
function version(recordBytes: Buffer, layoutVersion: number): Buffer {
  recordBytes.writeUInt32LE(layoutVersion, 4);
  return recordBytes;
}

/** Records in a READ buffer start on 8-byte boundaries (SYSMONTS_RECORD_ALIGNMENT). */
function readBuffer(records: readonly Buffer[]): Buffer {
  return Buffer.concat(records.flatMap((r) => [r, Buffer.alloc((8 - (r.length % 8)) % 8)]));
}

const PATHS = { devices: { "C:": "\\Device\\HarddiskVolume3" }, systemRoot: "C:\\Windows" };

function queueWith(buffer: Buffer, options: { maxQueue?: number } = {}) {
  const decisions: [bigint, boolean][] = [];
  const queue = new DriverRecordQueue({ paths: PATHS, answerBlock: (id, block) => decisions.push([id, block]) }, options.maxQueue);
  queue.accept(buffer, buffer.length);
  const records: RawRecord[] = [];
  queue.drain((r) => records.push(r));
  return { queue, records, decisions };
}

const caller = { pid: 1234, tid: 5678, uid: NO_UID };

describe("driver READ buffers → RawRecords", () => {
  it("PROCESS_CREATE (type 1, 88 fixed bytes) becomes an exec record with Windows fields", () => {
    const buffer = record(1, 88, [
      [24, "u32", 4242], [28, "u32", 1000], [32, "u32", 1000], [36, "u32", 1004],
      [40, "u64", 0x1234_5678_9abc_def0n], [48, "i64", CREATED_FILETIME], [56, "u32", 1], [60, "u32", 1], [64, "u64", 0x3e7n],
    ], [
      [72, "\\Device\\HarddiskVolume3\\Windows\\System32\\cmd.exe"], [76, "cmd.exe /c echo 100% ✓"], [80, "S-1-5-18"], [84, "System"],
    ]);
    const { records } = queueWith(buffer);
    expect(records).toEqual([{
      kind: "exec", timeMs: T0_MS, actor: { pid: 4242, tid: 0, uid: NO_UID },
      process: { pid: 4242, startTimeMs: CREATED_MS, processKey: 0x1234_5678_9abc_def0n },
      parentPid: 1000, image: "C:\\Windows\\System32\\cmd.exe", argv: [], argvTruncated: false, cwd: "",
      sessionId: 1, ttyIndex: -1, loginUid: NO_UID,
      // CommandLine is escaped for the event log: % doubled (spec/events.md §4).
      commandLine: "cmd.exe /c echo 100%% ✓", userSid: "S-1-5-18", integrityLevel: "System", logonId: 0x3e7n,
    }]);
  });

  it("PROCESS_EXIT (type 2, 40 bytes) becomes an exit record", () => {
    const { records } = queueWith(record(2, 40, [[24, "u32", 4242], [28, "u32", 259], [32, "u64", 77n]]));
    expect(records).toEqual([{ kind: "exit", timeMs: T0_MS, actor: { pid: 4242, tid: 0, uid: NO_UID }, process: { pid: 4242, startTimeMs: 0, processKey: 77n }, exitCode: 259 }]);
  });

  it("THREAD_CREATE (type 3, 40 bytes) becomes a remote-thread record", () => {
    const { records } = queueWith(record(3, 40, [[24, "u32", 900], [28, "u32", 901], [32, "u64", 0x7ff6_1234_5678n]]));
    expect(records).toEqual([{ kind: "remote-thread", timeMs: T0_MS, actor: caller, targetPid: 900, newThreadId: 901, startAddress: 0x7ff6_1234_5678n }]);
  });

  it("IMAGE_LOAD (type 4, 52 bytes): a driver image is a module-load, a user image an image-load of the mapping process", () => {
    const driver = record(4, 52, [[24, "u32", 0], [28, "u32", 3], [32, "u64", 0xfffff800_00000000n], [40, "u64", 0x1000n]], [[48, "\\SystemRoot\\System32\\drivers\\x.sys"]]);
    const dll = record(4, 52, [[24, "u32", 1234], [28, "u32", 0], [32, "u64", 0x7ff0_0000_0000n], [40, "u64", 0x2000n]], [[48, "\\Device\\HarddiskVolume3\\Windows\\System32\\ntdll.dll"]]);
    const { records } = queueWith(readBuffer([driver, dll]));
    expect(records).toEqual([
      { kind: "module-load", timeMs: T0_MS, actor: caller, name: "x.sys", path: "C:\\Windows\\System32\\drivers\\x.sys", signed: true },
      { kind: "image-load", timeMs: T0_MS, actor: { pid: 1234, tid: 5678, uid: NO_UID }, path: "C:\\Windows\\System32\\ntdll.dll" },
    ]);
  });

  it("REGISTRY (type 5, 48 bytes) carries Sysmon's EventType, the HKLM path and escaped Details", () => {
    const set = record(5, 48, [[24, "u32", 3], [28, "u32", 4], [32, "u32", 4], [36, "u32", 0]], [[40, "\\REGISTRY\\MACHINE\\SOFTWARE\\X\\Level"], [44, "DWORD (0x00000064) 100%"]]);
    const rename = record(5, 48, [[24, "u32", 5]], [[40, "\\REGISTRY\\USER\\S-1-5-21\\Old"], [44, "New"]]);
    const create = record(5, 48, [[24, "u32", 1]], [[40, "\\REGISTRY\\MACHINE\\SYSTEM\\CURRENTCONTROLSET\\HARDWARE PROFILES\\CURRENT\\K"], [44, ""]]);
    const { records } = queueWith(readBuffer([set, rename, create]));
    expect(records).toEqual([
      { kind: "registry", timeMs: T0_MS, actor: caller, eventType: "SetValue", targetObject: "HKLM\\SOFTWARE\\X\\Level", details: "DWORD (0x00000064) 100%%" },
      { kind: "registry", timeMs: T0_MS, actor: caller, eventType: "RenameKey", targetObject: "HKU\\S-1-5-21\\Old", details: "New" },
      { kind: "registry", timeMs: T0_MS, actor: caller, eventType: "CreateKey", targetObject: "HKCC\\K", details: "" },
    ]);
  });

  it("PROCESS_ACCESS (type 6, 44 bytes) becomes process-access with UNKNOWN(...) call-trace frames", () => {
    const { records } = queueWith(record(6, 44, [[24, "u32", 640], [28, "u32", 0x1410], [32, "u32", 1], [36, "u32", 2]], [[40, "7ffb5f3e3e8a|fffff80312345678"]]));
    expect(records).toEqual([{
      kind: "process-access", timeMs: T0_MS, actor: caller, targetPid: 640, operation: "handle-create", grantedAccess: 0x1410,
      callTrace: "UNKNOWN(00007FFB5F3E3E8A)|UNKNOWN(FFFFF80312345678)",
    }]);
  });

  it("FILE_CREATE (7), FILE_DELETE (8), FILE_TIME (9) and FILE_STREAM (10) carry DOS paths and times", () => {
    const created = record(7, 44, [[24, "i64", CREATED_FILETIME], [32, "u32", 2]], [[40, "\\Device\\HarddiskVolume3\\Users\\a\\new.txt"]]);
    // FILE_DELETE version 2, 52 bytes: +24 FileSize u64, +32 Flags u32, +36 Reserved, +40 TargetFilename, +44 HoldId u64.
    const deleted = version(record(8, 52, [[24, "u64", 4096n], [32, "u32", 1]], [[40, "\\??\\C:\\Temp\\evil.exe"]]), 2);
    const timed = record(9, 44, [[24, "i64", CREATED_FILETIME], [32, "i64", T0_FILETIME]], [[40, "\\??\\UNC\\srv\\share\\f.txt"]]);
    const stream = record(10, 36, [[24, "i64", CREATED_FILETIME]], [[32, "\\Device\\HarddiskVolume3\\d\\setup.exe:Zone.Identifier"]]);
    const { records } = queueWith(readBuffer([created, deleted, timed, stream]));
    expect(records).toEqual([
      { kind: "file-create", timeMs: T0_MS, actor: caller, path: "C:\\Users\\a\\new.txt", creationTimeMs: CREATED_MS },
      { kind: "file-delete", timeMs: T0_MS, actor: caller, path: "C:\\Temp\\evil.exe", executable: true },
      { kind: "file-time", timeMs: T0_MS, actor: caller, path: "\\\\srv\\share\\f.txt", newTimeMs: CREATED_MS, previousTimeMs: T0_MS },
      { kind: "file-stream", timeMs: T0_MS, actor: caller, path: "C:\\d\\setup.exe:Zone.Identifier", creationTimeMs: CREATED_MS },
    ]);
  });

  it("FILE_DELETE held for the archive (flag 8) releases its hold once, as an allow decision for HoldId (+44)", () => {
    const held = version(record(8, 52, [[24, "u64", 12n], [32, "u32", 8], [44, "u64", 0x2_0000_0007n]], [[40, "\\??\\C:\\Temp\\a.dll"]]), 2);
    const unheld = version(record(8, 52, [[24, "u64", 12n], [32, "u32", 16]], [[40, "\\??\\C:\\Temp\\b.dll"]]), 2);
    const onClose = version(record(8, 52, [[24, "u64", 12n], [32, "u32", 2]], [[40, "\\??\\C:\\Temp\\c.dll"]]), 2);
    const { records, decisions } = queueWith(readBuffer([held, unheld, onClose]));
    const [first, second, third] = records;
    if (first?.kind !== "file-delete" || second?.kind !== "file-delete" || third?.kind !== "file-delete") throw new Error("not file-delete");
    expect(first.path).toBe("C:\\Temp\\a.dll");
    expect(decisions).toEqual([]);
    first.hold?.release();
    first.hold?.release();
    expect(decisions).toEqual([[0x2_0000_0007n, false]]);
    expect(second).toEqual({ kind: "file-delete", timeMs: T0_MS, actor: caller, path: "C:\\Temp\\b.dll", executable: false, holdUnavailable: true });
    expect(third).toEqual({ kind: "file-delete", timeMs: T0_MS, actor: caller, path: "C:\\Temp\\c.dll", executable: false });
  });

  it("a version 1 FILE_DELETE (44 bytes, no HoldId) from an older driver is malformed, not misread", () => {
    const { queue, records } = queueWith(record(8, 44, [[24, "u64", 1n]], [[40, "\\??\\C:\\x"]]));
    expect(records).toEqual([]);
    expect(queue.counters().malformed).toBe(1);
  });

  it("PIPE (type 11, 36 bytes): operation 1 is a created pipe, 2 a connection", () => {
    const { records } = queueWith(readBuffer([record(11, 36, [[24, "u32", 1]], [[32, "\\mojo.1"]]), record(11, 36, [[24, "u32", 2]], [[32, "\\lsass"]])]));
    expect(records).toEqual([
      { kind: "pipe", timeMs: T0_MS, actor: caller, created: true, pipeName: "\\mojo.1" },
      { kind: "pipe", timeMs: T0_MS, actor: caller, created: false, pipeName: "\\lsass" },
    ]);
  });

  it("BLOCK_REQUEST (type 12, 44 bytes) becomes file-block whose answer sends one decision for its request id", () => {
    const exe = record(12, 44, [[24, "u64", 0x1_0000_0001n], [32, "u32", 1], [36, "u32", 1000]], [[40, "\\??\\C:\\Users\\a\\Downloads\\x.exe"]]);
    const shred = record(12, 44, [[24, "u64", 2n], [32, "u32", 2], [36, "u32", 1000]], [[40, "\\??\\C:\\important.docx"]]);
    const { records, decisions } = queueWith(readBuffer([exe, shred]));
    expect(records.map((r) => (r.kind === "file-block" ? [r.operation, r.path] : r.kind))).toEqual([
      ["executable", "C:\\Users\\a\\Downloads\\x.exe"],
      ["shredding", "C:\\important.docx"],
    ]);
    const [first, second] = records;
    if (first?.kind !== "file-block" || second?.kind !== "file-block") throw new Error("not file-block");
    first.answer(true);
    first.answer(false);
    second.answer(false);
    expect(decisions).toEqual([[0x1_0000_0001n, true], [2n, false]]);
  });

  it("counts RECORDS_LOST (type 13) and keeps DRIVER_STATUS (type 14) without queueing them", () => {
    const lost1 = record(13, 32, [[24, "u32", 17], [28, "u32", 4 << 20]]);
    const lost2 = record(13, 32, [[24, "u32", 3], [28, "u32", 4 << 20]]);
    const status = record(14, 40, [[24, "u32", 1], [28, "u32", 0b100101], [32, "u32", 4 << 20], [36, "u32", 32]]);
    const { queue, records } = queueWith(readBuffer([lost1, status, lost2]));
    expect(records).toEqual([]);
    expect(queue.counters()).toEqual({ produced: 3, malformed: 0, lostInDriver: 20, droppedQueueFull: 0 });
    expect(queue.driverStatus).toEqual({ timeMs: T0_MS, protocolVersion: 1, callbacks: 0b100101, ringCapacity: 4 << 20, archiveHoldSlots: 32 });
  });
});

describe("malformed READ buffers are counted, never thrown", () => {
  const exit = () => record(2, 40, [[24, "u32", 7], [28, "u32", 0], [32, "u64", 1n]]);

  it("a record cut short is counted and the buffer's remainder abandoned", () => {
    const whole = readBuffer([exit(), exit()]);
    const { queue, records } = queueWith(whole.subarray(0, 40 + 20));
    expect(records).toHaveLength(1);
    expect(queue.counters().malformed).toBe(1);
  });

  it("an unknown type, an unknown operation and a string outside its record are skipped, the rest kept", () => {
    const unknown = record(99, 32, []);
    const badOperation = record(11, 36, [[24, "u32", 7]], [[32, "\\p"]]);
    const badString = record(7, 44, [[24, "i64", CREATED_FILETIME]], [[40, "\\??\\C:\\x"]]);
    badString.writeUInt16LE(200, 40); // TargetFilename.Offset beyond the 60-byte record
    const unknownRegistryOp = record(5, 48, [[24, "u32", 42]], [[40, "\\REGISTRY\\MACHINE\\K"], [44, ""]]);
    const { queue, records } = queueWith(readBuffer([unknown, exit(), badOperation, badString, unknownRegistryOp, exit()]));
    expect(records.map((r) => r.kind)).toEqual(["exit", "exit"]);
    expect(queue.counters()).toMatchObject({ malformed: 4, produced: 4 });
  });

  it("a size of zero ends the walk instead of looping", () => {
    const buffer = readBuffer([exit(), Buffer.alloc(64)]);
    const { queue, records } = queueWith(buffer);
    expect(records).toHaveLength(1);
    expect(queue.counters().malformed).toBe(1);
  });

  it("a BLOCK_REQUEST with an unknown operation is allowed at once and counted", () => {
    const { queue, records, decisions } = queueWith(record(12, 44, [[24, "u64", 9n], [32, "u32", 3]], [[40, "\\??\\C:\\x"]]));
    expect(records).toEqual([]);
    expect(decisions).toEqual([[9n, false]]);
    expect(queue.counters().malformed).toBe(1);
  });
});

describe("the queue is bounded", () => {
  it("drops and counts beyond maxQueue, allowing a dropped file operation at once", () => {
    const exit = record(2, 40, [[24, "u32", 7]]);
    const block = record(12, 44, [[24, "u64", 5n], [32, "u32", 1]], [[40, "\\??\\C:\\x.exe"]]);
    const heldDelete = version(record(8, 52, [[32, "u32", 8], [44, "u64", 6n]], [[40, "\\??\\C:\\x.dll"]]), 2);
    const { queue, records, decisions } = queueWith(readBuffer([exit, exit, block, heldDelete]), { maxQueue: 2 });
    expect(records).toHaveLength(2);
    expect(queue.counters().droppedQueueFull).toBe(2);
    expect(decisions).toEqual([[5n, false], [6n, false]]);
  });

  it("discard() allows every held file operation", () => {
    const decisions: [bigint, boolean][] = [];
    const queue = new DriverRecordQueue({ paths: PATHS, answerBlock: (id, block) => decisions.push([id, block]) });
    const block = record(12, 44, [[24, "u64", 11n], [32, "u32", 2]], [[40, "\\??\\C:\\x.doc"]]);
    const heldDelete = version(record(8, 52, [[32, "u32", 8], [44, "u64", 12n]], [[40, "\\??\\C:\\x.dll"]]), 2);
    const buffer = readBuffer([block, heldDelete]);
    queue.accept(buffer, buffer.length);
    expect(queue.length).toBe(2);
    queue.discard();
    expect(queue.length).toBe(0);
    expect(decisions).toEqual([[11n, false], [12n, false]]);
  });
});
