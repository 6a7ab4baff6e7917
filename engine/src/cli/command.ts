/** What a subcommand gets: its arguments (after the subcommand words) and where to write. */
export interface CommandContext {
  readonly args: readonly string[];
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** A `sysmonts` subcommand. `run` resolves to the process exit code. */
export interface Command {
  /** The words that select it: ["config", "check"], ["run"], ["-s"]. */
  readonly words: readonly string[];
  readonly usage: string;
  readonly summary: string;
  run(context: CommandContext): Promise<number>;
}
