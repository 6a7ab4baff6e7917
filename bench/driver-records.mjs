// Windows driver READ buffers: records/s through the driver client's queue (decode, map to
// RawRecords, queue, drain), against two same-run baselines: walking the same buffer by record
// size only (the floor of any decoder) and decoding without mapping (driver-records.ts alone).
// Method: bundle engine/src/sensor/windows with esbuild, fill 1 MiB READ buffers with a mix of
// process create, image load, file create, registry and process access records (the busy
// types on a real host), warm up, then time 200 buffers, 5 runs, report the median.
// Run: node_modules/.bin/node bench/driver-records.mjs
import { build } from "esbuild";
import { rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

// Inside node_modules so that koffi (imported by the device bindings, never called here) resolves.
const outFile = path.resolve("node_modules/.cache/bench-driver-records.mjs");
const entry = path.resolve("node_modules/.cache/bench-driver-records-entry.ts");
const { writeFileSync } = await import("node:fs");
writeFileSync(entry, [
  `export { DriverRecordQueue } from "${path.resolve("engine/src/sensor/windows/driver-client-queue")}";`,
  `export { drainDriverBuffer, encodeDriverRecord } from "${path.resolve("engine/src/sensor/windows/driver-records")}";`,
].join("\n"));
await build({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", outfile: outFile, external: ["koffi"], logLevel: "error" });
const { DriverRecordQueue, drainDriverBuffer, encodeDriverRecord } = await import(pathToFileURL(outFile).href);

const now = Date.now();
const vol = "\\Device\\HarddiskVolume3";
function record(i) {
  const base = { timeMs: now + i, pid: 1000 + (i % 300), tid: 2000 + i };
  switch (i % 5) {
    case 0:
      return encodeDriverRecord("processCreate", { ...base, processId: 5000 + i, parentProcessId: 1000, creatingProcessId: 1000, creatingThreadId: 1004,
        processKey: BigInt(i), createTime: 133_000_000_000_000_000n, sessionId: 1, flags: 1, authenticationId: 0x3e7n,
        imageFileName: `${vol}\\Windows\\System32\\cmd.exe`, commandLine: `cmd.exe /c echo ${i}`, userSid: "S-1-5-18", integrityLevel: "System" });
    case 1:
      return encodeDriverRecord("imageLoad", { ...base, processId: base.pid, flags: 0, imageBase: 0x7ff0_0000_0000n, imageSize: 0x1000n, imageFileName: `${vol}\\Windows\\System32\\ntdll.dll` });
    case 2:
      return encodeDriverRecord("fileCreate", { ...base, creationTime: 133_000_000_000_000_000n, createDisposition: 2, reserved: 0, targetFilename: `${vol}\\Users\\a\\AppData\\Local\\Temp\\f${i}.tmp` });
    case 3:
      return encodeDriverRecord("registry", { ...base, operation: 3, valueType: 4, dataLength: 4, reserved: 0, targetObject: "\\REGISTRY\\MACHINE\\SOFTWARE\\Vendor\\Key\\Value", details: "DWORD (0x00000001)" });
    default:
      return encodeDriverRecord("processAccess", { ...base, targetProcessId: 640, grantedAccess: 0x1410, operation: 1, frameCount: 3, callTrace: "7ffb5f3e3e8a|7ffb5f3e1000|7ffb5f3e2000" });
  }
}

const BUFFER = 1 << 20;
const buffer = Buffer.alloc(BUFFER);
let length = 0;
let perBuffer = 0;
for (let i = 0; ; i++) {
  const r = record(i);
  const span = (r.length + 7) & ~7;
  if (length + span > BUFFER) break;
  r.copy(buffer, length);
  length += span;
  perBuffer++;
}
const BUFFERS = 200;
const N = BUFFERS * perBuffer;

function time(fn) {
  const runs = [];
  for (let r = 0; r < 5; r++) {
    const start = process.hrtime.bigint();
    for (let b = 0; b < BUFFERS; b++) fn();
    runs.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  runs.sort((a, b) => a - b);
  return runs[2];
}

let sink = 0;
const walkMs = time(() => {
  for (let at = 0; at < length; ) {
    const size = buffer.readUInt16LE(at);
    sink += buffer.readUInt16LE(at + 2);
    at += (size + 7) & ~7;
  }
});
const decodeMs = time(() => {
  drainDriverBuffer(buffer, length, { onRecord: () => sink++ });
});
const queue = new DriverRecordQueue({ paths: { devices: { "C:": vol }, systemRoot: "C:\\Windows" }, answerBlock: () => undefined }, 1 << 30);
const queueMs = time(() => {
  queue.accept(buffer, length);
  queue.drain(() => sink++);
});
rmSync(outFile, { force: true });
rmSync(entry, { force: true });
const rate = (ms) => `${ms.toFixed(1)} ms = ${Math.round((N / ms) * 1000)} rec/s (${((ms * 1000) / N).toFixed(3)} µs/record)`;
console.log(`method: ${BUFFERS} READ buffers of 1 MiB, ${perBuffer} records each (create/image/file/registry/access mix), median of 5 runs`);
console.log(`baseline, walk by size only: ${rate(walkMs)}`);
console.log(`baseline, decode only (driver-records.ts): ${rate(decodeMs)}`);
console.log(`driver client queue (decode, map, queue, drain): ${rate(queueMs)}`);
console.log(`malformed ${queue.counters().malformed}; sink ${sink > 0}`);
