#!/usr/bin/env node
"use strict";
// Thin launcher: the engine itself is the bundle that `npm run build` (run by `npm install`) writes.
const path = require("node:path");
const bundle = path.join(__dirname, "..", "dist", "sysmonts.cjs");
let engine;
try {
  engine = require(bundle);
} catch (error) {
  if (error && error.code === "MODULE_NOT_FOUND" && String(error.message).includes("sysmonts.cjs")) {
    process.stderr.write("sysmonts: the engine is not built; run `npm run build` in " + path.dirname(__dirname) + "\n");
    process.exit(70);
  }
  throw error;
}
engine.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
