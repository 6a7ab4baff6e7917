// CaptureClipboard following config changes. The launcher itself needs Windows sessions (see
// clipboard-agents.ts); here the switch starts and stops a counting stand-in for it.
import { ClipboardAgentSwitch } from "./clipboard-agents";

describe("ClipboardAgentSwitch", () => {
  it("starts agents when CaptureClipboard turns on, stops them when it turns off, once each", () => {
    const log: string[] = [];
    const agents = new ClipboardAgentSwitch(() => {
      log.push("start");
      return { close: () => log.push("stop") };
    });
    agents.set(false);
    expect(log).toEqual([]);
    agents.set(true);
    agents.set(true);
    expect(agents.capturing).toBe(true);
    agents.set(false);
    expect(agents.capturing).toBe(false);
    agents.set(true);
    agents.close();
    agents.set(true);
    expect(log).toEqual(["start", "stop", "start", "stop"]);
  });
});
