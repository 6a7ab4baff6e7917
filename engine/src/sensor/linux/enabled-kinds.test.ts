import { enabledKindFlags, SENSOR_EVENT_IDS } from "./enabled-kinds";
import { ENABLED_KINDS_SLOTS, RECORD_KIND } from "./layout";

describe("enabledKindFlags", () => {
  it("always keeps process create and exit on, as Sysmon for Linux does", () => {
    const flags = enabledKindFlags(new Set());
    expect(flags.length).toBe(ENABLED_KINDS_SLOTS);
    expect(flags[RECORD_KIND.exec]).toBe(1);
    expect(flags[RECORD_KIND.exit]).toBe(1);
    expect(flags[RECORD_KIND.network]).toBe(0);
    expect(flags[RECORD_KIND.fileCreate]).toBe(0);
    expect(flags[RECORD_KIND.fileTime]).toBe(0);
  });

  it("turns on the kinds of the included event IDs only", () => {
    const flags = enabledKindFlags(new Set([2, 3, 26, 22]));
    expect(flags[RECORD_KIND.fileTime]).toBe(1);
    expect(flags[RECORD_KIND.network]).toBe(1);
    expect(flags[RECORD_KIND.fileDelete]).toBe(1);
    expect(flags[RECORD_KIND.dns]).toBe(1);
    expect(flags[RECORD_KIND.fileCreate]).toBe(0);
    expect(flags[RECORD_KIND.bpf]).toBe(0);
    expect(flags[RECORD_KIND.imageLoad]).toBe(0);
    expect(enabledKindFlags(new Set([7]))[RECORD_KIND.imageLoad]).toBe(1);
  });

  it("ignores events the Linux sensor cannot produce", () => {
    expect(Array.from(enabledKindFlags(new Set([12, 13, 255])))).toEqual(Array.from(enabledKindFlags(new Set())));
    expect(SENSOR_EVENT_IDS).toEqual(expect.arrayContaining([1, 2, 3, 5, 7, 9, 10, 11, 22, 23, 25, 100]));
  });
});
