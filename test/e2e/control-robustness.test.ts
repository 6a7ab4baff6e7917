import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT, requireRoot, sysmonts, waitFor } from "../support/cli";

// The real engine (real sensor, store and control socket) in the foreground, fed thousands of
// malformed and abusive control messages. Afterwards it must still answer, still record
// events, and an exclude rule must still drop what it names.

const CONFIG = `<Sysmon schemaversion="4.90">
  <EventFiltering>
    <RuleGroup name="" groupRelation="or">
      <ProcessCreate onmatch="exclude">
        <CommandLine condition="contains">excluded-by-rule</CommandLine>
      </ProcessCreate>
    </RuleGroup>
  </EventFiltering>
</Sysmon>
`;

function send(endpoint: string, payload: Buffer | string, options: { end?: boolean; waitMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(endpoint);
    let got = "";
    const done = (): void => {
      socket.destroy();
      resolve(got);
    };
    socket.on("connect", () => {
      socket.write(payload);
      if (options.end) socket.end();
      setTimeout(done, options.waitMs ?? 100);
    });
    socket.on("data", (d) => (got += d.toString()));
    socket.on("error", done);
  });
}

function randomPayload(i: number): Buffer | string {
  switch (i % 8) {
    case 0:
      return Buffer.from(Array.from({ length: 1 + (i % 300) }, (_, k) => (i * 31 + k * 7) % 256));
    case 1:
      return `{"jsonrpc":"2.0","id":${i},"method":"status"`;
    case 2:
      return `{"jsonrpc":"2.0","id":${i},"method":${i},"params":[]}\n`;
    case 3:
      return `{"jsonrpc":"2.0","id":${i},"method":"events.query","params":{"ids":"one","max":-5}}\n`;
    case 4:
      return `{"jsonrpc":"2.0","id":${i},"method":"config.set","params":{"xml":"<Sysmon schemaversion=\\"4.90\\"><EventFiltering><Nope/></EventFiltering></Sysmon>"}}\n`;
    case 5:
      return `[${Array.from({ length: 20 }, (_, k) => `{"jsonrpc":"2.0","id":${k},"method":"no.such.method"}`).join(",")}]\n`;
    case 6:
      return `{"jsonrpc":"2.0","id":${i},"method":"events.query","params":{"where":[{"field":"Image","op":"regex","value":"x"}]}}\n`;
    default:
      return "\n\n\u0000\u0001{}\n[]\nnull\n";
  }
}

describe("the running engine under hostile control traffic", () => {
  let dir: string;
  let endpoint: string;
  let engine: ChildProcess;
  let stderr = "";

  beforeAll(async () => {
    requireRoot("the control-channel robustness test");
    dir = mkdtempSync(path.join(os.tmpdir(), "sysmonts-fuzz-"));
    endpoint = path.join(dir, "run", "control.sock");
    writeFileSync(path.join(dir, "config.xml"), CONFIG);
    engine = spawn(process.execPath, [path.join(REPO_ROOT, "bin", "sysmonts.cjs"), "run", "--quiet", "--config", path.join(dir, "config.xml"), "--store", path.join(dir, "events.db"), "--control", endpoint], { stdio: ["ignore", "ignore", "pipe"] });
    engine.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    await waitFor(() => (sysmonts(["status", "--control", endpoint]).status === 0 ? true : undefined), { what: `the engine to answer (stderr: ${stderr})`, timeoutMs: 30_000 });
  });
  afterAll(async () => {
    engine.kill("SIGTERM");
    await new Promise((r) => engine.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers malformed requests with JSON-RPC errors", async () => {
    const answer = await send(endpoint, '{"jsonrpc":"2.0","id":7,"method":"events.query","params":{"ids":"x"}}\n');
    expect(JSON.parse(answer)).toMatchObject({ id: 7, error: { code: -32602 } });
    const parse = await send(endpoint, "not json\n");
    expect(JSON.parse(parse)).toMatchObject({ id: null, error: { code: -32700 } });
  });

  it("survives thousands of malformed, oversized, half-closed and concurrent clients", async () => {
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 500 }, (_, i) => send(endpoint, randomPayload(round * 500 + i), { end: i % 3 === 0, waitMs: 50 })));
    }
    await send(endpoint, Buffer.alloc(3 * 1024 * 1024, 0x7b), { waitMs: 300 });
    // A subscriber that never reads while events flow: it must be cut off, not buffered forever.
    const slow = net.connect(endpoint);
    slow.write('{"jsonrpc":"2.0","id":1,"method":"events.subscribe","params":{}}\n');
    slow.pause();
    const clients = await Promise.all(Array.from({ length: 1000 }, () => send(endpoint, '{"jsonrpc":"2.0","id":1,"method":"schema","params":{"id":1}}\n', { waitMs: 2000 })));
    expect(clients.filter((c) => c.includes('"result"')).length + clients.filter((c) => c.includes("too many")).length).toBe(1000);
    slow.destroy();
    const status = JSON.parse(sysmonts(["status", "--json", "--control", endpoint]).stdout) as { pid: number };
    expect(status.pid).toBe(engine.pid);
  });

  it("still records events, and the exclude rule still drops the one it names", async () => {
    const tag = `fuzzed${Date.now()}`;
    spawnSync("/bin/echo", [`${tag}-kept`], { stdio: "ignore" });
    spawnSync("/bin/echo", [`${tag}-excluded-by-rule`], { stdio: "ignore" });
    // Exact command lines: the query commands' own command lines carry the tag too.
    const events = (commandLine: string): string[] =>
      sysmonts(["query", "--control", endpoint, "--id", "1", "--where", `CommandLine=${commandLine}`, "--format", "json"]).stdout.trim().split("\n").filter((l) => l !== "");
    const kept = await waitFor(() => {
      const found = events(`/bin/echo ${tag}-kept`);
      return found.length > 0 ? found : undefined;
    }, { what: "the kept event" });
    expect(kept).toHaveLength(1);
    expect(events(`/bin/echo ${tag}-excluded-by-rule`)).toEqual([]);
    const status = JSON.parse(sysmonts(["status", "--json", "--control", endpoint]).stdout) as { events: Record<string, { excluded: number }> };
    expect(status.events["1"]?.excluded).toBeGreaterThanOrEqual(1);
  });

  it("refuses an unprivileged user before any method runs", () => {
    const nobody = Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" }).trim());
    // The socket's directory is 0700 and the socket 0600, so the kernel already refuses 'nobody'.
    const script = `const s=require("net").connect(${JSON.stringify(endpoint)});s.on("error",e=>{console.log("refused:"+e.code)});s.on("data",d=>console.log("answered:"+d));s.on("connect",()=>s.write('{"jsonrpc":"2.0","id":1,"method":"engine.stop"}\\n'))`;
    const asNobody = spawnSync(process.execPath, ["-e", script], { uid: nobody, gid: nobody, encoding: "utf8", timeout: 10_000 });
    expect(asNobody.stdout.trim()).toBe("refused:EACCES");
    // Even with the file modes opened up, the engine's peer-credential check refuses the user.
    chmodSync(dir, 0o755);
    chmodSync(path.dirname(endpoint), 0o755);
    chmodSync(endpoint, 0o666);
    const opened = spawnSync(process.execPath, ["-e", script], { uid: nobody, gid: nobody, encoding: "utf8", timeout: 10_000 });
    expect(opened.stdout).toMatch(/answered:.*SYSMONTS_E_RPC_DENIED/);
    chmodSync(endpoint, 0o600);
    chmodSync(path.dirname(endpoint), 0o700);
    chmodSync(dir, 0o700);
    expect(sysmonts(["status", "--control", endpoint]).status).toBe(0);
  });
});
