import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { peerCredentials, rootOnlyPeer } from "./peer-credentials";

describe("peer credentials", () => {
  let dir: string;
  let server: net.Server;
  const seen: (ReturnType<typeof rootOnlyPeer> | "none")[] = [];
  let credentials: ReturnType<typeof peerCredentials>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "sysmonts-peer-"));
    chmodSync(dir, 0o755);
    server = net.createServer({ pauseOnConnect: true }, (socket) => {
      credentials = peerCredentials(socket);
      seen.push(rootOnlyPeer(socket) ?? "none");
      socket.end("bye\n");
      socket.resume();
    });
    await new Promise<void>((resolve) => server.listen(path.join(dir, "s.sock"), resolve));
    // World-writable on purpose: only the credential check stands between others and the engine.
    chmodSync(path.join(dir, "s.sock"), 0o666);
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads the connecting process's pid and uid from the kernel", async () => {
    await new Promise<void>((resolve) => {
      const client = net.connect(path.join(dir, "s.sock")).on("data", () => {
        client.destroy();
        resolve();
      });
    });
    expect(credentials).toEqual({ pid: process.pid, uid: process.getuid?.(), gid: process.getgid?.() });
    expect(seen.at(-1)).toMatchObject({ uid: process.getuid?.(), pid: process.pid });
  });

  it("refuses an unprivileged user even when the socket file lets it connect", async () => {
    if (process.getuid?.() !== 0) throw new Error("this test needs root: it connects as user 'nobody'");
    const nobody = Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" }).trim());
    const script = `require("net").connect(${JSON.stringify(path.join(dir, "s.sock"))}).on("data", d => process.stdout.write(d))`;
    const child = spawn(process.execPath, ["-e", script], { uid: nobody, gid: nobody, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    await new Promise((r) => child.on("exit", r));
    expect(out).toBe("bye\n");
    expect(seen.at(-1)).toBe("none");
  });
});
