import koffi from "koffi";

/**
 * The few libc calls the Linux service needs that Node does not expose. Bound lazily so that
 * merely importing the service on another platform costs nothing.
 */
interface LibcCalls {
  getsockopt(fd: number, level: number, name: number, value: Buffer, length: Buffer): number;
  geteuid(): number;
}

let bound: LibcCalls | undefined;

export function libc(): LibcCalls {
  if (!bound) {
    const lib = koffi.load("libc.so.6");
    bound = {
      getsockopt: lib.func("int getsockopt(int fd, int level, int optname, _Inout_ uint8_t *optval, _Inout_ uint8_t *optlen)") as LibcCalls["getsockopt"],
      geteuid: lib.func("uint32_t geteuid()") as LibcCalls["geteuid"],
    };
  }
  return bound;
}
