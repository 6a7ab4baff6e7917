// Runs the module's Pester suite (module/tests/*.Tests.ps1) in real pwsh and fails on any
// failed Pester test. Needs pwsh and Pester 5 on the machine.
import path from "node:path";
import { describeWithPwsh, repoRoot, runPwsh } from "./pwsh";

describeWithPwsh("module/tests (Pester)", () => {
  it("passes every Pester test", () => {
    const testsDir = path.join(repoRoot, "module", "tests");
    const result = runPwsh(
      [
        "Import-Module Pester -MinimumVersion 5.0",
        "$configuration = New-PesterConfiguration",
        `$configuration.Run.Path = '${testsDir.replace(/'/g, "''")}'`,
        "$configuration.Run.PassThru = $true",
        "$configuration.Output.Verbosity = 'Detailed'",
        "$run = Invoke-Pester -Configuration $configuration",
        "\"PESTER passed=$($run.PassedCount) failed=$($run.FailedCount) skipped=$($run.SkippedCount)\"",
      ].join("\n"),
      { timeoutMs: 300_000 },
    );
    const summary = /PESTER passed=(\d+) failed=(\d+)/.exec(result.stdout);
    expect({ status: result.status, summary: summary?.[0], stderr: result.stderr }).toMatchObject({ status: 0, summary: expect.stringMatching(/passed=[1-9]\d* failed=0$/) });
  });
});
