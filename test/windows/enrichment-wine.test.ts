// System test: the Windows enrichment bindings (LookupAccountSidW, the process token, LSA logon
// sessions, WinVerifyTrust and the signer certificate) run for real through koffi by the Windows
// node.exe under Wine, in a fresh prefix. The signed file is signed in this test by osslsigncode
// with a throwaway self-signed certificate made by openssl; whatever Wine answers is asserted as
// it is, and what real Windows would answer differently is said beside it.
import { execFileSync } from "node:child_process";
import { copyFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { WinePrefix, winePath } from "./harness";
import { type ProbeResults, runProbe } from "./wine-harness";

jest.setTimeout(300000);

// A small PE with a version resource from the Wine package (OriginalFilename dism.exe).
const SAMPLE_PE = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/dism.exe";

describe("Windows enrichment under Wine", () => {
  let wine: WinePrefix;
  let report: ProbeResults;

  beforeAll(() => {
    wine = WinePrefix.create();
    const scratch = (name: string) => wine.scratchFile(name).unix;
    const unsigned = scratch("unsigned.exe");
    const signed = scratch("signed.exe");
    copyFileSync(SAMPLE_PE, unsigned);
    const key = scratch("signer.key");
    const cert = scratch("signer.crt");
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=SysmonTs Test Signer"], { stdio: "ignore" });
    execFileSync("osslsigncode", ["sign", "-certs", cert, "-key", key, "-n", "SysmonTs test", "-h", "sha256", "-in", unsigned, "-out", signed], { stdio: "ignore" });
    // The probe finds its inputs beside its report, in the prefix's scratch folder.
    writeFileSync(scratch("enrichment-input.json"), JSON.stringify({ unsigned: winePath(unsigned), signed: winePath(signed) }));
    report = runProbe(wine, path.join(__dirname, "enrichment-wine-probe.ts"));
  });

  afterAll(() => wine?.close());

  const stepNamed = (name: string) => report.step(name);

  test("runs as win32", () => {
    expect(report.platform).toBe("win32");
  });

  test("names well-known SIDs as DOMAIN\\name, unknown ones not at all, and caches both", () => {
    expect(stepNamed("account names of well-known SIDs")).toMatchObject({ ok: true, detail: { names: { "S-1-5-18": "NT AUTHORITY\\SYSTEM", "S-1-5-21-1-2-3-4242": null } } });
    const detail = stepNamed("account names of well-known SIDs").detail as { names: Record<string, string | null>; lookupsAfterFirst: number; lookupsAfterRepeat: number };
    expect(detail.names["S-1-5-32-544"]).toBe("BUILTIN\\Administrators");
    expect(detail.lookupsAfterFirst).toBe(6);
    expect(detail.lookupsAfterRepeat).toBe(6);
  });

  test("bad SID text is a SysmonTsError, not a crash in native code", () => {
    expect(stepNamed("bad SID text")).toMatchObject({ ok: false, detail: expect.stringContaining("'x' is not a number") });
  });

  test("reads its own token: a user SID with a name, an integrity level and a logon LUID", () => {
    const token = stepNamed("own process token");
    expect(token.ok).toBe(true);
    const detail = token.detail as { userSid: string; integrityLevel: string; logonId: string; userName: string | null; sessionId: number; logonTimeSec: number };
    expect(detail.userSid).toMatch(/^S-1-5-/);
    expect(detail.userName).toMatch(/\\/);
    expect(["Low", "Medium", "High", "System"]).toContain(detail.integrityLevel);
    // Wine's tokens carry AuthenticationId 0 and it has no LSA logon sessions (logon time 0); on
    // Windows both come from the session (SYSTEM's LUID is 0x3e7).
    expect(detail).toMatchObject({ logonId: "0", logonTimeSec: 0 });
    expect(stepNamed("token of a process that does not exist")).toMatchObject({ ok: true, detail: null });
  });

  test("an unsigned image is Signed=false, Unavailable", () => {
    expect(stepNamed("authenticode of an unsigned file")).toMatchObject({
      ok: true,
      detail: { facts: { signed: false, signature: "-", signatureStatus: "Unavailable" }, raw: { trustResult: "0x800B0100" } },
    });
    expect(stepNamed("authenticode of a missing file")).toMatchObject({ ok: true, detail: { signed: false, signatureStatus: "Unavailable" } });
  });

  test("a self-signed image is Signed=true with the signer's CN", () => {
    const signed = stepNamed("authenticode of a signed file");
    expect(signed.ok).toBe(true);
    const detail = signed.detail as { facts: { signed: boolean; signature: string; signatureStatus: string }; raw: { trustResult: string } };
    expect(detail.facts.signed).toBe(true);
    expect(detail.facts.signature).toBe("SysmonTs Test Signer");
    // Wine's WinVerifyTrust does not build the chain to a trusted root: it answers 0 ("Valid").
    // Real Windows answers CERT_E_UNTRUSTEDROOT for this self-signed signer, which maps to the
    // system's message text (authenticode.test.ts covers that mapping).
    expect(detail).toMatchObject({ facts: { signatureStatus: "Valid" }, raw: { trustResult: "0x00000000" } });
  });

  test("the details resolver caches per file and reads the version strings of the signed copy", () => {
    const resolver = stepNamed("details resolver caches by file identity");
    expect(resolver).toMatchObject({
      ok: true,
      detail: {
        first: { version: { originalFileName: "dism.exe" }, signature: { signed: true, signature: "SysmonTs Test Signer" } },
        sameObjects: true,
        stats: { images: 1, versionReads: 1, signatureChecks: 1, cacheHits: 2 },
        system: "NT AUTHORITY\\SYSTEM",
        afterClose: { images: 0 },
      },
    });
  });
});
