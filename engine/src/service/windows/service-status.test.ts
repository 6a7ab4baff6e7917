import { ServiceStatusMachine } from "./service-status";
import {
  ERROR_CALL_NOT_IMPLEMENTED,
  SERVICE_ACCEPT_SHUTDOWN,
  SERVICE_ACCEPT_STOP,
  SERVICE_CONTROL_INTERROGATE,
  SERVICE_CONTROL_SHUTDOWN,
  SERVICE_CONTROL_STOP,
  SERVICE_RUNNING,
  SERVICE_START_PENDING,
  SERVICE_STOPPED,
  SERVICE_STOP_PENDING,
} from "./win32-constants";

describe("service status reported to the SCM", () => {
  it("walks START_PENDING → RUNNING → STOP_PENDING → STOPPED with hints only while pending", () => {
    const machine = new ServiceStatusMachine();
    const starting = machine.starting();
    expect(starting).toMatchObject({ dwServiceType: 0x10, dwCurrentState: SERVICE_START_PENDING, dwControlsAccepted: 0, dwCheckPoint: 1 });
    expect(starting.dwWaitHint).toBeGreaterThan(0);
    expect(machine.starting().dwCheckPoint).toBe(2);
    expect(machine.running()).toMatchObject({ dwCurrentState: SERVICE_RUNNING, dwControlsAccepted: SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN, dwCheckPoint: 0, dwWaitHint: 0 });
    expect(machine.stopping()).toMatchObject({ dwCurrentState: SERVICE_STOP_PENDING, dwCheckPoint: 1, dwControlsAccepted: 0 });
    expect(machine.stopped()).toMatchObject({ dwCurrentState: SERVICE_STOPPED, dwWin32ExitCode: 0, dwCheckPoint: 0 });
  });

  it("asks for a stop on STOP and SHUTDOWN only while running or starting, never twice", () => {
    const machine = new ServiceStatusMachine();
    machine.starting();
    machine.running();
    expect(machine.decide(SERVICE_CONTROL_STOP)).toEqual({ result: 0, stop: true });
    machine.stopping();
    expect(machine.decide(SERVICE_CONTROL_SHUTDOWN)).toEqual({ result: 0, stop: false });
    expect(machine.decide(SERVICE_CONTROL_INTERROGATE)).toEqual({ result: 0, stop: false });
    expect(machine.decide(0x0b /* SERVICE_CONTROL_PRESHUTDOWN, not accepted */)).toEqual({ result: ERROR_CALL_NOT_IMPLEMENTED, stop: false });
  });

  it("reports a failed start as a service-specific error carrying our exit code", () => {
    const machine = new ServiceStatusMachine();
    machine.starting();
    expect(machine.stopped({ exitCode: 3 })).toMatchObject({ dwCurrentState: SERVICE_STOPPED, dwWin32ExitCode: 1066, dwServiceSpecificExitCode: 3 });
  });
});
