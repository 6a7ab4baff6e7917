// Runs under Wine with the Windows node.exe (clipboard-wine.test.ts). Three Windows processes:
// this probe (the service's side: ClipboardSensor and the Archiver), the clipboard agent, and a
// setter that puts text on the clipboard from its own window. Usage: probe <report> (agent|setter args).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Archiver, archiveDirectoryPath, windowsHashesText } from "../../engine/src/enrich";
import { eventDef, eventFromFields } from "../../engine/src/schema";
import { ARCHIVE_DIRECTORY_SDDL, ClipboardAgent, ClipboardSensor, clipboardWin32, createProtectedDirectory, directoryDaclSddl } from "../../engine/src/sensor";
import type { ClipboardRecord } from "../../engine/src/sensor";
import { createProbeReport } from "./probe-report";

const role = process.argv[3];
const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function agentMain(pipeName: string): Promise<void> {
  const agent = await ClipboardAgent.start({ pipeName, pollIntervalMs: 20 });
  // Ends when the probe kills it; a safety stop keeps a broken run from hanging the test.
  setTimeout(() => void agent.close().then(() => process.exit(0)), 30_000);
}

async function setterMain(text: string, pidFile: string): Promise<void> {
  const api = clipboardWin32();
  const window = api.createMessageWindow("SysmonTsProbeSetter", () => undefined);
  writeFileSync(pidFile, JSON.stringify({ pid: process.pid, ok: api.writeUnicodeText(window, text) }));
  // Stays alive (owning the clipboard) until the agent has read the owner.
  setTimeout(() => process.exit(0), 5000);
}

async function probeMain(): Promise<void> {
  const report = createProbeReport();
  const work = path.dirname(process.argv[2]!);
  const pipeName = `\\\\.\\pipe\\SysmonTs-clipboard-probe-${process.pid}`;
  const agent = spawn(process.execPath, [__filename, process.argv[2]!, "agent", pipeName], { stdio: "ignore" });
  const sensor = new ClipboardSensor({ retryMs: 100 });
  sensor.setEnabledEvents(new Set([24]));
  sensor.attach(pipeName);
  for (let i = 0; i < 100 && sensor.connectedAgents === 0; i++) await wait(100);
  report.record({ step: "service connects to the agent's pipe", ok: sensor.connectedAgents === 1, detail: { agentPid: agent.pid } });

  const text = `SysmonTs clipboard probe ${Date.now()} ✓`;
  const pidFile = path.join(work, "setter.json");
  const setter = spawn(process.execPath, [__filename, process.argv[2]!, "setter", text, pidFile], { stdio: "ignore" });
  const records: ClipboardRecord[] = [];
  for (let i = 0; i < 100 && records.length === 0; i++) {
    await wait(100);
    sensor.drain((r) => {
      if (r.kind === "clipboard") records.push(r);
    });
  }
  const setterInfo = existsSync(pidFile) ? (JSON.parse(readFileSync(pidFile, "utf8")) as { pid: number; ok: boolean }) : null;
  report.record({ step: "agent reports the setter's text", ok: records.length > 0, detail: { setter: setterInfo, setterSpawnPid: setter.pid, records, text } });

  // The service's side turns the record into event 24 and archives it (enricher → Archiver).
  const archiveRoot = path.join(work, "drive");
  mkdirSync(archiveRoot, { recursive: true });
  const archiver = new Archiver({
    archiveDirectory: "\\Sysmon\\", hashAlgorithms: ["SHA1", "MD5", "SHA256", "IMPHASH"],
    folderFor: (name) => archiveDirectoryPath(name, archiveRoot), prepareDirectory: createProtectedDirectory,
  });
  const hashes = windowsHashesText(Buffer.from(records[0]?.text ?? "", "utf16le"), ["SHA1", "MD5", "SHA256", "IMPHASH"]);
  archiver.clipboardTexts.put(hashes, records[0]?.text ?? "");
  const clip = await new Promise<ReturnType<typeof eventFromFields>>((resolve) => archiver.submit(eventFromFields(24, { Hashes: hashes, Archived: "false" }), resolve));
  report.step("clipboard text archived as CLIP-<Hashes> in a protected folder", () => ({
    archived: clip.values[eventDef(24).fieldIndex.get("Archived")!],
    hashes,
    files: readdirSync(archiver.folder),
    dacl: directoryDaclSddl(archiver.folder),
    expectedDacl: ARCHIVE_DIRECTORY_SDDL,
  }));

  // A deletion: the file still exists when the driver's pre-operation record arrives.
  const victim = path.join(work, "victim.exe");
  writeFileSync(victim, "MZ pretend executable");
  const deleted = await new Promise<ReturnType<typeof eventFromFields>>((resolve) => archiver.submit(eventFromFields(23, { TargetFilename: victim, Hashes: "-", Archived: "false" }), resolve));
  const f23 = eventDef(23).fieldIndex;
  report.step("deleted file archived by Hashes", () => ({ archived: deleted.values[f23.get("Archived")!], hashes: deleted.values[f23.get("Hashes")!], files: readdirSync(archiver.folder) }));

  // An archive folder that cannot be created: its parent is a file.
  const blocker = path.join(work, "blocker");
  writeFileSync(blocker, "x");
  const failing = new Archiver({ archiveDirectory: "\\Sysmon\\", hashAlgorithms: ["SHA256"], folderFor: () => path.join(blocker, "Sysmon"), prepareDirectory: createProtectedDirectory });
  const failed = await new Promise<ReturnType<typeof eventFromFields>>((resolve) => failing.submit(eventFromFields(23, { TargetFilename: victim, Hashes: "-", Archived: "false" }), resolve));
  report.step("unwritable archive folder", () => ({ archived: failed.values[f23.get("Archived")!], failed: failing.stats().failed }));

  agent.kill();
  setter.kill();
  sensor.close();
  report.finish();
}

if (role === "agent") void agentMain(process.argv[4]!);
else if (role === "setter") void setterMain(process.argv[4]!, process.argv[5]!);
else void probeMain();
