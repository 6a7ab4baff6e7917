/**
 * Installs and removes the kernel driver as Sysmon's installer does (spec/cli-and-output.md §3.1):
 * a SERVICE_FILE_SYSTEM_DRIVER in the "FSFilter Activity Monitor" group depending on FltMgr, with
 * the minifilter's Instances/Altitude values, then started. MSI cannot create driver services
 * (its ServiceInstall table covers only Win32 services), so the MSI runs `SysmonTs.exe driver
 * install` as a deferred custom action.
 */
import { SysmonTsError } from "../../base";
import type { WindowsLayout } from "./layout";
import { type Win32Api, win32 } from "./win32-api";
import {
  ERROR_FILE_NOT_FOUND,
  ERROR_SERVICE_ALREADY_RUNNING,
  ERROR_SERVICE_DATABASE_LOCKED,
  ERROR_SERVICE_DOES_NOT_EXIST,
  ERROR_SERVICE_MARKED_FOR_DELETE,
  ERROR_SERVICE_NOT_ACTIVE,
  ERROR_SUCCESS,
  SERVICE_CONTROL_STOP,
  SERVICE_FILE_SYSTEM_DRIVER,
  SERVICE_STOPPED,
  SERVICE_SYSTEM_START,
} from "./win32-constants";

export interface DriverInstallResult {
  readonly created: boolean;
  readonly started: boolean;
  /** Win32 error of the last StartServiceW, 0 when it started or was running. */
  readonly startError: number;
}

function fail(api: Win32Api, what: string): never {
  const error = api.getLastError();
  throw new SysmonTsError("SYSMONTS_E_WINDOWS_SERVICE", `${what} failed: Win32 error ${error}`, { details: { win32Error: error } });
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The minifilter registration Filter Manager reads when the driver calls FltRegisterFilter. */
export function minifilterRegistryValues(layout: WindowsLayout): Record<string, Record<string, string | number>> {
  const instance = `${layout.driverName} Instance`;
  return {
    [layout.driverServiceKey]: { SupportedFeatures: 3 },
    [`${layout.driverServiceKey}\\Instances`]: { DefaultInstance: instance },
    [`${layout.driverServiceKey}\\Instances\\${instance}`]: { Altitude: layout.altitude, Flags: 0 },
  };
}

/**
 * Creates the driver service when missing (pointing at `sysFile`), writes the minifilter values
 * and starts it. Idempotent: a repair or upgrade finds it installed and running.
 */
export function installDriverService(layout: WindowsLayout, options: { sysFile: string; api?: Win32Api }): DriverInstallResult {
  const api = options.api ?? win32();
  const scm = api.openScManager() || fail(api, "OpenSCManagerW");
  try {
    let created = false;
    let service = api.openService(scm, layout.driverName);
    if (!service) {
      service = api.createService(scm, {
        name: layout.driverName, displayName: layout.driverName, type: SERVICE_FILE_SYSTEM_DRIVER, start: SERVICE_SYSTEM_START,
        binaryPath: options.sysFile, group: "FSFilter Activity Monitor", dependencies: ["FltMgr"],
      }) || fail(api, `CreateServiceW(${layout.driverName})`);
      created = true;
    }
    try {
      for (const [key, values] of Object.entries(minifilterRegistryValues(layout))) {
        const rc = api.setRegistryValues(key, values);
        if (rc !== ERROR_SUCCESS) throw new SysmonTsError("SYSMONTS_E_WINDOWS_SERVICE", `writing HKLM\\${key} failed: Win32 error ${rc}`, { details: { win32Error: rc } });
      }
      // The SCM database is locked for a while after boot and during other installs (1055).
      let startError = 0;
      for (let attempt = 0; attempt < 20; attempt++) {
        startError = api.startService(service) ? 0 : api.getLastError();
        if (startError !== ERROR_SERVICE_DATABASE_LOCKED) break;
        sleepSync(500);
      }
      if (startError === ERROR_SERVICE_ALREADY_RUNNING) startError = 0;
      return { created, started: startError === 0, startError };
    } finally {
      api.closeServiceHandle(service);
    }
  } finally {
    api.closeServiceHandle(scm);
  }
}

export interface DriverRemoveResult {
  readonly existed: boolean;
  readonly stopped: boolean;
  /** True when Windows deletes the service only after a reboot (the driver could not unload). */
  readonly rebootRequired: boolean;
}

/** Stops and deletes the driver service; absent is success. */
export function removeDriverService(layout: WindowsLayout, options: { api?: Win32Api } = {}): DriverRemoveResult {
  const api = options.api ?? win32();
  const scm = api.openScManager() || fail(api, "OpenSCManagerW");
  try {
    const service = api.openService(scm, layout.driverName);
    if (!service) {
      const error = api.getLastError();
      if (error === ERROR_SERVICE_DOES_NOT_EXIST) return { existed: false, stopped: true, rebootRequired: false };
      fail(api, `OpenServiceW(${layout.driverName})`);
    }
    try {
      const control = api.controlService(service, SERVICE_CONTROL_STOP);
      const stopError = control.ok ? 0 : api.getLastError();
      let state = control.state;
      for (let i = 0; i < 20 && state !== SERVICE_STOPPED && (stopError === 0 || stopError === ERROR_SERVICE_NOT_ACTIVE); i++) {
        sleepSync(250);
        state = api.queryServiceState(service);
      }
      const stopped = state === SERVICE_STOPPED || stopError === ERROR_SERVICE_NOT_ACTIVE;
      const deleted = api.deleteService(service) || api.getLastError() === ERROR_SERVICE_MARKED_FOR_DELETE;
      if (!deleted) fail(api, `DeleteService(${layout.driverName})`);
      return { existed: true, stopped, rebootRequired: !stopped };
    } finally {
      api.closeServiceHandle(service);
    }
  } finally {
    api.closeServiceHandle(scm);
  }
}

/** Removes the product's own registry key; absent is success. */
export function removeProductRegistry(layout: WindowsLayout, options: { api?: Win32Api } = {}): void {
  const api = options.api ?? win32();
  for (const key of [layout.productKey, layout.driverParametersKey]) {
    const rc = api.deleteRegistryTree(key);
    if (rc !== ERROR_SUCCESS && rc !== ERROR_FILE_NOT_FOUND) {
      throw new SysmonTsError("SYSMONTS_E_WINDOWS_SERVICE", `deleting HKLM\\${key} failed: Win32 error ${rc}`, { details: { win32Error: rc } });
    }
  }
}
