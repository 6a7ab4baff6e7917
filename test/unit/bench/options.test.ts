import { SysmonTsError } from "../../../engine/src/base";
import { parseBenchOptions } from "../../../bench/options";

describe("parseBenchOptions", () => {
  it("defaults to the full run the issue asks for", () => {
    const options = parseBenchOptions([]);
    expect(options).toMatchObject({ quick: false, rates: [100, 400, 1600, 0], windowSeconds: 10, rounds: 2, memoryMinutes: 10, outDir: "bench-results" });
    expect(options.sections).toEqual(["storm", "pipeline", "components", "memory", "startup"]);
  });

  it("shortens everything in quick mode but keeps explicit flags", () => {
    const options = parseBenchOptions(["--quick", "--window=5", "--rates", "400,max", "--only", "storm,memory"]);
    expect(options).toMatchObject({ quick: true, windowSeconds: 5, rounds: 1, memoryMinutes: 0.25, rates: [400, 0], sections: ["storm", "memory"] });
  });

  it.each([
    [["--rates", "400,fast"], /--rates needs a positive number, not 'fast'/],
    [["--only", "storm,cpu"], /unknown section 'cpu'/],
    [["--window"], /--window needs a value/],
    [["--bogus"], /unknown argument '--bogus' \(position 1\)/],
    [["--rounds", "1.5"], /--rounds needs a whole number/],
  ])("rejects %j with a usage error naming the problem", (argv, message) => {
    let thrown: unknown;
    try {
      parseBenchOptions(argv);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SysmonTsError);
    expect((thrown as SysmonTsError).code).toBe("SYSMONTS_E_USAGE");
    expect((thrown as SysmonTsError).message).toMatch(message);
  });
});
