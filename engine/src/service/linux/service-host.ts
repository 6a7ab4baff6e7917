import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { defaultConfig } from "../../config";
import { runEngine } from "../run";
import { loadSettingsFile } from "../settings";
import { writeFileAtomic } from "./install";
import { type LinuxLayout, linuxLayout } from "./layout";

function stamp(line: string): string {
  return `${new Date().toISOString()} ${line}\n`;
}

/** The installed engine itself: config and settings from the install directory, until signalled. */
export async function runInstalledEngine(layout: LinuxLayout = linuxLayout()): Promise<number> {
  const settings = loadSettingsFile(layout.settingsFile);
  const configPath = existsSync(layout.configFile) ? layout.configFile : null;
  const configArgument = existsSync(layout.configArgumentFile) ? readFileSync(layout.configArgumentFile, "utf8") : undefined;
  const running = await runEngine({
    platform: "linux",
    configPath,
    ...(configArgument ? { configArgument } : {}),
    settings,
    handleSignals: true,
    persistConfig: (xml, configArgument) => {
      writeFileAtomic(layout.configFile, xml);
      writeFileAtomic(layout.configArgumentFile, configArgument);
    },
    log: (level, message) => process.stderr.write(stamp(`${level}: ${message}`)),
  });
  process.stderr.write(stamp(`engine ${process.pid} running with ${configPath ?? "the default config"} (hash ${running.engine.loadedConfig.hash})`));
  await running.stopped;
  return 0;
}

/**
 * Without systemd, this process does what the unit's Restart=on-failure would: it runs the
 * engine as a child and starts it again when it dies abnormally (kill -9 included), giving
 * up after 5 failures in 90 s as StartLimitBurst does. SIGTERM stops both cleanly.
 */
export async function superviseInstalledEngine(layout: LinuxLayout = linuxLayout()): Promise<number> {
  mkdirSync(layout.runDir, { recursive: true, mode: 0o700 });
  writeFileSync(layout.supervisorPidFile, `${process.pid}\n`);
  let child: ChildProcess | undefined;
  let stopping = false;
  const failures: number[] = [];

  const startChild = (): void => {
    child = spawn(process.execPath, [...process.execArgv, process.argv[1] ?? "", "service", "--engine"], { stdio: "inherit", env: process.env });
    process.stderr.write(stamp(`supervisor ${process.pid}: started engine ${child.pid}`));
    child.on("exit", (code, signal) => {
      if (stopping) return;
      process.stderr.write(stamp(`supervisor: engine exited (${signal ?? `code ${code}`})`));
      if (code === 0) {
        stopping = true;
        finish();
        return;
      }
      const now = Date.now();
      failures.push(now);
      while (failures.length > 0 && failures[0]! < now - 90_000) failures.shift();
      if (failures.length > 5) {
        process.stderr.write(stamp("supervisor: engine failed more than 5 times in 90 s; giving up"));
        stopping = true;
        finish(1);
        return;
      }
      setTimeout(startChild, 1000);
    });
  };

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  const finish = (code = 0): void => {
    rmSync(layout.supervisorPidFile, { force: true });
    resolveDone(code);
  };
  const onSignal = (): void => {
    if (stopping) return;
    stopping = true;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      finish();
      return;
    }
    child.once("exit", () => finish());
    child.kill("SIGTERM");
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  startChild();
  return done;
}

/** `sysmonts service`: under systemd run the engine directly, otherwise supervise it. */
export function serviceMain(args: readonly string[], layout: LinuxLayout = linuxLayout()): Promise<number> {
  if (args.includes("--engine") || process.env["INVOCATION_ID"]) return runInstalledEngine(layout);
  return superviseInstalledEngine(layout);
}

/** The config text `-c --` installs (kept here so install and reset agree). */
export function defaultConfigXml(): string {
  return defaultConfig("linux").text;
}
