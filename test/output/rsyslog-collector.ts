// A real rsyslog started by the tests as the collector: UDP, TCP, TCP+TLS (gtls, with a CA
// and server certificate made by openssl) and a Unix datagram socket, all written raw to
// one file that the tests parse.
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Collector {
  readonly dir: string;
  readonly udpPort: number;
  readonly tcpPort: number;
  readonly tlsPort: number;
  readonly socketPath: string;
  readonly caFile: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The messages written so far: program name, hostname and message text. */
  messages(): { program: string; host: string; message: string }[];
  dispose(): Promise<void>;
}

export function createCollector(basePort: number): Collector {
  const dir = mkdtempSync(join(tmpdir(), "sysmonts-rsyslog-"));
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => void execFileSync("openssl", args, { stdio: "ignore" });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", file("ca.key"), "-out", file("ca.pem"), "-days", "2", "-subj", "/CN=SysmonTs Test CA");
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", file("server.key"), "-out", file("server.csr"), "-subj", "/CN=localhost");
  writeFileSync(file("ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  openssl("x509", "-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial", "-out", file("server.pem"), "-days", "2", "-extfile", file("ext"));
  const [udpPort, tcpPort, tlsPort] = [basePort, basePort + 1, basePort + 2];
  writeFileSync(
    file("rsyslog.conf"),
    [
      `global(workDirectory="${dir}" maxMessageSize="128k" defaultNetstreamDriverCAFile="${file("ca.pem")}" defaultNetstreamDriverCertFile="${file("server.pem")}" defaultNetstreamDriverKeyFile="${file("server.key")}")`,
      `module(load="imuxsock" SysSock.Use="off")`,
      `module(load="imudp")`,
      `module(load="imtcp" maxSessions="100" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")`,
      `template(name="raw" type="string" string="%programname%|%hostname%|%msg%\\n")`,
      `input(type="imuxsock" Socket="${file("log.sock")}" ruleset="out")`,
      `input(type="imudp" address="127.0.0.1" port="${udpPort}" ruleset="out")`,
      `input(type="imtcp" address="127.0.0.1" port="${tcpPort}" streamDriver.mode="0" ruleset="out")`,
      `input(type="imtcp" address="127.0.0.1" port="${tlsPort}" ruleset="out")`,
      `ruleset(name="out") { action(type="omfile" file="${file("out.log")}" template="raw") }`,
    ].join("\n") + "\n",
  );
  let child: ChildProcess | null = null;
  const collector: Collector = {
    dir,
    udpPort,
    tcpPort,
    tlsPort,
    socketPath: file("log.sock"),
    caFile: file("ca.pem"),
    async start() {
      rmSync(file("rsyslog.pid"), { force: true });
      child = spawn("rsyslogd", ["-n", "-f", file("rsyslog.conf"), "-i", file("rsyslog.pid")], { stdio: "ignore" });
      // Ready when it has written its pid file and bound the Unix socket.
      const deadline = Date.now() + 10_000;
      while (!(existsSync(file("rsyslog.pid")) && existsSync(file("log.sock")))) {
        if (Date.now() > deadline) throw new Error("rsyslogd did not start");
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, 200));
    },
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((r) => running.once("exit", r));
      running.kill("SIGTERM");
      await exited;
    },
    messages() {
      const path = file("out.log");
      if (!existsSync(path)) return [];
      return readFileSync(path, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((line) => {
          const [program, host, ...rest] = line.split("|");
          // RFC 3164 messages (the local socket) keep the space after "sysmon:".
          return { program: program!, host: host!, message: rest.join("|").replace(/^ /, "") };
        });
    },
    async dispose() {
      await collector.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return collector;
}
