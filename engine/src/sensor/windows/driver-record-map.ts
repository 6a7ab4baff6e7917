/**
 * Driver records (driver-records.ts) → the platform-neutral RawRecords the enricher consumes.
 * Windows-only text rules are applied here, where the platform is known: native paths become DOS
 * paths, registry paths their HKLM/HKU form, and CommandLine / registry Details are escaped for
 * the event log (spec/events.md §4, "CommandLine", "RegistryEvent", "Paths").
 */
import type { RawRecord, RecordActor } from "../records";
import type { DriverRecord, DriverRecordKind } from "./driver-records";
import { FILE_DELETE_FLAGS, fileTimeToEpochMs } from "./driver-records";
import { type ProcessModules, callTraceText } from "./process-modules";
import { escapeForEventLog, nativeToDosPath, registryDisplayPath } from "./windows-paths";

/** Windows has no uid; users come from the token SID (spec/events.md §4, "User"). */
export const NO_UID = 4294967295;

export interface WindowsPathContext {
  /** QueryDosDeviceW's map, e.g. {"C:": "\\Device\\HarddiskVolume3"}. */
  readonly devices: Readonly<Record<string, string>>;
  readonly systemRoot: string;
}

export interface RecordMapContext {
  readonly paths: WindowsPathContext;
  /** Sends IOCTL_SYSMONTS_BLOCK_DECISION for a BLOCK_REQUEST record. */
  readonly answerBlock: (requestId: bigint, block: boolean) => void;
  /**
   * Module maps for CallTrace (10) and StartModule/StartFunction (8); invalidated here by the
   * image-load and exit records of each process. Absent: frames stay UNKNOWN(…), Start* "-".
   */
  readonly modules?: ProcessModules;
}

/** Which record types each Sysmon event needs (driver-records.ts, RECORD_LAYOUTS docs). */
const RECORD_KINDS_BY_EVENT: Readonly<Record<number, readonly DriverRecordKind[]>> = {
  2: ["fileTime"],
  6: ["imageLoad"],
  7: ["imageLoad"],
  8: ["threadCreate"],
  9: ["rawAccessRead"],
  10: ["processAccess"],
  11: ["fileCreate"],
  12: ["registry"],
  13: ["registry"],
  14: ["registry"],
  15: ["fileStream"],
  17: ["pipe"],
  18: ["pipe"],
  23: ["fileDelete"],
  25: ["processTampering"],
  26: ["fileDelete"],
  27: ["blockRequest"],
  28: ["blockRequest"],
};

const RECORD_TYPE_OF_KIND: Readonly<Record<DriverRecordKind, number>> = {
  processCreate: 1, processExit: 2, threadCreate: 3, imageLoad: 4, registry: 5, processAccess: 6, fileCreate: 7,
  fileDelete: 8, fileTime: 9, fileStream: 10, pipe: 11, blockRequest: 12, recordsLost: 13, driverStatus: 14,
  rawAccessRead: 15, processTampering: 16,
};

/** Sysmon's ProcessTampering Type texts (spec/events.md, event 25), by the driver's tamperType. */
const TAMPER_TYPES: Readonly<Record<number, string>> = { 1: "Image is replaced", 2: "Image is locked for access" };

/**
 * SYSMONTS_CONFIG_REQUEST.enabledRecordTypes for the events the configuration can include.
 * Process create and exit are always on: the process cache needs them for every other event's
 * Image and ProcessGuid, even when events 1 and 5 are filtered out (spec/cli-and-output.md §8,
 * "Add ... every ProcessCreate, even a filtered-out one").
 */
export function recordTypeMask(enabledEvents: ReadonlySet<number>): number {
  let mask = (1 << RECORD_TYPE_OF_KIND.processCreate) | (1 << RECORD_TYPE_OF_KIND.processExit);
  for (const id of enabledEvents) {
    for (const kind of RECORD_KINDS_BY_EVENT[id] ?? []) mask |= 1 << RECORD_TYPE_OF_KIND[kind];
  }
  return mask >>> 0;
}

const REGISTRY_EVENT_TYPES = { 1: "CreateKey", 2: "DeleteKey", 3: "SetValue", 4: "DeleteValue", 5: "RenameKey" } as const;

function isRegistryOperation(operation: number): operation is keyof typeof REGISTRY_EVENT_TYPES {
  return operation in REGISTRY_EVENT_TYPES;
}

/** RtlWalkFrameChain addresses → Sysmon's CallTrace frames (process-modules.ts). */
export { callTraceText } from "./process-modules";

function baseName(path: string): string {
  const slash = path.lastIndexOf("\\");
  return slash < 0 ? path : path.slice(slash + 1);
}

/**
 * Maps one decoded record. Returns null for the records that are not events (RECORDS_LOST and
 * DRIVER_STATUS, which the client consumes itself) and for an operation code this version does
 * not know, which the caller counts as malformed.
 */
export function toRawRecord(record: DriverRecord, context: RecordMapContext): RawRecord | null {
  const timeMs = record.timeMs;
  const caller: RecordActor = { pid: record.pid, tid: record.tid, uid: NO_UID };
  const dos = (path: string): string => nativeToDosPath(path, context.paths);
  switch (record.kind) {
    case "processCreate":
      return {
        kind: "exec",
        timeMs,
        // The new process is the actor of its own creation, as on Linux (exec runs in it).
        actor: { pid: record.processId, tid: 0, uid: NO_UID },
        process: { pid: record.processId, startTimeMs: fileTimeToEpochMs(record.createTime), processKey: record.processKey },
        parentPid: record.parentProcessId,
        image: dos(record.imageFileName),
        argv: [],
        argvTruncated: false,
        cwd: "",
        sessionId: record.sessionId,
        ttyIndex: -1,
        loginUid: NO_UID,
        commandLine: escapeForEventLog(record.commandLine),
        userSid: record.userSid,
        integrityLevel: record.integrityLevel,
        logonId: record.authenticationId,
      };
    case "processExit":
      context.modules?.invalidate(record.processId);
      return {
        kind: "exit",
        timeMs,
        actor: { pid: record.processId, tid: 0, uid: NO_UID },
        // The create time is not in the record; the enricher finds the process by pid and time.
        process: { pid: record.processId, startTimeMs: 0, processKey: record.processKey },
        exitCode: record.exitStatus,
      };
    case "threadCreate": {
      const start = context.modules?.threadStart(record.targetProcessId, record.startAddress);
      return {
        kind: "remote-thread",
        timeMs,
        actor: caller,
        targetPid: record.targetProcessId,
        newThreadId: record.newThreadId,
        startAddress: record.startAddress,
        ...(start === undefined ? {} : { startModule: start.module, startFunction: start.function }),
      };
    }
    case "imageLoad": {
      const path = dos(record.imageFileName);
      // bit 0 SystemModeImage: a driver (event 6); otherwise an image mapped into a process (event 7).
      if ((record.flags & 1) !== 0) return { kind: "module-load", timeMs, actor: caller, name: baseName(path), path, signed: (record.flags & 2) !== 0 };
      // The process's module list changed: its next CallTrace or StartModule reads it again.
      context.modules?.invalidate(record.processId);
      return { kind: "image-load", timeMs, actor: { pid: record.processId, tid: record.pid === record.processId ? record.tid : 0, uid: NO_UID }, path };
    }
    case "registry": {
      if (!isRegistryOperation(record.operation)) return null;
      const eventType = REGISTRY_EVENT_TYPES[record.operation];
      const details = eventType === "SetValue" ? escapeForEventLog(record.details) : eventType === "RenameKey" ? record.details : "";
      return { kind: "registry", timeMs, actor: caller, eventType, targetObject: registryDisplayPath(record.targetObject), details };
    }
    case "processAccess":
      return {
        kind: "process-access",
        timeMs,
        actor: caller,
        targetPid: record.targetProcessId,
        operation: record.operation === 2 ? "handle-duplicate" : "handle-create",
        grantedAccess: record.grantedAccess,
        // The frames are the caller's stack: map them through the caller's modules.
        callTrace: context.modules === undefined ? callTraceText(record.callTrace) : context.modules.callTrace(record.pid, record.callTrace),
      };
    case "fileCreate":
      return { kind: "file-create", timeMs, actor: caller, path: dos(record.targetFilename), creationTimeMs: fileTimeToEpochMs(record.creationTime) };
    case "fileDelete": {
      const base = { kind: "file-delete", timeMs, actor: caller, path: dos(record.targetFilename), executable: (record.flags & FILE_DELETE_FLAGS.EXECUTABLE) !== 0 } as const;
      if ((record.flags & FILE_DELETE_FLAGS.NOT_HELD) !== 0) return { ...base, holdUnavailable: true };
      if ((record.flags & FILE_DELETE_FLAGS.HELD) === 0) return base;
      const holdId = record.holdId;
      let released = false;
      return {
        ...base,
        hold: {
          release: () => {
            // One answer per hold: the driver has let the deletion go after the first.
            if (released) return;
            released = true;
            // BLOCK_DECISION "allow": the driver never denies a deletion held for the archive.
            context.answerBlock(holdId, false);
          },
        },
      };
    }
    case "fileTime":
      return {
        kind: "file-time",
        timeMs,
        actor: caller,
        path: dos(record.targetFilename),
        newTimeMs: fileTimeToEpochMs(record.creationTime),
        previousTimeMs: fileTimeToEpochMs(record.previousCreationTime),
      };
    case "fileStream":
      return { kind: "file-stream", timeMs, actor: caller, path: dos(record.targetFilename), creationTimeMs: fileTimeToEpochMs(record.creationTime) };
    case "pipe":
      if (record.operation !== 1 && record.operation !== 2) return null;
      return { kind: "pipe", timeMs, actor: caller, created: record.operation === 1, pipeName: record.pipeName };
    case "blockRequest": {
      if (record.operation !== 1 && record.operation !== 2) {
        // Unknown operation: let it through at once rather than hold the file system until the timeout.
        context.answerBlock(record.requestId, false);
        return null;
      }
      const requestId = record.requestId;
      let answered = false;
      return {
        kind: "file-block",
        timeMs,
        actor: caller,
        operation: record.operation === 1 ? "executable" : "shredding",
        path: dos(record.targetFilename),
        answer: (block) => {
          // One decision per request: the driver has released the operation after the first.
          if (answered) return;
          answered = true;
          context.answerBlock(requestId, block);
        },
      };
    }
    case "rawAccessRead":
      // Device stays the native volume name: Sysmon prints \Device\HarddiskVolume2, not C:.
      return { kind: "raw-access", timeMs, actor: caller, device: record.device };
    case "processTampering": {
      const type = TAMPER_TYPES[record.tamperType];
      if (type === undefined) return null;
      return {
        kind: "tampering",
        timeMs,
        // The tampered process is the subject; the record is raised while its creator runs.
        actor: { pid: record.processId, tid: 0, uid: NO_UID },
        process: { pid: record.processId, startTimeMs: fileTimeToEpochMs(record.createTime), processKey: record.processKey },
        type,
      };
    }
    case "recordsLost":
    case "driverStatus":
      return null;
  }
}
