import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { compileLoadgen, parseLoadgenOutput, runLoadgen } from "../../bench/loadgen";

const repoRoot = path.resolve(__dirname, "../..");

describe("the exec load generator", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "bench-loadgen-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("compiles with gcc and runs /bin/true at a fixed rate, reporting what it ran", async () => {
    const binary = compileLoadgen(path.join(repoRoot, "bench/loadgen.c"), dir);
    const run = await runLoadgen(binary, { rate: 200, seconds: 1, tag: "loadgen-test" });
    expect(run.requestedRate).toBe(200);
    expect(run.failed).toBe(0);
    expect(run.spawnErrors).toBe(0);
    // Absolute deadlines: the count is the rate times the time, plus the one at t=0, even on a busy VM.
    expect(run.ran).toBeGreaterThanOrEqual(190);
    expect(run.ran).toBeLessThanOrEqual(201);
    expect(run.seconds).toBeGreaterThanOrEqual(1);
  });

  it("rejects bad arguments with its usage", async () => {
    const binary = compileLoadgen(path.join(repoRoot, "bench/loadgen.c"), dir);
    await expect(runLoadgen(binary, { rate: -1, seconds: 1, tag: "x" })).rejects.toThrow(/usage: loadgen RATE/);
  });

  it("reports a compiler error with SYSMONTS_E_BENCH", () => {
    const broken = path.join(dir, "broken.c");
    writeFileSync(broken, "int main( {");
    expect(() => compileLoadgen(broken, dir)).toThrow(/cannot compile .*broken\.c with gcc/);
  });

  it("refuses output that is not its JSON report", () => {
    expect(() => parseLoadgenOutput("hello")).toThrow(/printed 'hello', not its JSON report/);
    expect(() => parseLoadgenOutput('{"ran":1}')).toThrow(/lacks 'failed'/);
  });
});
