import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { bpfRunBetween, enableBpfStats, parseProgramFdinfo } from "../../../bench/bpf-stats";

// The fdinfo of a bpf-prog fd as kernel 6.x prints it.
const FDINFO = "pos:\t0\nflags:\t02000002\nmnt_id:\t16\nino:\t2065\nprog_type:\t5\nprog_jited:\t1\nprog_tag:\tc8a8b8e1b2d7a1f0\nmemlock:\t4096\nprog_id:\t217\nrun_time_ns:\t123456\nrun_cnt:\t789\nrecursion_misses:\t0\nverified_insns:\t80\n";

describe("parseProgramFdinfo", () => {
  it("reads the program id, type and run statistics", () => {
    expect(parseProgramFdinfo(FDINFO)).toEqual({ id: 217, type: 5, runTimeNs: 123456, runCount: 789 });
  });

  it("returns null for the fdinfo of another kind of fd", () => {
    expect(parseProgramFdinfo("pos:\t0\nflags:\t0100000\nmnt_id:\t24\n")).toBeNull();
  });
});

describe("bpfRunBetween", () => {
  it("sums the programs present at both ends", () => {
    const before = new Map([[1, { id: 1, type: 5, runTimeNs: 100, runCount: 1 }]]);
    const after = new Map([
      [1, { id: 1, type: 5, runTimeNs: 700, runCount: 4 }],
      [2, { id: 2, type: 5, runTimeNs: 999, runCount: 9 }],
    ]);
    expect(bpfRunBetween(before, after)).toEqual({ runTimeNs: 600, runCount: 3, programs: 1 });
  });
});

describe("enableBpfStats", () => {
  it("switches the setting on and puts the previous value back when disposed", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bench-sysctl-"));
    const sysctlPath = path.join(dir, "bpf_stats_enabled");
    writeFileSync(sysctlPath, "0\n");
    try {
      {
        using stats = enableBpfStats({ sysctlPath });
        expect(stats.previous).toBe("0");
        expect(readFileSync(sysctlPath, "utf8").trim()).toBe("1");
      }
      expect(readFileSync(sysctlPath, "utf8").trim()).toBe("0");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails with SYSMONTS_E_BENCH naming the file when it cannot be read", () => {
    expect(() => enableBpfStats({ sysctlPath: "/nonexistent/bpf_stats_enabled" })).toThrow(/cannot enable BPF run-time statistics through \/nonexistent\/bpf_stats_enabled/);
  });
});
