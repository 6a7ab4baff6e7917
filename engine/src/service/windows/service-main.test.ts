// The Windows service's sensor choice, run on Linux where neither the driver nor ETW exists: the
// fallback path must log why and still hand the engine a sensor that drains and closes.
import { EtwSensor } from "../../sensor";
import { openWindowsSensor } from "./service-main";

describe("openWindowsSensor", () => {
  it("falls back to ETW alone when the driver cannot be opened, saying why", () => {
    const lines: string[] = [];
    const sensor = openWindowsSensor(new Set([1, 5, 11]), (level, message) => lines.push(`${level}: ${message}`));
    try {
      expect(sensor).toBeInstanceOf(EtwSensor);
      expect(lines[0]).toMatch(/^warn: the SysmonTs driver can be opened only on Windows; running on ETW alone, with its Kernel-Process fallback for events 1, 5 and 7$/);
      expect(sensor.drain(() => undefined)).toBe(0);
    } finally {
      sensor.close();
    }
  });
});
