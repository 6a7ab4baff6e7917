/**
 * Starts the clipboard agent (`SysmonTs.exe clipboard-agent`) in every active interactive session
 * and stops them when the service stops, because a service in session 0 cannot see a user's
 * clipboard (DESIGN.md, "How Sysmon itself works on Windows"). Sessions are listed with
 * WTSEnumerateSessionsW every few seconds; an agent starts under the session user's token
 * (WTSQueryUserToken, which needs LocalSystem's SeTcbPrivilege) through CreateProcessAsUserW on
 * winsta0\default, and the service connects to the agent's pipe (clipboard-agent.ts says why).
 *
 * Wine has no user tokens for sessions (WTSQueryUserToken fails there), so this launcher can be
 * proven only on a real Windows machine; the agent and the service's reader are proven under Wine
 * by test/windows/clipboard-wine.test.ts.
 */
import { randomBytes } from "node:crypto";
import koffi from "koffi";
import type { ClipboardSensor } from "../../sensor";

const WTS_ACTIVE = 0;
const CREATE_NO_WINDOW = 0x08000000;
const CREATE_UNICODE_ENVIRONMENT = 0x00000400;
const STILL_ACTIVE = 259;
/** WTS_SESSION_INFOW on x64: DWORD SessionId, LPWSTR pWinStationName, WTS_CONNECTSTATE_CLASS State. */
const SESSION_INFO_BYTES = 24;

interface LauncherApi {
  activeSessions(): number[];
  launch(sessionId: number, exe: string, commandLine: string): { handle: unknown; pid: number } | { error: number; step: string };
  isRunning(handle: unknown): boolean;
  terminate(handle: unknown): void;
}

function bindLauncherApi(): LauncherApi {
  const kernel32 = koffi.load("kernel32.dll");
  const wtsapi32 = koffi.load("wtsapi32.dll");
  const advapi32 = koffi.load("advapi32.dll");
  const userenv = koffi.load("userenv.dll");
  const GetLastError = kernel32.func("uint32 __stdcall GetLastError()");
  const CloseHandle = kernel32.func("bool __stdcall CloseHandle(void *handle)");
  const TerminateProcess = kernel32.func("bool __stdcall TerminateProcess(void *process, uint32 code)");
  const GetExitCodeProcess = kernel32.func("bool __stdcall GetExitCodeProcess(void *process, _Out_ uint32 *code)");
  const WTSEnumerateSessionsW = wtsapi32.func("bool __stdcall WTSEnumerateSessionsW(void *server, uint32 reserved, uint32 version, _Out_ void **sessions, _Out_ uint32 *count)");
  const WTSFreeMemory = wtsapi32.func("void __stdcall WTSFreeMemory(void *memory)");
  const WTSQueryUserToken = wtsapi32.func("bool __stdcall WTSQueryUserToken(uint32 session, _Out_ void **token)");
  const CreateEnvironmentBlock = userenv.func("bool __stdcall CreateEnvironmentBlock(_Out_ void **environment, void *token, bool inherit)");
  const DestroyEnvironmentBlock = userenv.func("bool __stdcall DestroyEnvironmentBlock(void *environment)");
  koffi.struct("SYSMONTS_STARTUPINFOW", {
    cb: "uint32", lpReserved: "str16", lpDesktop: "str16", lpTitle: "str16", dwX: "uint32", dwY: "uint32", dwXSize: "uint32", dwYSize: "uint32",
    dwXCountChars: "uint32", dwYCountChars: "uint32", dwFillAttribute: "uint32", dwFlags: "uint32", wShowWindow: "uint16", cbReserved2: "uint16",
    lpReserved2: "void *", hStdInput: "void *", hStdOutput: "void *", hStdError: "void *",
  });
  koffi.struct("SYSMONTS_PROCESS_INFORMATION", { hProcess: "void *", hThread: "void *", dwProcessId: "uint32", dwThreadId: "uint32" });
  const CreateProcessAsUserW = advapi32.func(
    "bool __stdcall CreateProcessAsUserW(void *token, str16 application, str16 commandLine, void *processAttributes, void *threadAttributes, bool inherit, uint32 flags, void *environment, str16 directory, const SYSMONTS_STARTUPINFOW *startup, _Out_ SYSMONTS_PROCESS_INFORMATION *info)",
  );
  return {
    activeSessions() {
      const sessions: unknown[] = [null];
      const count = [0];
      if (!WTSEnumerateSessionsW(null, 0, 1, sessions, count)) return [];
      try {
        const raw = Buffer.from(koffi.decode(sessions[0], koffi.array("uint8_t", (count[0] ?? 0) * SESSION_INFO_BYTES, "Typed")) as Uint8Array);
        const active: number[] = [];
        for (let i = 0; i < (count[0] ?? 0); i++) {
          const at = i * SESSION_INFO_BYTES;
          // Session 0 is the services' session: no user clipboard there.
          if (raw.readUInt32LE(at + 16) === WTS_ACTIVE && raw.readUInt32LE(at) !== 0) active.push(raw.readUInt32LE(at));
        }
        return active;
      } finally {
        WTSFreeMemory(sessions[0]);
      }
    },
    launch(sessionId, exe, commandLine) {
      const token: unknown[] = [null];
      if (!WTSQueryUserToken(sessionId, token)) return { error: GetLastError() as number, step: "WTSQueryUserToken" };
      const environment: unknown[] = [null];
      try {
        const haveEnvironment = CreateEnvironmentBlock(environment, token[0], false) as boolean;
        const info = { hProcess: null, hThread: null, dwProcessId: 0, dwThreadId: 0 };
        const startup = { cb: koffi.sizeof("SYSMONTS_STARTUPINFOW"), lpDesktop: "winsta0\\default" };
        const flags = CREATE_NO_WINDOW | (haveEnvironment ? CREATE_UNICODE_ENVIRONMENT : 0);
        const ok = CreateProcessAsUserW(token[0], exe, commandLine, null, null, false, flags, haveEnvironment ? environment[0] : null, null, startup, info) as boolean;
        if (haveEnvironment) DestroyEnvironmentBlock(environment[0]);
        if (!ok) return { error: GetLastError() as number, step: "CreateProcessAsUserW" };
        CloseHandle(info.hThread);
        return { handle: info.hProcess, pid: info.dwProcessId };
      } finally {
        CloseHandle(token[0]);
      }
    },
    isRunning(handle) {
      const code = [0];
      return (GetExitCodeProcess(handle, code) as boolean) && code[0] === STILL_ACTIVE;
    },
    terminate(handle) {
      TerminateProcess(handle, 0);
      CloseHandle(handle);
    },
  };
}

export interface ClipboardAgentLauncherOptions {
  /** The service's own executable (SysmonTs.exe), which carries the clipboard-agent subcommand. */
  readonly exe: string;
  readonly sensor: ClipboardSensor;
  /** How often sessions are listed (default 5000 ms). */
  readonly scanIntervalMs?: number;
  readonly log: (level: "info" | "warn", message: string) => void;
}

interface RunningAgent {
  readonly handle: unknown;
  readonly pid: number;
  readonly pipeName: string;
}

export class ClipboardAgentLauncher {
  private readonly api = bindLauncherApi();
  private readonly agents = new Map<number, RunningAgent>();
  private readonly failedSessions = new Set<number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: ClipboardAgentLauncherOptions) {
    this.scan();
    this.timer = setInterval(() => this.scan(), options.scanIntervalMs ?? 5000);
  }

  /** Starts agents for new active sessions and forgets those whose agent or session has ended. */
  private scan(): void {
    const active = new Set(this.api.activeSessions());
    for (const [sessionId, agent] of this.agents) {
      if (active.has(sessionId) && this.api.isRunning(agent.handle)) continue;
      this.options.sensor.detach(agent.pipeName);
      this.api.terminate(agent.handle);
      this.agents.delete(sessionId);
    }
    for (const sessionId of active) {
      if (this.agents.has(sessionId)) continue;
      const pipeName = `\\\\.\\pipe\\SysmonTs-clipboard-${sessionId}-${randomBytes(8).toString("hex")}`;
      const result = this.api.launch(sessionId, this.options.exe, `"${this.options.exe}" clipboard-agent --pipe ${pipeName}`);
      if ("error" in result) {
        // Logged once per session, not every scan.
        if (!this.failedSessions.has(sessionId)) this.options.log("warn", `clipboard agent for session ${sessionId} not started: ${result.step} failed with Win32 error ${result.error}`);
        this.failedSessions.add(sessionId);
        continue;
      }
      this.failedSessions.delete(sessionId);
      this.agents.set(sessionId, { handle: result.handle, pid: result.pid, pipeName });
      this.options.sensor.attach(pipeName);
      this.options.log("info", `clipboard agent ${result.pid} started in session ${sessionId}`);
    }
  }

  close(): void {
    clearInterval(this.timer);
    for (const agent of this.agents.values()) {
      this.options.sensor.detach(agent.pipeName);
      this.api.terminate(agent.handle);
    }
    this.agents.clear();
  }
}

/**
 * CaptureClipboard as it changes with the config (config.set, reload, reset): starts the agents
 * when it turns on, stops them when it turns off, without restarting the service.
 */
export class ClipboardAgentSwitch {
  private running: { close(): void } | undefined;
  private closed = false;

  constructor(private readonly start: () => { close(): void }) {}

  set(capture: boolean): void {
    if (this.closed) return;
    if (capture && this.running === undefined) this.running = this.start();
    else if (!capture && this.running !== undefined) {
      this.running.close();
      this.running = undefined;
    }
  }

  get capturing(): boolean {
    return this.running !== undefined;
  }

  /** Stops the agents for good: a config applied while the service stops starts nothing. */
  close(): void {
    this.set(false);
    this.closed = true;
  }
}
