/**
 * Entry of section 2, run in its own process by the runner (so an engine that does not build yet
 * cannot stop the other sections). Prints the figures, then the result as one JSON line.
 * usage: pipeline-main CONFIG RECORDS
 */
import { isMainThread } from "node:worker_threads";
import { asSysmonTsError } from "../engine/src/base";
import { runPipeline } from "./pipeline";

if (isMainThread) {
  const [config, records] = process.argv.slice(2);
  runPipeline({ config: config ?? "", records: Number(records ?? 60_000) }).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      const wrapped = asSysmonTsError(error);
      process.stderr.write(`pipeline: ${wrapped.code}: ${wrapped.message}\n`);
      process.exitCode = 1;
    },
  );
}
