import type { BpfRecord, DnsRecord, FileDeleteRecord, FileTimeRecord, NetworkRecord, ProcessAccessRecord, ProcessExecRecord, ProcessExitRecord } from "../records";
import type { TcpDnsSegment } from "./tcp-dns-stream";
import { decodeRecord, exitCodeOfStatus, formatAddress, splitArgv } from "./decode";
import { ACCESS_OPERATION, RECORD_FLAG, requireLayout } from "./layout";
import { encodeSyntheticRecord, type SyntheticRecord } from "./synthetic-records";

const clock = { bootToWallMs: 1_700_000_000_000 };
const actorFields = { pid: 4242, tid: 4243, uid: 1000, time_ns: 5_000_000_000n };

/** Decodes a record placed at an odd offset inside a larger buffer, as records sit in the ring. */
function decode(record: SyntheticRecord): ReturnType<typeof decodeRecord> {
  const bytes = encodeSyntheticRecord(record);
  const ring = Buffer.alloc(bytes.length + 64, 0xee);
  bytes.copy(ring, 24);
  return decodeRecord(ring, 24, bytes.length, clock);
}

describe("decodeRecord", () => {
  it("decodes an exec record: identity, paths, argv and wall-clock times", () => {
    const record = decode({
      layout: "exec",
      fields: { ...actorFields, parent_pid: 1, session_id: 7, login_uid: 1000, tty_index: 3, start_ns: 4_000_000_000n, process_key: 0x56378badc4f6n },
      tails: { image: "/usr/bin/python3.11", cwd: "/tmp/work dir", argv: "python3\0-c\0print('a b')\0" },
    }) as ProcessExecRecord;
    expect(record).toEqual({
      kind: "exec",
      timeMs: 1_700_000_005_000,
      actor: { pid: 4242, tid: 4243, uid: 1000 },
      process: { pid: 4242, startTimeMs: 1_700_000_004_000, processKey: 0x56378badc4f6n },
      parentPid: 1,
      image: "/usr/bin/python3.11",
      argv: ["python3", "-c", "print('a b')"],
      argvTruncated: false,
      imageUnlinked: false,
      cwd: "/tmp/work dir",
      sessionId: 7,
      ttyIndex: 3,
      loginUid: 1000,
    });
  });

  it("keeps a truncated argv's partial last argument and reports the truncation", () => {
    const record = decode({ layout: "exec", fields: { flags: RECORD_FLAG.argvTruncated, tty_index: -1 }, tails: { argv: "a\0bc" } }) as ProcessExecRecord;
    expect(record.argv).toEqual(["a", "bc"]);
    expect(record.argvTruncated).toBe(true);
    expect(record.ttyIndex).toBe(-1);
    const library = decode({ layout: "image_load", tails: { path: "/usr/lib/libz.so.1" } });
    expect(library).toMatchObject({ kind: "image-load", path: "/usr/lib/libz.so.1" });
    const fileless = decode({ layout: "exec", fields: { flags: RECORD_FLAG.imageUnlinked }, tails: { image: "/memfd:payload" } }) as ProcessExecRecord;
    expect(fileless.imageUnlinked).toBe(true);
  });

  it("decodes hostile names without corrupting neighbouring fields (invalid UTF-8 becomes U+FFFD)", () => {
    const hostile = Buffer.concat([Buffer.from('/tmp/a\nb "q" <x>&y '), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from("ü")]);
    const long = `/${"d".repeat(200)}`.repeat(20).slice(0, 4095);
    const record = decode({ layout: "exec", tails: { image: hostile, cwd: long, argv: Buffer.from("x\0y\0") } }) as ProcessExecRecord;
    expect(record.image).toBe('/tmp/a\nb "q" <x>&y \ufffd\ufffd\ufffdü');
    expect(record.cwd).toBe(long);
    expect(record.argv).toEqual(["x", "y"]);
  });

  it("decodes exit records with the wait status turned into an exit code", () => {
    const exited = decode({ layout: "exit", fields: { ...actorFields, exit_status: 3 << 8, start_ns: 1_000_000n } }) as ProcessExitRecord;
    expect(exited.exitCode).toBe(3);
    expect(exited.process.startTimeMs).toBe(clock.bootToWallMs + 1);
    expect(exitCodeOfStatus(9)).toBe(137);
    expect(exitCodeOfStatus(0)).toBe(0);
  });

  it("maps outbound and inbound tuples to Sysmon's source and destination (§5.5)", () => {
    const v4 = (a: number[]): Uint8Array => new Uint8Array([...a, ...new Array(12).fill(0)]);
    const fields = { protocol: 6, family: 2, local_port: 40000, remote_port: 443, local_addr: v4([10, 0, 0, 2]), remote_addr: v4([93, 184, 216, 34]) };
    const outbound = decode({ layout: "network", fields: { ...fields, outbound: 1 } }) as NetworkRecord;
    expect(outbound).toMatchObject({ protocol: "tcp", initiated: true, ipv6: false, sourceIp: "10.0.0.2", sourcePort: 40000, destinationIp: "93.184.216.34", destinationPort: 443 });
    const inbound = decode({ layout: "network", fields: { ...fields, outbound: 0, protocol: 17 } }) as NetworkRecord;
    expect(inbound).toMatchObject({ protocol: "udp", initiated: false, sourceIp: "93.184.216.34", sourcePort: 443, destinationIp: "10.0.0.2", destinationPort: 40000 });
  });

  it("prints IPv6 as eight uncompressed groups", () => {
    const loopback = new Uint8Array(16);
    loopback[15] = 1;
    expect(formatAddress(loopback, 0, true)).toBe("0:0:0:0:0:0:0:1");
    const mapped = new Uint8Array([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0x7f, 0, 0, 1]);
    expect(formatAddress(mapped, 0, true)).toBe("2001:db8:0:0:0:ffff:7f00:1");
  });

  it("decodes path records of each kind, with the directory flag on deletes", () => {
    expect(decode({ layout: "file_create", tails: { path: "/tmp/x" } })).toMatchObject({ kind: "file-create", path: "/tmp/x" });
    expect(decode({ layout: "raw_access", tails: { path: "/dev/loop0" } })).toMatchObject({ kind: "raw-access", device: "/dev/loop0" });
    const removed = decode({ layout: "file_delete", fields: { flags: RECORD_FLAG.directory }, tails: { path: "/tmp/./d" } }) as FileDeleteRecord;
    expect(removed).toMatchObject({ kind: "file-delete", path: "/tmp/./d", directory: true });
  });

  it("decodes file-time records: signed seconds plus nanoseconds, the previous time only when known", () => {
    const T = 978_307_200n;
    const exact = decode({
      layout: "file_time",
      fields: { ...actorFields, new_sec: T, new_nsec: 250_000_000, previous_sec: 1_700_000_000n, previous_nsec: 1_500_000 },
      tails: { path: "/tmp/stamped" },
    }) as FileTimeRecord;
    expect(exact).toEqual({
      kind: "file-time", timeMs: 1_700_000_005_000, actor: { pid: 4242, tid: 4243, uid: 1000 },
      path: "/tmp/stamped", newTimeMs: 978_307_200_250, previousTimeMs: 1_700_000_000_001.5,
    });
    const byPath = decode({
      layout: "file_time",
      fields: { flags: RECORD_FLAG.previousTimeUnknown, new_sec: -86_400n, previous_sec: 123n },
      tails: { path: "rel" },
    }) as FileTimeRecord;
    expect(byPath).toMatchObject({ newTimeMs: -86_400_000, previousTimeMs: null });
    // a time no Date can show is clamped to the last one that can (ECMA-262 §21.4.1.22)
    const far = decode({ layout: "file_time", fields: { new_sec: -(2n ** 62n), previous_sec: 2n ** 62n } }) as FileTimeRecord;
    expect([far.newTimeMs, far.previousTimeMs]).toEqual([-8.64e15, 8.64e15]);
    const lying = encodeSyntheticRecord({ layout: "file_time", fields: { path_len: 100 }, tails: { path: "/x" } });
    expect(decodeRecord(lying, 0, lying.length, clock)).toBeNull();
  });

  it("decodes process access, bpf and dns records", () => {
    const access = decode({ layout: "process_access", fields: { target_pid: 99, operation: ACCESS_OPERATION.ptraceSeize } }) as ProcessAccessRecord;
    expect(access).toMatchObject({ kind: "process-access", targetPid: 99, operation: "ptrace-seize", grantedAccess: 0 });
    const name = new Uint8Array(16);
    name.set(Buffer.from("my_prog"));
    const bpf = decode({ layout: "bpf", fields: { command: 5, program_type: 1, program_fd: 7, program_name: name } }) as BpfRecord;
    expect(bpf).toMatchObject({ kind: "bpf", command: 5, programType: 1, programFd: 7, programName: "my_prog" });
    const full = decode({ layout: "bpf", fields: { program_name: new Uint8Array(16).fill(0x61) } }) as BpfRecord;
    expect(full.programName).toBe("a".repeat(16));
    const dns = decode({ layout: "dns", fields: { protocol: 17, outgoing: 1 }, tails: { message: new Uint8Array([0x12, 0x34, 1, 0]) } }) as DnsRecord;
    expect(dns).toMatchObject({ kind: "dns", transport: "udp", outgoing: true });
    expect(Array.from(dns.message)).toEqual([0x12, 0x34, 1, 0]);
    const tcp = decode({ layout: "dns", fields: { protocol: 6, outgoing: 0, stream: 0xdeadbeef, segment_len: 9 }, tails: { message: new Uint8Array([0, 7]) } }) as TcpDnsSegment;
    expect(tcp).toMatchObject({ kind: "tcp-dns-segment", outgoing: false, stream: 0xdeadbeef, segmentLength: 9 });
    expect(Array.from(tcp.bytes)).toEqual([0, 7]);
  });

  it("returns copies, so reusing the ring's memory cannot change a decoded record", () => {
    const bytes = encodeSyntheticRecord({ layout: "dns", tails: { message: new Uint8Array([1, 2, 3]) } });
    const record = decodeRecord(bytes, 0, bytes.length, clock) as DnsRecord;
    bytes.fill(0);
    expect(Array.from(record.message)).toEqual([1, 2, 3]);
  });

  it("rejects records that are short, of an unknown kind, or whose lengths run past their end", () => {
    const exec = encodeSyntheticRecord({ layout: "exec", tails: { image: "/bin/sh" } });
    expect(decodeRecord(exec, 0, 10, clock)).toBeNull();
    expect(decodeRecord(exec, 0, requireLayout("exec").fixedSize - 8, clock)).toBeNull();
    const lying = encodeSyntheticRecord({ layout: "exec", fields: { image_len: 5000 }, tails: { image: "/bin/sh" } });
    expect(decodeRecord(lying, 0, lying.length, clock)).toBeNull();
    const unknown = encodeSyntheticRecord({ layout: "exit", fields: { kind: 999 } });
    expect(decodeRecord(unknown, 0, unknown.length, clock)).toBeNull();
  });

  it("splits argv on NULs, keeping empty arguments", () => {
    const bytes = Buffer.from("a\0\0b\0");
    expect(splitArgv(bytes, 0, bytes.length)).toEqual(["a", "", "b"]);
  });
});
