/**
 * The baseline subject for real: bpftrace attached to sched_process_exec, its program found by
 * pid, its run time counted while kernel BPF statistics are on, and everything put back after.
 * Needs root and bpftrace (scripts/setup.sh installs it).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { bpfRunBetween, enableBpfStats, readHeldPrograms } from "../../bench/bpf-stats";
import { compileLoadgen, runLoadgen } from "../../bench/loadgen";
import { readProcessTreeCpu } from "../../bench/proc";
import { startBpftrace } from "../../bench/subjects";

const repoRoot = path.resolve(__dirname, "../..");
const STATS = "/proc/sys/kernel/bpf_stats_enabled";

describe("the bpftrace baseline", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "bench-bpftrace-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints every exec, has measurable BPF run time, and leaves nothing running or switched on", async () => {
    const statsBefore = readFileSync(STATS, "utf8").trim();
    const loadgen = compileLoadgen(path.join(repoRoot, "bench/loadgen.c"), dir);
    const bpftrace = await startBpftrace(dir);
    let ran = 0;
    try {
      const programs = readHeldPrograms([bpftrace.pid]);
      expect(programs.size).toBeGreaterThan(0);
      {
        using _stats = enableBpfStats();
        expect(readFileSync(STATS, "utf8").trim()).toBe("1");
        const before = readHeldPrograms([bpftrace.pid]);
        ran = (await runLoadgen(loadgen, { rate: 300, seconds: 1, tag: "bpftrace-test" })).ran;
        const delta = bpfRunBetween(before, readHeldPrograms([bpftrace.pid]));
        expect(delta.runCount).toBeGreaterThanOrEqual(ran);
        expect(delta.runTimeNs).toBeGreaterThan(0);
      }
      expect(readFileSync(STATS, "utf8").trim()).toBe(statsBefore);
      expect(readProcessTreeCpu(bpftrace.pid).length).toBeGreaterThan(0);
    } finally {
      await bpftrace.close();
    }
    expect(existsSync(`/proc/${bpftrace.pid}`)).toBe(false);
    // bpftrace flushes its buffered output when it stops.
    expect(bpftrace.printedExecs()).toBeGreaterThanOrEqual(ran);
  }, 120_000);
});
