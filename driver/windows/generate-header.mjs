// Regenerates include/sysmonts_records.h from engine/src/sensor/windows/driver-records.ts
// (the single declaration of the driver's wire format). Run from anywhere:
//   node driver/windows/generate-header.mjs
import { build } from "esbuild";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bundled = await build({
  entryPoints: [path.join(root, "engine/src/sensor/windows/driver-records-header.ts")],
  bundle: true,
  platform: "node",
  format: "cjs",
  write: false,
  logLevel: "warning",
});
const module = { exports: {} };
new Function("module", "exports", "require", bundled.outputFiles[0].text)(module, module.exports, createRequire(import.meta.url));
const { renderRecordHeader, RECORD_HEADER_PATH } = module.exports;
writeFileSync(path.join(root, RECORD_HEADER_PATH), renderRecordHeader());
console.log(`wrote ${RECORD_HEADER_PATH}`);
