/**
 * The clipboard agent (`SysmonTs.exe clipboard-agent --pipe NAME`): runs in a user's interactive
 * session, because the service in session 0 cannot see that session's clipboard (the reason
 * Sysmon starts a helper per session, spec/cli-and-output.md §2 `-z`). A message-only window
 * registered with AddClipboardFormatListener hears WM_CLIPBOARDUPDATE; the agent then reads
 * CF_UNICODETEXT, the owner's pid and session, and serves one JSON line per change to the
 * service, which connects to the agent's pipe as a client.
 *
 * Why the service is the client: a pipe Node creates carries the default DACL, which gives the
 * creator and LocalSystem full control and everyone else read access. The agent (the user) owns
 * its pipe, so the service (LocalSystem) can connect to it, while no other user can write to it.
 * libuv creates the first instance with FILE_FLAG_FIRST_PIPE_INSTANCE, so a squatter that took
 * the name first makes the agent fail at start instead of being read in its place.
 */
import net from "node:net";
import { SysmonTsError } from "../../base";
import { type ClipboardWin32, type NativeHandle, WM_CLIPBOARDUPDATE, clipboardWin32 } from "./clipboard-win32";
import { clientInfoText, encodeClipboardMessage } from "./clipboard-protocol";

export interface ClipboardAgentOptions {
  /** `\\.\pipe\...` the agent listens on. */
  readonly pipeName: string;
  /** How often the window's message queue is pumped (default 50 ms). */
  readonly pollIntervalMs?: number;
  /** Changes kept while no service is connected (default 32); older ones are dropped and counted. */
  readonly backlogLimit?: number;
  readonly log?: (message: string) => void;
}

export interface ClipboardAgentStats {
  readonly updates: number;
  readonly sent: number;
  /** Updates with no CF_UNICODETEXT (images, files): Sysmon logs text only. */
  readonly notText: number;
  /** Changes dropped because no service read them in time. */
  readonly dropped: number;
  readonly clients: number;
}

/** Attempts at OpenClipboard per update: the owner may still hold the clipboard open for a moment. */
const READ_ATTEMPTS = 5;
let windowCounter = 0;

export class ClipboardAgent implements AsyncDisposable {
  private readonly api: ClipboardWin32;
  private readonly className = `SysmonTsClipboardAgent${process.pid}_${++windowCounter}`;
  private readonly window: NativeHandle;
  private readonly clients = new Set<net.Socket>();
  private readonly backlog: string[] = [];
  private readonly clientInfoBySession = new Map<number, string>();
  private pendingAttempts = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private counters = { updates: 0, sent: 0, notText: 0, dropped: 0 };

  private constructor(private readonly server: net.Server, private readonly options: ClipboardAgentOptions) {
    this.api = clipboardWin32();
    this.window = this.api.createMessageWindow(this.className, (message) => {
      if (message !== WM_CLIPBOARDUPDATE) return;
      this.counters.updates++;
      this.pendingAttempts = READ_ATTEMPTS;
    });
    if (!this.api.addClipboardFormatListener(this.window)) {
      const error = this.api.getLastError();
      this.api.destroyMessageWindow(this.window, this.className);
      throw new SysmonTsError("SYSMONTS_E_SENSOR", `AddClipboardFormatListener failed: Win32 error ${error}`);
    }
    server.on("connection", (socket) => this.accept(socket));
    this.timer = setInterval(() => this.poll(), options.pollIntervalMs ?? 50);
  }

  static async start(options: ClipboardAgentOptions): Promise<ClipboardAgent> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error) => reject(new SysmonTsError("SYSMONTS_E_SENSOR", `cannot listen on ${options.pipeName}: ${error.message}`, { cause: error })));
      server.listen(options.pipeName, () => resolve());
    });
    try {
      return new ClipboardAgent(server, options);
    } catch (error) {
      server.close();
      throw error;
    }
  }

  stats(): ClipboardAgentStats {
    return { ...this.counters, clients: this.clients.size };
  }

  private accept(socket: net.Socket): void {
    this.clients.add(socket);
    socket.on("close", () => this.clients.delete(socket));
    socket.on("error", () => socket.destroy());
    // The agent never reads from the service; anything it sends is ignored.
    socket.resume();
    for (const line of this.backlog.splice(0)) this.send(line);
  }

  private poll(): void {
    this.api.pumpMessages();
    if (this.pendingAttempts === 0) return;
    this.pendingAttempts--;
    const text = this.api.readUnicodeText(this.window);
    if (text === null) {
      // Not openable yet (retry next tick), or no text at all once the attempts run out.
      if (this.pendingAttempts === 0) this.counters.notText++;
      return;
    }
    this.pendingAttempts = 0;
    const pid = this.api.clipboardOwnerPid();
    const sessionId = (pid === 0 ? null : this.api.sessionOf(pid)) ?? this.api.sessionOf(process.pid) ?? 0;
    this.send(encodeClipboardMessage({ timeMs: Date.now(), pid, sessionId, clientInfo: this.clientInfo(sessionId), text }));
  }

  /** Per session: who is logged on and from where does not change while the session lives. */
  private clientInfo(sessionId: number): string {
    let info = this.clientInfoBySession.get(sessionId);
    if (info === undefined) {
      info = clientInfoText(this.api.sessionClient(sessionId));
      this.clientInfoBySession.set(sessionId, info);
    }
    return info;
  }

  private send(line: string): void {
    if (this.clients.size === 0) {
      this.backlog.push(line);
      if (this.backlog.length > (this.options.backlogLimit ?? 32)) {
        this.backlog.shift();
        this.counters.dropped++;
      }
      return;
    }
    for (const socket of this.clients) socket.write(line);
    this.counters.sent++;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.api.removeClipboardFormatListener(this.window);
    this.api.destroyMessageWindow(this.window, this.className);
    for (const socket of this.clients) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
