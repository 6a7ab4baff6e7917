// What a Wine probe (a script bundled for the Windows node.exe) reports: named steps, each with
// what it returned or how it failed, written as JSON to the file named in argv[2], because
// node.exe's stdout under Wine must not be a pipe.
import { writeFileSync } from "node:fs";

export interface ProbeStep {
  readonly step: string;
  readonly ok: boolean;
  readonly detail?: unknown;
}

export interface ProbeReport {
  /** Runs `run` and records its result, or its failure as `describeFailure` puts it. */
  step(name: string, run: () => unknown): void;
  /** Records a step whose outcome the caller already knows. */
  record(entry: ProbeStep): void;
  /** Writes the report and exits the probe. */
  finish(): void;
}

function nameAndMessage(error: unknown): unknown {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function createProbeReport(options: { describeFailure?: (error: unknown) => unknown } = {}): ProbeReport {
  const describeFailure = options.describeFailure ?? nameAndMessage;
  const steps: ProbeStep[] = [];
  const report: Record<string, unknown> = { platform: process.platform, node: process.version, steps };
  return {
    step(name, run) {
      try {
        steps.push({ step: name, ok: true, detail: run() });
      } catch (error) {
        steps.push({ step: name, ok: false, detail: describeFailure(error) });
      }
    },
    record(entry) {
      steps.push(entry);
    },
    finish() {
      writeFileSync(process.argv[2]!, JSON.stringify(report, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2));
      process.exit(0);
    },
  };
}
