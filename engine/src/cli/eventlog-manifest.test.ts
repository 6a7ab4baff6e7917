import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { XMLValidator } from "fast-xml-parser";
import { eventLogManifestCommand } from "./eventlog-manifest";

function context(args: string[]) {
  const stdout = new PassThrough();
  let text = "";
  stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return { ctx: { args, stdout, stderr: new PassThrough() }, output: () => text };
}

describe("sysmonts eventlog manifest", () => {
  test("prints a well-formed manifest naming the given resource file", async () => {
    const { ctx, output } = context(["--resource-file", "C:\\Program Files\\SysmonTs\\SysmonTs.exe"]);
    expect(await eventLogManifestCommand.run(ctx)).toBe(0);
    expect(XMLValidator.validate(output())).toBe(true);
    expect(output()).toContain('resourceFileName="C:\\Program Files\\SysmonTs\\SysmonTs.exe"');
  });

  test("writes the manifest to --out", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sysmonts-man-"));
    try {
      const file = path.join(dir, "SysmonTs.man");
      expect(await eventLogManifestCommand.run(context(["--out", file]).ctx)).toBe(0);
      expect(readFileSync(file, "utf8")).toContain('<channel name="SysmonTs/Operational"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("rejects unknown arguments and a missing value as usage errors", async () => {
    await expect(eventLogManifestCommand.run(context(["--bogus"]).ctx)).rejects.toMatchObject({ code: "SYSMONTS_E_USAGE" });
    await expect(eventLogManifestCommand.run(context(["--out"]).ctx)).rejects.toMatchObject({ code: "SYSMONTS_E_USAGE" });
  });
});
