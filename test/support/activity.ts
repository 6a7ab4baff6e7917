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

/**
 * Two DNS queries over one TCP connection to a responder on 127.0.0.1:53: the first the way
 * glibc sends it (writev of [length, query], read of the length, then of the answer), the second
 * with send/recv of whole frames. Prints both queries and answers as hex, without the framing.
 */
export const DNS_TCP_EXCHANGE_SCRIPT = `
import socket, json, os, struct
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 53)); srv.listen(1)
cli = socket.create_connection(("127.0.0.1", 53))
conn, _ = srv.accept()
def question(tid, name):
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split("."))
    return struct.pack(">HHHHHH", tid, 0x0100, 1, 0, 0, 0) + labels + b"\\x00\\x00\\x01\\x00\\x01"
def answer_to(query):
    return query[:2] + b"\\x81\\x80\\x00\\x01\\x00\\x01\\x00\\x00\\x00\\x00" + query[12:] + bytes.fromhex("c00c000100010000003c00047f000035")
def serve():
    n = struct.unpack(">H", conn.recv(2, socket.MSG_WAITALL))[0]
    q = conn.recv(n, socket.MSG_WAITALL)
    a = answer_to(q)
    conn.sendall(struct.pack(">H", len(a)) + a)
out = {}
q1 = question(0x1111, "tcp-one.example")
os.writev(cli.fileno(), [struct.pack(">H", len(q1)), q1])
serve()
n = struct.unpack(">H", os.read(cli.fileno(), 2))[0]
a1 = b""
while len(a1) < n: a1 += os.read(cli.fileno(), n - len(a1))
q2 = question(0x2222, "tcp-two.example")
cli.sendall(struct.pack(">H", len(q2)) + q2)
serve()
framed = b""
while len(framed) < 2 or len(framed) < 2 + struct.unpack(">H", framed[:2])[0]: framed += cli.recv(4096)
a2 = framed[2:]
print(json.dumps({"queries": [q1.hex(), q2.hex()], "answers": [a1.hex(), a2.hex()]}))
cli.close(); conn.close(); srv.close()
`;

/**
 * Runs /bin/true twice from images with no name in the file system: once from a memfd, once
 * from a copy deleted after it was opened (both through /proc/self/fd). Prints the two pids.
 */
export const FILELESS_EXEC_SCRIPT = `
import os, json, shutil, sys
def run_from_fd(fd):
    pid = os.fork()
    if pid == 0:
        os.execv("/proc/self/fd/%d" % fd, ["fileless-probe"])
    os.waitpid(pid, 0)
    return pid
image = open("/bin/true", "rb").read()
mem = os.memfd_create("sysmonts-payload", 0)
os.write(mem, image)
copy = os.path.join(sys.argv[1], "vanishing-true")
shutil.copy("/bin/true", copy); os.chmod(copy, 0o755)
fd = os.open(copy, os.O_RDONLY); os.unlink(copy)
print(json.dumps({"memfd": run_from_fd(mem), "deleted": run_from_fd(fd), "deletedPath": copy}))
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
