import { LossReporter } from "./loss-reporter";

describe("loss reporter", () => {
  it("reports each increase once, with the count and the running total", () => {
    let ring = 0;
    let store = 5;
    const reporter = new LossReporter([
      { id: "RingBufferFull", what: "records lost because the kernel ring buffer was full", total: () => ring },
      { id: "StoreQueueFull", what: "events not stored because the store queue was full", total: () => store },
    ]);
    const reports: string[] = [];
    const report = (id: string, description: string): void => {
      reports.push(`${id}: ${description}`);
    };
    reporter.check(report);
    expect(reports).toEqual([]);
    ring = 12;
    reporter.check(report);
    reporter.check(report);
    store = 6;
    ring = 13;
    reporter.check(report);
    expect(reports).toEqual([
      "RingBufferFull: 12 records lost because the kernel ring buffer was full in the last interval (12 since start)",
      "RingBufferFull: 1 records lost because the kernel ring buffer was full in the last interval (13 since start)",
      "StoreQueueFull: 1 events not stored because the store queue was full in the last interval (6 since start)",
    ]);
  });
});
