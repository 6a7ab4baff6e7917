// Warnings never change a decision: they point at places where Sysmon's behaviour is likely
// not what the author meant (config.md §6, §8, §13 traps) or where an element was skipped.

export interface LintWarning {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Stable identifier of the trap, e.g. "same-onmatch-twice". */
  readonly code: string;
  readonly message: string;
}

/** Renders a warning the way compilers do: `file:line:col: warning: message`. */
export function formatWarning(warning: LintWarning): string {
  return `${warning.file}:${warning.line}:${warning.column}: warning: ${warning.message}`;
}
