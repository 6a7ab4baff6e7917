/** Values from winsvc.h and winerror.h used by the service host and the installer. */
export const SERVICE_WIN32_OWN_PROCESS = 0x10;
export const SERVICE_FILE_SYSTEM_DRIVER = 0x2;
export const SERVICE_SYSTEM_START = 1;
export const SERVICE_AUTO_START = 2;
export const SERVICE_DEMAND_START = 3;
export const SERVICE_ERROR_NORMAL = 1;

export const SERVICE_STOPPED = 1;
export const SERVICE_START_PENDING = 2;
export const SERVICE_STOP_PENDING = 3;
export const SERVICE_RUNNING = 4;

export const SERVICE_CONTROL_STOP = 1;
export const SERVICE_CONTROL_INTERROGATE = 4;
export const SERVICE_CONTROL_SHUTDOWN = 5;
export const SERVICE_ACCEPT_STOP = 1;
export const SERVICE_ACCEPT_SHUTDOWN = 4;

export const ERROR_SUCCESS = 0;
export const ERROR_FILE_NOT_FOUND = 2;
export const ERROR_CALL_NOT_IMPLEMENTED = 120;
export const ERROR_SERVICE_ALREADY_RUNNING = 1056;
export const ERROR_SERVICE_DATABASE_LOCKED = 1055;
export const ERROR_SERVICE_DOES_NOT_EXIST = 1060;
export const ERROR_SERVICE_NOT_ACTIVE = 1062;
export const ERROR_SERVICE_MARKED_FOR_DELETE = 1072;
export const ERROR_SERVICE_EXISTS = 1073;

export interface ServiceStatus {
  dwServiceType: number;
  dwCurrentState: number;
  dwControlsAccepted: number;
  dwWin32ExitCode: number;
  dwServiceSpecificExitCode: number;
  dwCheckPoint: number;
  dwWaitHint: number;
}

