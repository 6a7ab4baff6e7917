// Writes the inputs of SysmonTs.Events.dll (installer/eventlog/SysmonTs.Events.rc) into the
// directory named by argv[2]: wevt_template.bin, messages.bin and the SysmonTs.man the installer
// ships and registers. scripts/package.mjs bundles and runs it.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { buildMessageTable } from "../engine/src/output/windows-eventlog/message-table";
// The modules themselves, not output/index.ts: that one brings the sinks and koffi along.
import { buildEventLogManifest, eventLogMessages } from "../engine/src/output/windows-eventlog/manifest";
import { buildWevtTemplate } from "../engine/src/output/windows-eventlog/wevt-template";

const out = process.argv[2];
if (!out) throw new Error("eventlog-resources: give the output directory");
writeFileSync(path.join(out, "wevt_template.bin"), buildWevtTemplate());
writeFileSync(path.join(out, "messages.bin"), buildMessageTable(eventLogMessages()));
writeFileSync(path.join(out, "SysmonTs.man"), buildEventLogManifest());
