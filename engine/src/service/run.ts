import { SysmonTsError } from "../base";
import { type ControlServer, startControlServer } from "../control";
import { openLinuxSensor } from "../sensor";
import { Engine, type EngineOptions, type Platform } from "./engine";
import { rootOnlyPeer } from "./linux/peer-credentials";
import { engineMethods } from "./methods";

export interface RunEngineOptions extends Omit<EngineOptions, "openSensor"> {
  /** Stop on SIGINT/SIGTERM (the foreground run and the service); off in tests. */
  readonly handleSignals?: boolean;
  /** Replaces the platform sensor (the Windows service passes its own). */
  readonly openSensor?: EngineOptions["openSensor"];
}

export interface RunningEngine {
  readonly engine: Engine;
  readonly control: ControlServer | undefined;
  /** Resolves once the engine has stopped, for whatever reason. */
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
}

function platformSensor(platform: Platform): EngineOptions["openSensor"] {
  if (platform === "linux") return (enabledEvents) => openLinuxSensor({ selfPid: process.pid, enabledEvents });
  return () => {
    throw new SysmonTsError("SYSMONTS_E_SENSOR", "the Windows sensor is opened by the Windows service host");
  };
}

/**
 * Starts the engine and its control channel and keeps them running until stop(), engine.stop
 * over the control channel, or a signal. The same loop serves `run`, `-t` and the service.
 */
export async function runEngine(options: RunEngineOptions): Promise<RunningEngine> {
  const engine = await Engine.start({ ...options, openSensor: options.openSensor ?? platformSensor(options.platform) });
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  let control: ControlServer | undefined;
  let stopping: Promise<void> | undefined;

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await control?.close();
      await engine.stop();
      resolveStopped();
    })();
    return stopping;
  };
  const onSignal = (): void => {
    void stop();
  };

  const endpoint = options.settings.control.endpoint;
  if (endpoint !== null) {
    try {
      control = await startControlServer({
        endpoint,
        methods: engineMethods(engine, { requestStop: () => void stop() }),
        // Linux: SO_PEERCRED, root only. Windows: the pipe keeps the default security of a pipe
        // created by a LocalSystem service (full control for LocalSystem and Administrators,
        // read-only for Everyone); libuv opens clients for read and write, so anyone else is
        // refused by the kernel before connecting. Node exposes no pipe handle to check the
        // client's token as well; only a real Windows machine can confirm this (README).
        ...(options.platform === "linux" ? { identifyPeer: rootOnlyPeer } : {}),
        log: (level, message) => options.log?.(level, message),
      });
    } catch (error) {
      await engine.stop();
      throw error;
    }
  }
  if (options.handleSignals) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  return { engine, control, stopped, stop };
}
