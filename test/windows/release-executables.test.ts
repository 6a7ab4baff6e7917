/**
 * The release build (`npm run package`, pinned Node 26): the Linux single executable runs; the
 * Windows one is a signed PE with the SEA blob injected. Node 26's node.exe cannot start under
 * Wine 8 (harness.ts), so running it is left to Windows (README "Windows").
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { packageVersion, repoRoot } from "./harness";

const releaseDir = path.join(repoRoot, "build", "release-package");

describe("release single executables", () => {
  beforeAll(() => {
    execFileSync(path.join(repoRoot, "node_modules/.bin/node"), [path.join(repoRoot, "scripts/package.mjs"), "--out", releaseDir], {
      cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"], timeout: 600_000,
    });
  }, 600_000);

  it("runs the Linux executable with the engine and its version inside", () => {
    const exe = path.join(releaseDir, "sysmonts");
    expect(execFileSync(exe, ["--version"], { encoding: "utf8" }).trim()).toBe(packageVersion);
    expect(execFileSync(exe, ["-h"], { encoding: "utf8" })).toMatch(/driver install/);
  });

  it("injects the SEA blob into the pinned Node's node.exe and signs the result", () => {
    const exe = path.join(releaseDir, "SysmonTs.exe");
    const bytes = readFileSync(exe);
    expect(bytes.subarray(0, 2).toString("latin1")).toBe("MZ");
    // The fuse flips to :1 when a blob is injected; an untouched node.exe has :0.
    expect(bytes.includes(Buffer.from("NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1"))).toBe(true);
    const pinned = (JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies["node"];
    expect(bytes.includes(Buffer.from(`node-v${pinned}`))).toBe(true);
    const certificate = process.env["SYSMONTS_SIGN_CERT"] ?? path.join(releaseDir, ".package/sign/throwaway.crt");
    expect(execFileSync("osslsigncode", ["verify", "-CAfile", certificate, "-in", exe], { encoding: "utf8" })).toMatch(/Signature verification: ok/);
  });
});
