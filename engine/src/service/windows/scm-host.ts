/**
 * Runs a long-lived job as a real Windows service. StartServiceCtrlDispatcherW blocks the calling
 * thread until the service stops, so it runs on a koffi worker thread (`.async`); ServiceMain and
 * HandlerEx are koffi callbacks that koffi marshals onto the JS thread, where the engine lives.
 */
import { SysmonTsError, asSysmonTsError } from "../../base";
import { ServiceStatusMachine } from "./service-status";
import { type Win32Api, win32 } from "./win32-api";
import type { ServiceStatus } from "./win32-constants";

/** What the host runs: started in ServiceMain, stopped by the SCM's STOP or SHUTDOWN. */
export interface HostedJob {
  stop(): Promise<void>;
  /** Resolves when the job ends by itself (engine.stop over the control channel, a fatal error). */
  readonly stopped: Promise<void>;
}

export interface ServiceHostOptions {
  readonly start: () => Promise<HostedJob>;
  readonly log: (level: "info" | "warn" | "error", message: string) => void;
  /** For tests of the glue; the real API otherwise. */
  readonly api?: Win32Api;
}

const ERROR_FAILED_SERVICE_CONTROLLER_CONNECT = 1063;

/** Resolves to the process exit code once the SCM's dispatcher returns. */
export function runAsWindowsService(serviceName: string, options: ServiceHostOptions): Promise<number> {
  const api = options.api ?? win32();
  const machine = new ServiceStatusMachine();
  let statusHandle: unknown = null;
  let job: HostedJob | undefined;
  let stopping: Promise<void> | undefined;

  const report = (status: ServiceStatus): void => {
    if (!statusHandle) return;
    if (!api.service.setStatus(statusHandle, status)) options.log("warn", `SetServiceStatus(${status.dwCurrentState}) failed: error ${api.getLastError()}`);
  };

  const stopJob = (): void => {
    stopping ??= (async () => {
      try {
        await job?.stop();
      } catch (error) {
        options.log("error", `stopping: ${asSysmonTsError(error).message}`);
      }
      report(machine.stopped());
    })();
  };

  const handler = api.koffi.register((control: number) => {
    const decision = machine.decide(control);
    if (decision.stop) {
      report(machine.stopping());
      // STOPPED is reported from the event loop, after HandlerEx has returned.
      setImmediate(stopJob);
    }
    return decision.result;
  }, api.service.handlerType);

  const serviceMain = api.koffi.register(() => {
    statusHandle = api.service.registerHandler(serviceName, handler);
    if (!statusHandle) {
      options.log("error", `RegisterServiceCtrlHandlerExW failed: error ${api.getLastError()}`);
      return;
    }
    report(machine.starting());
    options.start().then(
      (started) => {
        job = started;
        if (stopping) return;
        report(machine.running());
        options.log("info", `service ${serviceName} running (pid ${process.pid})`);
        started.stopped.then(() => {
          if (!stopping) {
            options.log("info", "the engine stopped by itself; reporting STOPPED");
            stopping = Promise.resolve();
            report(machine.stopped());
          }
        }, () => undefined);
      },
      (error: unknown) => {
        const failure = asSysmonTsError(error);
        options.log("error", `start failed: ${failure.message} [${failure.code}]`);
        stopping = Promise.resolve();
        report(machine.stopped({ exitCode: failure.exitCode }));
      },
    );
  }, api.service.serviceMainType);

  return new Promise<number>((resolve, reject) => {
    api.service.startDispatcherAsync(serviceName, serviceMain, (error: unknown, ok: boolean) => {
      const lastError = ok ? 0 : api.getLastError();
      api.koffi.unregister(serviceMain);
      api.koffi.unregister(handler);
      if (error) return reject(asSysmonTsError(error));
      if (!ok) {
        return reject(new SysmonTsError("SYSMONTS_E_WINDOWS_SERVICE", lastError === ERROR_FAILED_SERVICE_CONTROLLER_CONNECT
          ? "`service` is started by the Service Control Manager (sc start SysmonTs), not from a console"
          : `StartServiceCtrlDispatcherW failed: error ${lastError}`, { details: { win32Error: lastError } }));
      }
      resolve(0);
    });
  });
}
