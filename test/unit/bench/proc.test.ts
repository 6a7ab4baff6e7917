import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { cpuBetween, parseMachineCpu, parseProcStat, readProcessTreeCpu, readRssBytes } from "../../../bench/proc";

describe("parseProcStat", () => {
  it("reads ppid, utime and stime after a comm holding spaces and parentheses", () => {
    const line = "4242 (node (worker) x) S 17 4242 4242 0 -1 4194560 1 0 0 0 250 75 3 4 20 0 11 0 1 2 3";
    expect(parseProcStat(line, 100)).toEqual({ pid: 4242, parentPid: 17, userMs: 2500, systemMs: 750 });
  });

  it("refuses text that is not a stat line", () => {
    expect(parseProcStat("garbage", 100)).toBeNull();
  });
});

describe("cpuBetween", () => {
  it("subtracts per pid and counts a process born during the window whole", () => {
    const before = [{ pid: 1, parentPid: 0, userMs: 100, systemMs: 50 }];
    const after = [
      { pid: 1, parentPid: 0, userMs: 130, systemMs: 60 },
      { pid: 2, parentPid: 1, userMs: 5, systemMs: 5 },
    ];
    expect(cpuBetween(before, after)).toEqual({ userMs: 35, systemMs: 15, pids: [1, 2] });
  });
});

describe("parseMachineCpu", () => {
  it("counts idle and iowait as not busy", () => {
    expect(parseMachineCpu("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3 4\n", 100)).toEqual({ busyMs: 1500, totalMs: 10000 });
  });
});

describe("readProcessTreeCpu", () => {
  it("finds a process's children on a fixture procfs, even with a parent pid above the child's", () => {
    const root = mkdtempSync(path.join(tmpdir(), "bench-proc-"));
    try {
      const write = (pid: number, ppid: number, utime: number) => {
        mkdirSync(path.join(root, String(pid)));
        writeFileSync(path.join(root, String(pid), "stat"), `${pid} (x) S ${ppid} 0 0 0 0 0 0 0 0 0 ${utime} 0 0 0 0 0 0 0 0 0 0\n`);
      };
      write(900, 1, 10);
      write(50, 900, 20); // pid wrapped: the child has the smaller number
      write(60, 50, 30);
      write(70, 1, 40); // not in the tree
      const tree = readProcessTreeCpu(900, { procRoot: root });
      expect(tree.map((p) => p.pid).sort((a, b) => a - b)).toEqual([50, 60, 900]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("sees a real child process of this one", async () => {
    const child = spawn("sleep", ["5"]);
    try {
      await new Promise((resolve) => child.once("spawn", resolve));
      const tree = readProcessTreeCpu(process.pid);
      expect(tree.map((p) => p.pid)).toEqual(expect.arrayContaining([process.pid, child.pid]));
    } finally {
      child.kill();
    }
  });
});

describe("readRssBytes", () => {
  it("reads this process's resident size and null for a process that does not exist", () => {
    expect(readRssBytes(process.pid)).toBeGreaterThan(1024 * 1024);
    expect(readRssBytes(2 ** 30)).toBeNull();
  });
});
