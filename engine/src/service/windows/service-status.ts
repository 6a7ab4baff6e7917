/**
 * What the service reports to the SCM, as a small state machine kept apart from koffi so its
 * rules are tested on any platform:
 *  - START_PENDING with a wait hint and an increasing checkpoint while the engine starts;
 *  - RUNNING accepting STOP and SHUTDOWN;
 *  - STOP_PENDING reported from HandlerEx itself, STOPPED only afterwards from the event loop
 *    (reporting STOPPED inside HandlerEx makes `net stop` time out under Wine and races the SCM
 *    on Windows: notes/windows-build.md §2);
 *  - a failed start ends in STOPPED with ERROR_SERVICE_SPECIFIC_ERROR and our exit code.
 */
import {
  ERROR_CALL_NOT_IMPLEMENTED,
  ERROR_SUCCESS,
  SERVICE_ACCEPT_SHUTDOWN,
  SERVICE_ACCEPT_STOP,
  SERVICE_CONTROL_INTERROGATE,
  SERVICE_CONTROL_SHUTDOWN,
  SERVICE_CONTROL_STOP,
  SERVICE_RUNNING,
  SERVICE_START_PENDING,
  SERVICE_STOPPED,
  SERVICE_STOP_PENDING,
  SERVICE_WIN32_OWN_PROCESS,
  type ServiceStatus,
} from "./win32-constants";

const ERROR_SERVICE_SPECIFIC_ERROR = 1066;
const PENDING_WAIT_HINT_MS = 30_000;

export type ControlDecision = { readonly result: number; readonly stop: boolean };

export class ServiceStatusMachine {
  private state = SERVICE_STOPPED;
  private checkPoint = 0;

  get current(): number {
    return this.state;
  }

  starting(): ServiceStatus {
    return this.move(SERVICE_START_PENDING);
  }

  running(): ServiceStatus {
    return this.move(SERVICE_RUNNING);
  }

  stopping(): ServiceStatus {
    return this.move(SERVICE_STOP_PENDING);
  }

  stopped(failure?: { exitCode: number }): ServiceStatus {
    const status = this.move(SERVICE_STOPPED);
    return failure ? { ...status, dwWin32ExitCode: ERROR_SERVICE_SPECIFIC_ERROR, dwServiceSpecificExitCode: failure.exitCode } : status;
  }

  /** HandlerEx's answer to a control code, and whether the engine must now stop. */
  decide(control: number): ControlDecision {
    if (control === SERVICE_CONTROL_STOP || control === SERVICE_CONTROL_SHUTDOWN) {
      // A second STOP while stopping is acknowledged but starts nothing new.
      return { result: ERROR_SUCCESS, stop: this.state === SERVICE_RUNNING || this.state === SERVICE_START_PENDING };
    }
    if (control === SERVICE_CONTROL_INTERROGATE) return { result: ERROR_SUCCESS, stop: false };
    return { result: ERROR_CALL_NOT_IMPLEMENTED, stop: false };
  }

  private move(state: number): ServiceStatus {
    const pending = state === SERVICE_START_PENDING || state === SERVICE_STOP_PENDING;
    this.checkPoint = pending && state === this.state ? this.checkPoint + 1 : pending ? 1 : 0;
    this.state = state;
    return {
      dwServiceType: SERVICE_WIN32_OWN_PROCESS,
      dwCurrentState: state,
      dwControlsAccepted: state === SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0,
      dwWin32ExitCode: ERROR_SUCCESS,
      dwServiceSpecificExitCode: 0,
      dwCheckPoint: this.checkPoint,
      dwWaitHint: pending ? PENDING_WAIT_HINT_MS : 0,
    };
  }
}
