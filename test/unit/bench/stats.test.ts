import { growthOf } from "../../../bench/memory";
import { slopeOf, spreadOf } from "../../../bench/stats";

describe("spreadOf", () => {
  it("gives median, min and max of the finite values", () => {
    expect(spreadOf([3, 1, NaN, 2, 10])).toEqual({ median: 2.5, min: 1, max: 10, samples: 4 });
    expect(spreadOf([NaN])).toBeNull();
  });
});

describe("slopeOf", () => {
  it("fits a line and refuses a single x", () => {
    expect(slopeOf([[0, 1], [1, 3], [2, 5]])).toBeCloseTo(2);
    expect(slopeOf([[1, 1], [1, 2]])).toBeNull();
  });
});

describe("growthOf", () => {
  it("ignores the warm-up half and reports MB per minute", () => {
    const samples = [
      { seconds: 0, rssMb: 50 },
      { seconds: 30, rssMb: 90 }, // warm-up jump, before the second half
      { seconds: 60, rssMb: 90 },
      { seconds: 90, rssMb: 90.5 },
      { seconds: 120, rssMb: 91 },
    ];
    expect(growthOf(samples)).toBeCloseTo(1);
    expect(growthOf([])).toBeNull();
  });
});
