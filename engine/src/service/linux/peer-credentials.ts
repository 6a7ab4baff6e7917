import type net from "node:net";
import { libc } from "./libc";

const SOL_SOCKET = 1;
const SO_PEERCRED = 17;

export interface PeerCredentials {
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
}

/**
 * The kernel's word on who connected to a Unix socket (SO_PEERCRED), taken at connect time so
 * a client cannot lie about itself. Undefined when the socket has no fd (already closed).
 */
export function peerCredentials(socket: net.Socket): PeerCredentials | undefined {
  // Node keeps the fd on the internal handle; there is no public accessor for it.
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== "number" || fd < 0) return undefined;
  const value = Buffer.alloc(12);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(12);
  if (libc().getsockopt(fd, SOL_SOCKET, SO_PEERCRED, value, length) !== 0) return undefined;
  return { pid: value.readInt32LE(0), uid: value.readUInt32LE(4), gid: value.readUInt32LE(8) };
}

/**
 * The control channel's gate on Linux: root only (or the engine's own uid, so an engine run by
 * a test user can be driven by that user). The socket's 0600 mode already keeps others out;
 * this check holds even if someone loosens the mode.
 */
export function rootOnlyPeer(socket: net.Socket): { uid: number; pid: number; description: string } | null {
  const credentials = peerCredentials(socket);
  if (!credentials) return null;
  const allowed = credentials.uid === 0 || credentials.uid === libc().geteuid();
  return allowed ? { uid: credentials.uid, pid: credentials.pid, description: `uid ${credentials.uid} pid ${credentials.pid}` } : null;
}
