/**
 * What the driver client does with each READ buffer, apart from the I/O: split it into records
 * (driver-records.ts), keep DRIVER_STATUS, count RECORDS_LOST and malformed records, map the rest
 * to RawRecords and hold them, bounded, until the engine drains them.
 */
import type { RawRecord } from "../records";
import { type RecordMapContext, toRawRecord } from "./driver-record-map";
import { type DriverRecord, type DriverRecordOf, drainDriverBuffer } from "./driver-records";

export type DriverStatus = Omit<DriverRecordOf<"driverStatus">, "kind" | "type" | "version" | "pid" | "tid">;

export interface DriverQueueCounters {
  /** Records decoded from READ buffers, DRIVER_STATUS and RECORDS_LOST included. */
  readonly produced: number;
  /** Records that could not be decoded or mapped. */
  readonly malformed: number;
  /** Records the driver dropped because its ring was full (sum of RECORDS_LOST). */
  readonly lostInDriver: number;
  /** Records dropped here because the queue was full. */
  readonly droppedQueueFull: number;
}

/** Lets a file operation the driver holds go on: a block request allowed, a held deletion released. */
function releaseHeld(record: RawRecord): void {
  if (record.kind === "file-block") record.answer(false);
  else if (record.kind === "file-delete") record.hold?.release();
}

export class DriverRecordQueue {
  private readonly held: RawRecord[] = [];
  private status: DriverStatus | undefined;
  private readonly count = { produced: 0, malformed: 0, lostInDriver: 0, droppedQueueFull: 0 };
  private readonly onRecord = (record: DriverRecord): void => this.acceptRecord(record);
  private readonly onMalformed = (): void => {
    this.count.malformed++;
  };

  constructor(
    private readonly context: RecordMapContext,
    private readonly maxQueue = 65536,
  ) {}

  /** Takes the first `length` bytes of one IOCTL_SYSMONTS_READ buffer. */
  accept(bytes: Buffer, length: number): void {
    drainDriverBuffer(bytes, length, { onRecord: this.onRecord, onMalformed: this.onMalformed });
  }

  private acceptRecord(record: DriverRecord): void {
    this.count.produced++;
    if (record.kind === "recordsLost") {
      this.count.lostInDriver += record.lostCount;
      return;
    }
    if (record.kind === "driverStatus") {
      this.status = { timeMs: record.timeMs, protocolVersion: record.protocolVersion, callbacks: record.callbacks, ringCapacity: record.ringCapacity, archiveHoldSlots: record.archiveHoldSlots };
      return;
    }
    const raw = toRawRecord(record, this.context);
    if (raw === null) {
      this.count.malformed++;
      return;
    }
    if (this.held.length >= this.maxQueue) {
      this.count.droppedQueueFull++;
      // A held file operation is released at once rather than when the driver's wait runs out.
      releaseHeld(raw);
      return;
    }
    this.held.push(raw);
  }

  drain(onRecord: (record: RawRecord) => void): number {
    if (this.held.length === 0) return 0;
    const records = this.held.splice(0);
    for (const record of records) onRecord(record);
    return records.length;
  }

  /** Empties the queue, allowing every held file operation (at close). */
  discard(): void {
    for (const record of this.held.splice(0)) releaseHeld(record);
  }

  get length(): number {
    return this.held.length;
  }

  /** What the driver registered (DRIVER_STATUS, sent after START), once read. */
  get driverStatus(): DriverStatus | undefined {
    return this.status;
  }

  counters(): DriverQueueCounters {
    return { ...this.count };
  }
}
