// Regenerates records.h from engine/src/sensor/linux/layout.ts, the single declaration of the
// records the eBPF programs emit. Runs with the pinned Node (type stripping), from anywhere:
//   node driver/linux/generate-records-header.mjs
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const { renderRecordsHeader } = await import(path.join(here, "../../engine/src/sensor/linux/layout.ts"));
writeFileSync(path.join(here, "records.h"), renderRecordsHeader());
console.log("wrote driver/linux/records.h");
