// System test: clipboard capture (event 24) and the archive directory (events 23/24) for real
// under Wine, with the Windows node.exe, in a fresh prefix. Wine 8 needs no display for this: its
// clipboard lives in wineserver, message-only windows and AddClipboardFormatListener work with the
// null graphics driver (no DISPLAY is set here). Three Windows processes take part: the probe
// (the service's reader and archiver), the clipboard agent, and a setter process whose window owns
// the clipboard. What only Windows can show (the agent started per session by the service under
// the user's token, the Administrators ACE on NTFS) is said beside the assertions and in the README.
import { createHash } from "node:crypto";
import path from "node:path";
import { WinePrefix } from "./harness";
import { type ProbeResults, runProbe } from "./wine-harness";

jest.setTimeout(300000);

const upperHex = (algorithm: string, data: Buffer): string => createHash(algorithm).update(data).digest("hex").toUpperCase();
const allHashes = (data: Buffer): string =>
  `SHA1=${upperHex("sha1", data)},MD5=${upperHex("md5", data)},SHA256=${upperHex("sha256", data)},IMPHASH=${"0".repeat(32)}`;

describe("clipboard agent and archive directory under Wine", () => {
  let wine: WinePrefix;
  let report: ProbeResults;

  beforeAll(() => {
    wine = WinePrefix.create();
    report = runProbe(wine, path.join(__dirname, "clipboard-wine-probe.ts"));
  });

  afterAll(() => wine?.close());

  const stepNamed = (name: string) => report.step(name);

  test("the service's reader connects to the agent's pipe", () => {
    expect(report.platform).toBe("win32");
    expect(stepNamed("service connects to the agent's pipe").ok).toBe(true);
  });

  test("text set by another process is reported with that process's pid, session and ClientInfo", () => {
    const step = stepNamed("agent reports the setter's text");
    expect(step.ok).toBe(true);
    const detail = step.detail as { setter: { pid: number; ok: boolean }; records: { actor: { pid: number }; sessionId: number; clientInfo: string; text: string }[]; text: string };
    expect(detail.setter.ok).toBe(true);
    expect(detail.records).toHaveLength(1);
    const record = detail.records[0]!;
    expect(record.text).toBe(detail.text);
    expect(record.actor.pid).toBe(detail.setter.pid);
    // Wine runs every process in session 1 with a console-style session: no RDP client.
    expect(record.sessionId).toBe(1);
    expect(record.clientInfo).toMatch(/^user: [^\\ ]+\\[^\\ ]+$/);
  });

  test("the clipboard text is archived as CLIP-<Hashes> of its UTF-16LE bytes", () => {
    const step = stepNamed("clipboard text archived as CLIP-<Hashes> in a protected folder");
    const text = (stepNamed("agent reports the setter's text").detail as { text: string }).text;
    const detail = step.detail as { archived: string; hashes: string; files: string[]; dacl: string | null };
    const expected = allHashes(Buffer.from(text, "utf16le"));
    expect(detail).toMatchObject({ archived: "true", hashes: expected, files: [`CLIP-${expected}`] });
    // Wine derives a Unix-backed folder's DACL from its mode bits, so it shows SYSTEM and the
    // owner, not BUILTIN\Administrators or the protected flag we asked for; it does show that
    // nobody else (no Everyone, no Users ACE) was granted anything. NTFS keeps the exact SDDL.
    expect(detail.dacl).toContain("(A;OICI;FA;;;SY)");
    expect(detail.dacl).not.toMatch(/;;;(WD|BU|AU)\)/);
  });

  test("an included deletion's file is archived by its Hashes with its extension", () => {
    const detail = stepNamed("deleted file archived by Hashes").detail as { archived: string; hashes: string; files: string[] };
    const expected = allHashes(Buffer.from("MZ pretend executable"));
    expect(detail.archived).toBe("true");
    expect(detail.hashes).toBe(expected);
    expect(detail.files).toContain(`${expected}.exe`);
  });

  test("an archive folder that cannot be created gives Archived false and a counted failure", () => {
    expect(stepNamed("unwritable archive folder").detail).toMatchObject({ archived: "false", failed: { directoryUnavailable: 1 } });
  });
});
