import { CERT_E_EXPIRED, CERT_E_REVOKED, CERT_E_UNTRUSTEDROOT, CRYPT_E_FILE_ERROR, hresultText, signatureFactsFor, TRUST_E_NOSIGNATURE, TRUST_E_SUBJECT_FORM_UNKNOWN } from "./authenticode";

// The native half (WinVerifyTrust, CryptQueryObject) runs under Wine in
// test/windows/enrichment-wine.test.ts; this checks the mapping to Sysmon's words.
describe("signatureFactsFor", () => {
  const noText = (): string => "";
  const messages = (code: number): string => (code === CERT_E_UNTRUSTEDROOT ? "A certificate chain processed, but terminated in a root certificate which is not trusted by the trust provider.\r\n" : "");

  test("a valid signature names its signer", () => {
    expect(signatureFactsFor(0, { signer: "Microsoft Windows", describe: noText })).toEqual({ signed: true, signature: "Microsoft Windows", signatureStatus: "Valid" });
  });

  test("unsigned, unknown-format and unreadable files are Signed=false, Unavailable", () => {
    // 0x80070003 and 3: ERROR_PATH_NOT_FOUND as HRESULT and bare, what WinVerifyTrust gives for a missing file.
    for (const code of [TRUST_E_NOSIGNATURE, TRUST_E_SUBJECT_FORM_UNKNOWN, CRYPT_E_FILE_ERROR, 0x80070003, 3]) {
      expect(signatureFactsFor(code | 0, { signer: "ignored", describe: noText })).toEqual({ signed: false, signature: "-", signatureStatus: "Unavailable" });
    }
  });

  test("expired and revoked certificates keep Signed=true with Sysmon's words", () => {
    expect(signatureFactsFor(CERT_E_EXPIRED, { signer: "Old Corp", describe: noText })).toEqual({ signed: true, signature: "Old Corp", signatureStatus: "Expired" });
    expect(signatureFactsFor(CERT_E_REVOKED, { signer: null, describe: noText })).toEqual({ signed: true, signature: "-", signatureStatus: "Revoked" });
  });

  test("other failures carry the system's message, or the HRESULT when there is none", () => {
    expect(signatureFactsFor(CERT_E_UNTRUSTEDROOT, { signer: "Test Signer", describe: messages }).signatureStatus).toBe(
      "A certificate chain processed, but terminated in a root certificate which is not trusted by the trust provider.",
    );
    expect(signatureFactsFor(0x80096010, { signer: "X", describe: noText }).signatureStatus).toBe("0x80096010");
    expect(hresultText(-2146869232)).toBe("0x80096010");
  });
});
