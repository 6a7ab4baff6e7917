#!/usr/bin/env node
"use strict";
// Thin launcher. The engine needs the Node.js the project pins (26 LTS, from the npm package
// `node`); started by an older system node, it re-runs itself with the pinned one, so
// `node bin/sysmonts.cjs`, `npx sysmonts` and the README's scripts all behave the same.
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { existsSync } = require("node:fs");

const root = path.join(__dirname, "..");
const major = Number(process.versions.node.split(".")[0]);
if (major < 26) {
  const pinned = path.join(root, "node_modules", ".bin", "node");
  if (!existsSync(pinned)) {
    process.stderr.write(`sysmonts: needs Node.js 26 (this is ${process.version}); run \`npm ci\` in ${root} to install the pinned runtime\n`);
    process.exit(70);
  }
  const result = spawnSync(pinned, [__filename, ...process.argv.slice(2)], { stdio: "inherit" });
  if (result.signal) process.kill(process.pid, result.signal);
  process.exit(result.status ?? 70);
}

const bundle = path.join(root, "dist", "sysmonts.cjs");
if (!existsSync(bundle)) {
  process.stderr.write(`sysmonts: the engine is not built; run \`npm run build\` in ${root}\n`);
  process.exit(70);
}
require(bundle)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
