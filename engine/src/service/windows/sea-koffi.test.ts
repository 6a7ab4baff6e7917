import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SysmonTsError } from "../../base";
import { loadKoffiFromSea, materializeNativeModule } from "./sea-koffi";

describe("koffi inside a single executable", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "sysmonts-sea-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the binary once per content and reuses it, leaving no partial files", () => {
    const bytes = new Uint8Array([0x4d, 0x5a, 1, 2, 3]);
    const first = materializeNativeModule(bytes, { dir });
    const second = materializeNativeModule(bytes, { dir });
    expect(second).toBe(first);
    expect(readFileSync(first)).toEqual(Buffer.from(bytes));
    const other = materializeNativeModule(new Uint8Array([9]), { dir });
    expect(other).not.toBe(first);
    expect(readdirSync(dir).sort()).toEqual([path.basename(first), path.basename(other)].sort());
  });

  it("refuses to run outside a SEA instead of loading something else", () => {
    expect(() => loadKoffiFromSea()).toThrow(SysmonTsError);
  });
});
