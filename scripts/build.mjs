// Bundles the engine into one CommonJS file (dist/sysmonts.cjs): what `npx sysmonts`, the
// installed service and the single executables all run. koffi stays external because its
// native binary is loaded from node_modules (or from the SEA asset on Windows).
import { build } from "esbuild";
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

await build({
  entryPoints: ["engine/src/cli/main.ts"],
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node26",
  outfile: "dist/sysmonts.cjs",
  external: ["koffi"],
  sourcemap: "linked",
  define: { SYSMONTS_VERSION: JSON.stringify(pkg.version) },
  logLevel: "warning",
});
