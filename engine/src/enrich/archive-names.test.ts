import { readFileSync } from "node:fs";
import { imphash } from "../sensor";
import { archiveDirectoryPath, clipboardArchiveName, deletedFileArchiveName, windowsAlgorithms, windowsHashesText } from "./archive-names";

describe("archive names and Windows hashes", () => {
  it("hashes in Sysmon's order with uppercase hex, only the configured algorithms", () => {
    // Published test vectors for "abc" (RFC 1321, FIPS 180).
    expect(windowsHashesText(Buffer.from("abc"), ["SHA256", "MD5"])).toBe(
      "MD5=900150983CD24FB0D6963F7D28E17F72,SHA256=BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
    );
    expect(windowsHashesText(Buffer.from("abc"), ["SHA1"])).toBe("SHA1=A9993E364706816ABA3E25717850C26C9CD0D89D");
  });

  it("gives non-PE content an IMPHASH of 32 zeros and a PE image its import hash", () => {
    expect(windowsHashesText(Buffer.from("hello"), ["IMPHASH"])).toBe(`IMPHASH=${"0".repeat(32)}`);
    expect(windowsHashesText(Buffer.from("MZ not really a PE"), ["IMPHASH"])).toBe(`IMPHASH=${"0".repeat(32)}`);
    // A real PE from the Wine package that scripts/setup.sh installs.
    const pe = readFileSync("/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/notepad.exe");
    expect(windowsHashesText(pe, ["IMPHASH"])).toBe(`IMPHASH=${imphash(pe)}`);
    expect(imphash(pe)).not.toBe("0".repeat(32));
  });

  it("reads HashAlgorithms names in any case, with * for all", () => {
    expect(windowsAlgorithms(["sha256", "md5"])).toEqual(["MD5", "SHA256"]);
    expect(windowsAlgorithms(["*"])).toEqual(["SHA1", "MD5", "SHA256", "IMPHASH"]);
    expect(windowsAlgorithms(["SHA1,IMPHASH"])).toEqual(["SHA1", "IMPHASH"]);
  });

  it("puts the archive folder at the root of the system drive", () => {
    expect(archiveDirectoryPath("\\Sysmon\\", "C:")).toBe("C:\\Sysmon");
    expect(archiveDirectoryPath("\\Deleted\\", "D:\\")).toBe("D:\\Deleted");
  });

  it("names a deleted file by its Hashes and keeps its extension, within 255 characters", () => {
    expect(deletedFileArchiveName("SHA1=AB", "C:\\Users\\a\\Temp\\tool.exe")).toBe("SHA1=AB.exe");
    expect(deletedFileArchiveName("SHA1=AB", "C:\\Users\\a\\Temp\\README")).toBe("SHA1=AB");
    expect(deletedFileArchiveName("SHA1=AB", "C:\\x\\.profile")).toBe("SHA1=AB");
    const hashes = "H".repeat(250);
    expect(deletedFileArchiveName(hashes, "C:\\a.verylongextension")).toHaveLength(255);
  });

  it("names clipboard text CLIP-<Hashes>", () => {
    expect(clipboardArchiveName("SHA256=AB")).toBe("CLIP-SHA256=AB");
  });
});
