/**
 * koffi's native binary inside a single executable. koffi looks for its per-platform package
 * (`@koromix/koffi-<os>-<arch>`) with require(); scripts/package.mjs points those names at this
 * module when it bundles the engine for a SEA. A SEA's require() resolves only built-in modules,
 * so the binary travels as the SEA asset "koffi.node" and is loaded with process.dlopen from a
 * file written once per content hash under the temp directory (a DLL cannot load from memory).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { getRawAsset, isSea } from "node:sea";
import { SysmonTsError } from "../../base";

export const KOFFI_ASSET = "koffi.node";

/** Writes `bytes` to `<dir>/koffi-<sha256 prefix>.node` unless an identical file is there. */
export function materializeNativeModule(bytes: Uint8Array, options: { dir: string }): string {
  const digest = createHash("sha256").update(bytes).digest("hex").slice(0, 16);
  const file = path.join(options.dir, `koffi-${digest}.node`);
  if (!existsSync(file)) {
    mkdirSync(options.dir, { recursive: true });
    // Write then rename: two processes starting at once (service and a CLI call) never load a
    // half-written DLL.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, bytes);
    renameSync(partial, file);
  }
  return file;
}

/** koffi's native exports, loaded from the SEA asset. */
export function loadKoffiFromSea(): unknown {
  if (!isSea()) throw new SysmonTsError("SYSMONTS_E_INTERNAL", "the SEA koffi loader was used outside a single executable");
  const file = materializeNativeModule(new Uint8Array(getRawAsset(KOFFI_ASSET)), { dir: path.join(os.tmpdir(), "sysmonts-native") });
  const holder: { exports: unknown } = { exports: {} };
  process.dlopen(holder as NodeJS.Module, file);
  return holder.exports;
}
