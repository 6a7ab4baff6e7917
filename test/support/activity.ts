import { spawnSync } from "node:child_process";

// Real kernel activity for the system tests, as small python3 programs run in a child, so the
// activity comes from another process than the one whose sensor watches (the engine and the
// jest worker are excluded by design). Each prints one JSON object with what it did.

const PYTHON = "/usr/bin/python3";

export function runPython<T = Record<string, unknown>>(script: string, options: { cwd: string; args?: string[] }): { pid: number; output: T } {
  const result = spawnSync(PYTHON, ["-c", script, ...(options.args ?? [])], { cwd: options.cwd, encoding: "utf8", timeout: 20_000 });
  if (result.status !== 0) throw new Error(`python3 failed (${result.status}): ${result.stderr}`);
  return { pid: result.pid ?? -1, output: (result.stdout.trim() ? JSON.parse(result.stdout) : {}) as T };
}

/** A DNS query for example.com to a responder it runs on 127.0.0.1:53, and the answer. */
export const DNS_EXCHANGE_SCRIPT = `
import socket, json
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); srv.bind(("127.0.0.1", 53))
cli = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
query = bytes.fromhex("abcd01000001000000000000") + b"\\x07example\\x03com\\x00\\x00\\x01\\x00\\x01"
cli.sendto(query, ("127.0.0.1", 53))
data, peer = srv.recvfrom(512)
answer = data[:2] + b"\\x81\\x80" + data[4:]
srv.sendto(answer, peer)
got, _ = cli.recvfrom(512)
print(json.dumps({"query": query.hex(), "answer": got.hex()}))
`;

/** process_vm_readv, then ptrace(PTRACE_ATTACH) on a forked child; prints the child's pid. */
export const PROCESS_ACCESS_SCRIPT = `
import ctypes, os, json, signal, time
libc = ctypes.CDLL(None, use_errno=True)
buf = ctypes.create_string_buffer(b"secret", 16)
target = os.fork()
if target == 0:
    time.sleep(30); os._exit(0)
class iovec(ctypes.Structure): _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
local = ctypes.create_string_buffer(16)
l = iovec(ctypes.cast(local, ctypes.c_void_p), 16); r = iovec(ctypes.cast(buf, ctypes.c_void_p), 16)
assert libc.process_vm_readv(target, ctypes.byref(l), 1, ctypes.byref(r), 1, 0) == 16, ctypes.get_errno()
assert libc.ptrace(16, target, None, None) == 0, ctypes.get_errno()
os.waitpid(target, 0)
libc.ptrace(17, target, None, None)
os.kill(target, signal.SIGKILL); os.waitpid(target, 0)
print(json.dumps({"target": target}))
`;

/** bpf(BPF_PROG_LOAD) of a two-instruction socket filter named sysmonts_probe; prints the fd. */
export const BPF_LOAD_SCRIPT = `
import ctypes, json
libc = ctypes.CDLL(None, use_errno=True)
insns = (ctypes.c_uint64 * 2)(0x00000000000000b7, 0x0000000000000095)  # r0 = 0; exit
lic = ctypes.create_string_buffer(b"GPL")
attr = ctypes.create_string_buffer(128)
ctypes.memmove(ctypes.addressof(attr), (ctypes.c_uint32 * 2)(1, 2), 8)  # SOCKET_FILTER, 2 insns
ctypes.memmove(ctypes.addressof(attr) + 8, ctypes.byref(ctypes.c_uint64(ctypes.addressof(insns))), 8)
ctypes.memmove(ctypes.addressof(attr) + 16, ctypes.byref(ctypes.c_uint64(ctypes.addressof(lic))), 8)
ctypes.memmove(ctypes.addressof(attr) + 48, b"sysmonts_probe", 14)
fd = libc.syscall(321, 5, attr, 128)
assert fd >= 0, ctypes.get_errno()
print(json.dumps({"fd": fd}))
`;

/** A TCP listener and a client connecting to it on 127.0.0.1; prints both ports. */
export const TCP_LOOPBACK_SCRIPT = `
import socket, json
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
cli = socket.create_connection(srv.getsockname())
conn, peer = srv.accept()
print(json.dumps({"server": srv.getsockname()[1], "client": cli.getsockname()[1]}))
conn.close(); cli.close(); srv.close()
`;
