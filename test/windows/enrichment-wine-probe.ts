// Runs inside Wine under the Windows node.exe (bundled by enrichment-wine.test.ts). It drives the
// Windows enrichment bindings (accounts, tokens, Authenticode, version resources) for real
// through koffi and writes what they returned as JSON to the file named in argv[2] (node.exe's
// stdout under Wine must not be a pipe). The files to check are named in enrichment-input.json
// beside the report.
import { readFileSync } from "node:fs";
import path from "node:path";
import { WindowsAccounts } from "../../engine/src/sensor/windows/accounts";
import { authenticodeDiagnostics, verifyAuthenticode } from "../../engine/src/sensor/windows/authenticode";
import { createWindowsDetails } from "../../engine/src/sensor/windows/windows-details";
import { createProbeReport } from "./probe-report";

const { step, finish } = createProbeReport();

const input = JSON.parse(readFileSync(path.join(path.dirname(process.argv[2]!), "enrichment-input.json"), "utf8")) as { unsigned: string; signed: string };
const unsignedFile = input.unsigned;
const signedFile = input.signed;

step("account names of well-known SIDs", () => {
  const accounts = new WindowsAccounts();
  const names: Record<string, string | null> = {};
  for (const sid of ["S-1-5-18", "S-1-5-19", "S-1-5-20", "S-1-5-32-544", "S-1-1-0", "S-1-5-21-1-2-3-4242"]) names[sid] = accounts.accountName(sid);
  const lookupsAfterFirst = accounts.lookupCount();
  accounts.accountName("S-1-5-18");
  accounts.accountName("S-1-5-21-1-2-3-4242");
  return { names, lookupsAfterFirst, lookupsAfterRepeat: accounts.lookupCount() };
});

step("bad SID text", () => new WindowsAccounts().accountName("S-1-5-x"));

step("own process token", () => {
  const accounts = new WindowsAccounts();
  const token = accounts.processToken(process.pid);
  if (token === null) return null;
  return { ...token, logonId: token.logonId.toString(), userName: accounts.accountName(token.userSid), logonTimeSec: accounts.logonTimeSec(token.logonId) };
});

step("token of a process that does not exist", () => new WindowsAccounts().processToken(0x7ffffff0));

step("authenticode of an unsigned file", () => ({ facts: verifyAuthenticode(unsignedFile), raw: authenticodeDiagnostics(unsignedFile) }));
step("authenticode of a signed file", () => ({ facts: verifyAuthenticode(signedFile), raw: authenticodeDiagnostics(signedFile) }));
step("authenticode of a missing file", () => verifyAuthenticode("C:\\does-not-exist\\x.dll"));

step("details resolver caches by file identity", () => {
  const details = createWindowsDetails();
  const first = { version: details.versionStrings(signedFile), signature: details.signature(signedFile) };
  const second = { version: details.versionStrings(signedFile), signature: details.signature(signedFile) };
  const stats = details.stats();
  const system = details.accountName("S-1-5-18");
  details.close();
  return { first, sameObjects: first.version === second.version && first.signature === second.signature, stats, system, afterClose: details.stats() };
});

finish();
