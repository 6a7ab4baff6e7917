// System test: the Windows sensor's ETW sessions and the event-log sink, run for real through
// koffi by the Windows node.exe under Wine. Wine's ETW functions are stubs that succeed and
// deliver no events (notes/windows-build.md), so this proves binding, start, enable, open,
// stop, stale-session replacement and clean shutdown; events themselves need real Windows
// (test/windows/confirm-on-windows.ps1).
import path from "node:path";
import { WinePrefix } from "./harness";
import { type ProbeResults, runProbe } from "./wine-harness";

jest.setTimeout(300000);

describe("Windows sensor under Wine", () => {
  let wine: WinePrefix;
  let report: ProbeResults;

  beforeAll(() => {
    wine = WinePrefix.create();
    report = runProbe(wine, path.join(__dirname, "etw-wine-probe.ts"));
  });

  afterAll(() => wine?.close());

  const stepNamed = (name: string) => report.step(name);

  test("runs as win32", () => {
    expect(report.platform).toBe("win32");
  });

  test("starts one named session per concern, the process fallback included when no driver", () => {
    const start = stepNamed("start every session");
    expect(start).toMatchObject({ ok: true });
    expect(Object.keys(start.detail as object).sort()).toEqual(["SysmonTs-Dns", "SysmonTs-Network", "SysmonTs-Process", "SysmonTs-Wmi"]);
    // Wine's OpenTraceW fails, so no consumer runs: the sensor must say so rather than claim "running".
    for (const state of Object.values(start.detail as Record<string, string>)) expect(["running", "consumer-failed"]).toContain(state);
  });

  test("drains and counts without error, and stops sessions whose events are no longer wanted", () => {
    expect(stepNamed("drain")).toMatchObject({ ok: true, detail: 0 });
    expect(stepNamed("counters")).toMatchObject({ ok: true, detail: { produced: 0, malformed: 0 } });
    expect(stepNamed("stop sessions no longer wanted").detail).toEqual({ "SysmonTs-Network": expect.any(String) });
    expect(stepNamed("close sensor")).toMatchObject({ ok: true, detail: {} });
  });

  test("a session left by a crashed run is replaced, and both close and release their callbacks", () => {
    expect(stepNamed("restart after a crash replaces the stale session")).toMatchObject({
      ok: true,
      detail: { releasedFirst: true, releasedSecond: true, closedCleanly: true },
    });
    expect(stepNamed("stop a stale session by name").ok).toBe(true);
  });

  test("the event-log sink registers, writes and unregisters", () => {
    const sink = stepNamed("event-log sink writes and closes");
    expect(sink).toMatchObject({ ok: true, detail: { before: { state: "open", dropped: 0 }, after: { state: "closed" } } });
    const before = (sink.detail as { before: { sent: number; failed: number } }).before;
    expect(before.sent + before.failed).toBe(1);
  });
});
