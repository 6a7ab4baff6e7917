import koffi from "koffi";
import { SysmonTsError } from "../../base";
import type { StampedEvent } from "../../schema";
import { guidToBytes } from "./guid";
import { EVENTLOG_PROVIDER_GUID } from "./manifest";
import { buildDataDescriptors, buildEventDescriptor, packEventPayload } from "./payload";

/** The advapi32 entry points the sink uses (evntprov.h). Loaded only on Windows. */
interface EventProviderApi {
  register(providerGuid: Buffer, handleOut: BigUint64Array): number;
  writeEx(handle: bigint, descriptor: Buffer, count: number, data: Buffer): number;
  unregister(handle: bigint): number;
}

function loadEventProviderApi(): EventProviderApi {
  const advapi32 = koffi.load("advapi32.dll");
  // ULONG EventRegister(LPCGUID, PENABLECALLBACK, PVOID, PREGHANDLE)
  const EventRegister = advapi32.func("uint32 __stdcall EventRegister(const void *guid, void *cb, void *ctx, _Out_ uint64 *handle)");
  // ULONG EventWriteEx(REGHANDLE, PCEVENT_DESCRIPTOR, ULONG64 Filter, ULONG Flags, LPCGUID, LPCGUID, ULONG, PEVENT_DATA_DESCRIPTOR)
  const EventUnregister = advapi32.func("uint32 __stdcall EventUnregister(uint64 handle)");
  let writeEx: EventProviderApi["writeEx"];
  try {
    const EventWriteEx = advapi32.func(
      "uint32 __stdcall EventWriteEx(uint64 handle, const void *desc, uint64 filter, uint32 flags, const void *activity, const void *related, uint32 count, const void *data)",
    );
    writeEx = (handle, descriptor, count, data) => EventWriteEx(handle, descriptor, 0n, 0, null, null, count, data) as number;
  } catch {
    // Wine's advapi32 has no EventWriteEx; EventWrite writes the same event without the
    // activity-ID and filter arguments, which the sink never uses.
    const EventWrite = advapi32.func("uint32 __stdcall EventWrite(uint64 handle, const void *desc, uint32 count, const void *data)");
    writeEx = (handle, descriptor, count, data) => EventWrite(handle, descriptor, count, data) as number;
  }
  return {
    register: (guid, handleOut) => EventRegister(guid, null, null, handleOut) as number,
    writeEx,
    unregister: (handle) => EventUnregister(handle) as number,
  };
}

export interface EventLogSinkOptions {
  /** Events held while the writer is behind; beyond this they are dropped and counted. */
  readonly maxQueue?: number;
}

export interface EventLogSinkStats {
  readonly name: string;
  readonly state: "open" | "closed";
  readonly sent: number;
  readonly dropped: number;
  /** EventWriteEx failures (for example ERROR_MORE_DATA when no session listens yet, or a too-large event). */
  readonly failed: number;
}

/**
 * Writes kept events to the SysmonTs/Operational channel as the registered manifest declares
 * them. Writes are batched off the caller's stack (setImmediate) from a bounded queue, so the
 * pipeline never waits on the event log; what does not fit is counted as dropped.
 */
export class EventLogSink implements Disposable {
  readonly name = "windows-eventlog";
  private readonly api: EventProviderApi;
  private handle: bigint;
  private readonly queue: StampedEvent[] = [];
  private readonly maxQueue: number;
  private flushScheduled = false;
  private sent = 0;
  private dropped = 0;
  private failed = 0;
  private readonly descriptors = new Map<number, Buffer>();

  private constructor(api: EventProviderApi, handle: bigint, options: EventLogSinkOptions) {
    this.api = api;
    this.handle = handle;
    this.maxQueue = options.maxQueue ?? 10000;
  }

  /** Registers the provider. Only possible on Windows (or under Wine); elsewhere it throws SYSMONTS_E_EVENTLOG. */
  static open(options: EventLogSinkOptions = {}): EventLogSink {
    if (process.platform !== "win32") {
      throw new SysmonTsError("SYSMONTS_E_EVENTLOG", "the Windows event-log sink needs Windows (advapi32 EventRegister)");
    }
    const api = loadEventProviderApi();
    const handleOut = new BigUint64Array(1);
    const status = api.register(guidToBytes(EVENTLOG_PROVIDER_GUID) as Buffer, handleOut);
    if (status !== 0) throw new SysmonTsError("SYSMONTS_E_EVENTLOG", `EventRegister failed with Win32 error ${status}`, { details: { status } });
    return new EventLogSink(api, handleOut[0]!, options);
  }

  /** Queues one event; never blocks. */
  write(event: StampedEvent): void {
    if (this.handle === 0n || this.queue.length >= this.maxQueue) {
      this.dropped++;
      return;
    }
    this.queue.push(event);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes everything queued now. */
  flush(): void {
    this.flushScheduled = false;
    for (const stamped of this.queue.splice(0)) this.writeNow(stamped);
  }

  private writeNow(stamped: StampedEvent): void {
    let descriptor = this.descriptors.get(stamped.event.id);
    if (!descriptor) {
      descriptor = buildEventDescriptor(stamped.event.id);
      this.descriptors.set(stamped.event.id, descriptor);
    }
    let payload;
    try {
      payload = packEventPayload(stamped.event);
    } catch {
      this.failed++;
      return;
    }
    const data = buildDataDescriptors(payload, koffi.address(payload.bytes));
    // payload.bytes stays referenced until EventWriteEx returns: the descriptors point into it.
    const status = this.api.writeEx(this.handle, descriptor, payload.sizes.length, data);
    if (status === 0) this.sent++;
    else this.failed++;
  }

  stats(): EventLogSinkStats {
    return { name: this.name, state: this.handle === 0n ? "closed" : "open", sent: this.sent, dropped: this.dropped, failed: this.failed };
  }

  close(): void {
    if (this.handle === 0n) return;
    this.flush();
    this.api.unregister(this.handle);
    this.handle = 0n;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
