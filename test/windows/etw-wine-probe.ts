// Runs inside Wine under the Windows node.exe (bundled by etw-wine.test.ts). It drives the real
// ETW and event-log code paths through koffi against Wine's advapi32 and writes what happened
// as JSON to the file named in argv[2] (node.exe's stdout under Wine must not be a pipe).
import { EtwSensor, ETW_SESSION_PLANS } from "../../engine/src/sensor/windows/etw-sensor";
import { EtwRealtimeSession, stopStaleSession } from "../../engine/src/sensor/windows/etw-session";
import { EventLogSink } from "../../engine/src/output/windows-eventlog/sink";
import { eventFromFields } from "../../engine/src/schema";
import { createProbeReport } from "./probe-report";

const { step, record, finish } = createProbeReport();

async function main(): Promise<void> {
  const sensor = new EtwSensor({ driverPresent: false });
  step("start every session", () => {
    sensor.setEnabledEvents(new Set([1, 3, 5, 7, 19, 20, 21, 22]));
    return sensor.sessionStates();
  });
  step("drain", () => sensor.drain(() => undefined));
  step("counters", () => sensor.counters());
  step("stop sessions no longer wanted", () => {
    sensor.setEnabledEvents(new Set([3]));
    return sensor.sessionStates();
  });
  step("close sensor", () => {
    sensor.close();
    return sensor.sessionStates();
  });
  step("restart after a crash replaces the stale session", () => {
    const first = EtwRealtimeSession.start("SysmonTs-Stale", { providers: ETW_SESSION_PLANS[0]!.providers });
    // Simulate a crashed run: a second start of the same name while the first was never stopped.
    const second = EtwRealtimeSession.start("SysmonTs-Stale", { providers: ETW_SESSION_PLANS[0]!.providers });
    const states = [first.state, second.state];
    first.close();
    second.close();
    return { states, releasedFirst: first.released, releasedSecond: second.released, closedCleanly: first.closedCleanly && second.closedCleanly };
  });
  step("stop a stale session by name", () => stopStaleSession("SysmonTs-NeverStarted"));
  step("event-log sink writes and closes", () => {
    const sink = EventLogSink.open();
    sink.write({ recordId: 1, timeCreated: Date.now(), computer: "WINE", event: eventFromFields(3, { ProcessId: "4", DestinationPort: "443", Initiated: "true" }) });
    sink.flush();
    const stats = sink.stats();
    sink.close();
    return { before: stats, after: sink.stats() };
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
}

main()
  .catch((error: unknown) => record({ step: "main", ok: false, detail: String(error) }))
  .finally(finish);
