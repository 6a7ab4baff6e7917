import type { RawRecord, Sensor, SensorCounters } from "../records";
import { DNS_CLIENT_PROVIDER, KERNEL_NETWORK_KEYWORDS, KERNEL_NETWORK_PROVIDER, KERNEL_PROCESS_KEYWORDS, KERNEL_PROCESS_PROVIDER, WMI_ACTIVITY_PROVIDER } from "./etw-providers";
import type { EtwApi, EtwProviderEnable, EtwSessionState } from "./etw-session";
import { EtwRealtimeSession } from "./etw-session";

/** One ETW session per concern, named so an administrator recognises them in `logman query -ets`. */
export interface EtwSessionPlan {
  readonly name: string;
  /** Sysmon event IDs this session serves; it runs while any of them can be included. */
  readonly eventIds: readonly number[];
  readonly providers: readonly EtwProviderEnable[];
  /** Only when the driver is absent (it is the better source for these events). */
  readonly fallbackOnly?: boolean;
}

export const ETW_SESSION_PLANS: readonly EtwSessionPlan[] = [
  { name: "SysmonTs-Network", eventIds: [3], providers: [{ guid: KERNEL_NETWORK_PROVIDER.guid, matchAnyKeyword: KERNEL_NETWORK_KEYWORDS }] },
  { name: "SysmonTs-Dns", eventIds: [22], providers: [{ guid: DNS_CLIENT_PROVIDER.guid }] },
  { name: "SysmonTs-Wmi", eventIds: [19, 20, 21], providers: [{ guid: WMI_ACTIVITY_PROVIDER.guid }] },
  {
    name: "SysmonTs-Process",
    eventIds: [1, 5, 7],
    providers: [{ guid: KERNEL_PROCESS_PROVIDER.guid, matchAnyKeyword: KERNEL_PROCESS_KEYWORDS }],
    fallbackOnly: true,
  },
];

export interface EtwSensorOptions {
  /** True when the SysmonTs driver delivers 1/5/7, so the Kernel-Process fallback stays off. */
  readonly driverPresent?: boolean;
  readonly api?: EtwApi;
  readonly maxQueue?: number;
}

/**
 * The ETW half of the Windows sensor: starts the sessions the configuration needs, drains
 * their queues into the pipeline and stops them when their events are no longer wanted.
 */
export class EtwSensor implements Sensor, Disposable {
  private readonly sessions = new Map<string, EtwRealtimeSession>();
  private readonly retired: SensorCounters[] = [];

  constructor(private readonly options: EtwSensorOptions = {}) {}

  setEnabledEvents(eventIds: ReadonlySet<number>): void {
    for (const plan of ETW_SESSION_PLANS) {
      const wanted = plan.eventIds.some((id) => eventIds.has(id)) && !(plan.fallbackOnly && this.options.driverPresent);
      const running = this.sessions.get(plan.name);
      if (wanted && !running) {
        this.sessions.set(plan.name, EtwRealtimeSession.start(plan.name, { providers: plan.providers, api: this.options.api, maxQueue: this.options.maxQueue }));
      } else if (!wanted && running) {
        this.retired.push(running.counters());
        running.close();
        this.sessions.delete(plan.name);
      }
    }
  }

  /** Each running session and its state, for `status`. */
  sessionStates(): Record<string, EtwSessionState> {
    return Object.fromEntries([...this.sessions].map(([name, s]) => [name, s.state]));
  }

  drain(onRecord: (record: RawRecord) => void): number {
    let n = 0;
    for (const session of this.sessions.values()) n += session.drain(onRecord);
    return n;
  }

  counters(): SensorCounters {
    const all = [...this.retired, ...[...this.sessions.values()].map((s) => s.counters())];
    return {
      produced: all.reduce((a, c) => a + c.produced, 0),
      lostRingBuffer: all.reduce((a, c) => a + c.lostRingBuffer, 0),
      malformed: all.reduce((a, c) => a + c.malformed, 0),
    };
  }

  close(): void {
    for (const session of [...this.sessions.values()].reverse()) session.close();
    this.sessions.clear();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
