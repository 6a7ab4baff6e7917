// Runs inside Wine under the Windows node.exe (bundled by driver-client-wine.test.ts): drives the
// real driver client through koffi against sysmonts.sys loaded by winedevice, and writes what
// happened as JSON to the file named in argv[2] (node.exe's stdout under Wine must not be a pipe).
// argv[3] is "present" (the driver is running) or "absent" (its service was stopped).
import { DriverClient } from "../../engine/src/sensor/windows/driver-client";
import type { RawRecord } from "../../engine/src/sensor/records";
import { createProbeReport } from "./probe-report";

const { step, record, finish } = createProbeReport({
  describeFailure: (error) => ({ code: (error as { code?: unknown }).code, message: error instanceof Error ? error.message : String(error) }),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function present(): Promise<void> {
  const warnings: string[] = [];
  let client: DriverClient | undefined;
  step("open, START and SET_CONFIG", () => {
    client = DriverClient.open({ enabledEvents: new Set([1, 5, 11, 27]), archiveDeletes: true, log: (_level, message) => warnings.push(message) });
    return client.state;
  });
  if (!client) return;
  const opened = client;
  // The event loop must stay free while READ blocks in the driver: count timer ticks meanwhile.
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 50);
  await sleep(2000);
  clearInterval(ticker);
  const records: RawRecord[] = [];
  step("read for 2 s", () => {
    opened.drain((r) => records.push(r));
    return { ticks, records: records.map((r) => r.kind), counters: opened.counters(), state: opened.state, lastReadError: opened.lastReadError, driverStatus: opened.driverStatus, warnings };
  });
  step("SET_CONFIG again with other events", () => {
    opened.setEnabledEvents(new Set([1, 5, 12, 13, 14]));
    return opened.counters().readErrors;
  });
  // Events 9 and 25 need RAW_ACCESS_READ (15) and PROCESS_TAMPERING (16); 8 and 10 the module map.
  step("SET_CONFIG with events 8, 9, 10 and 25", () => {
    opened.setEnabledEvents(new Set([1, 5, 8, 9, 10, 25]));
    return opened.counters().readErrors;
  });
  // Event 23 with the archive stage: SET_CONFIG carries SYSMONTS_CONFIG_HOLD_DELETES; a refusal throws.
  step("SET_CONFIG holding deletions for the archive", () => {
    opened.setEnabledEvents(new Set([1, 5, 23, 26]));
    return opened.counters().readErrors;
  });
  step("BLOCK_DECISION for a request the driver does not hold", () => ({ accepted: opened.answerBlock(0x1234n, false), counters: opened.counters() }));
  step("close", () => {
    opened.close();
    return { state: opened.state, released: opened.released };
  });
  await sleep(1200);
  step("released after the READ in flight returned", () => ({ state: opened.state, released: opened.released, reads: opened.counters().reads }));

  // The driver drops records caused by the service pid named in START; a second client naming
  // another pid shows that a START from a process that is not the service gets its status too.
  let other: DriverClient | undefined;
  step("START naming another pid", () => {
    other = DriverClient.open({ servicePid: 4, enabledEvents: new Set([1, 5]) });
    return other.state;
  });
  if (!other) return;
  const second = other;
  await sleep(1500);
  step("read with another pid named", () => ({ counters: second.counters(), driverStatus: second.driverStatus }));
  second.close();
  await sleep(1200);
  step("second client released", () => second.released);
}

function absent(): void {
  step("open without the driver", () => DriverClient.open({ enabledEvents: new Set([1]) }).state);
}

(process.argv[3] === "absent" ? Promise.resolve(absent()) : present())
  .catch((error: unknown) => record({ step: "main", ok: false, detail: String(error) }))
  .finally(finish);
