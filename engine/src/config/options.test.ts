import { PositionedError } from "../base";
import { loadConfig } from "./load";
import type { Platform } from "./options";
import { parseFieldSizes, parseHashAlgorithms, splitOptionList } from "./options";

const fail = (reason: string): never => {
  throw new Error(reason);
};

function optionsOf(body: string, platform: Platform = "windows") {
  return loadConfig(`<Sysmon schemaversion="4.90">${body}</Sysmon>`, { file: "o.xml", platform }).options;
}

function errorOf(body: string, platform: Platform = "windows"): PositionedError {
  try {
    optionsOf(body, platform);
  } catch (thrown) {
    if (thrown instanceof PositionedError) return thrown;
    throw thrown;
  }
  throw new Error("loaded");
}

describe("HashAlgorithms (config.md §3)", () => {
  it("orders algorithms as Sysmon prints them, whatever the input order and spelling", () => {
    expect(parseHashAlgorithms("imphash,SHA-256,md5,Sha1", fail)).toEqual(["SHA1", "MD5", "SHA256", "IMPHASH"]);
    expect(parseHashAlgorithms("*", fail)).toEqual(["SHA1", "MD5", "SHA256", "IMPHASH"]);
    expect(parseHashAlgorithms("ALL", fail)).toHaveLength(4);
    expect(parseHashAlgorithms("sha256", fail)).toEqual(["SHA256"]);
  });
  it("rejects unknown algorithms with the option's position", () => {
    const error = errorOf("\n  <HashAlgorithms>sha512</HashAlgorithms>");
    expect(error.code).toBe("SYSMONTS_E_CONFIG_OPTION");
    expect(error.message).toBe("o.xml:2:3: HashAlgorithms: invalid hashing algorithm 'sha512'; expected *, all, or a comma list of SHA1, MD5, SHA256, IMPHASH");
  });
  it("defaults to SHA256 on Linux and SHA1 on Windows", () => {
    expect(optionsOf("", "linux").hashAlgorithms).toEqual(["SHA256"]);
    expect(optionsOf("", "windows").hashAlgorithms).toEqual(["SHA1"]);
  });
});

describe("FieldSizes (config.md §13.3)", () => {
  it.each(["Nonfield:5", "Image:5,Nonfield:6", "Nonfield:5,Image:6", "Image:0", "Image:-1", "Image:-2", "Image:0,User:5", "Image:5,User:0", "Image:-1,User:5", "Image:5,User:-1", "Image:-2,User:5", "Image:5,User:-2", "Image:5.User:6"])("rejects %s", (text) => {
    expect(() => parseFieldSizes(text, fail)).toThrow();
  });
  it("accepts Image:5,User:6 and an empty value; ignores entries without ':'", () => {
    expect([...parseFieldSizes("Image:5,User:6", fail)]).toEqual([["Image", 5], ["User", 6]]);
    expect(parseFieldSizes("", fail).size).toBe(0);
    expect([...parseFieldSizes("Image,User:3", fail)]).toEqual([["User", 3]]);
  });
  it("suggests the field meant", () => {
    expect(errorOf("<FieldSizes>CommandLin:10</FieldSizes>").message).toMatch(/FieldSizes field 'CommandLin' is invalid; did you mean CommandLine\?/);
  });
  it("derives per-event limits for every event with the field", () => {
    const options = optionsOf("<FieldSizes>Image:20</FieldSizes>");
    expect(options.fieldSizesText).toBe("Image:20");
    expect(options.fieldLimits.get(1)).toEqual([[4, 20]]);
    expect(options.fieldLimits.get(3)).toEqual([[4, 20]]);
    expect(options.fieldLimits.has(4)).toBe(false);
  });
});

describe("other options", () => {
  it("reads the Windows options", () => {
    const o = optionsOf("<CheckRevocation/><DnsLookup>False</DnsLookup><ArchiveDirectory>Archive</ArchiveDirectory><CaptureClipboard/><CopyOnDeletePE/><ProcessAccessConfig>lsass.exe:0x1010,a::b.exe</ProcessAccessConfig>");
    expect(o).toMatchObject({ checkRevocation: true, dnsLookup: false, archiveDirectory: "\\Archive\\", captureClipboard: true, copyOnDeletePE: true });
    expect(o.processAccess).toEqual([{ image: "lsass.exe", mask: 0x1010 }, { image: "a:b.exe", mask: null }]);
  });
  it("rejects an archive directory with a backslash, a bad CaptureClipboard value and 11 process-access entries", () => {
    expect(errorOf("<ArchiveDirectory>a\\b</ArchiveDirectory>").message).toMatch(/single path component/);
    expect(errorOf("<CaptureClipboard>yes</CaptureClipboard>").message).toMatch(/incorrect value 'yes' for node 'CaptureClipboard'/);
    expect(errorOf(`<ProcessAccessConfig>${Array.from({ length: 11 }, (_, i) => `p${i}.exe`).join(",")}</ProcessAccessConfig>`).message).toMatch(/maximum is 10/);
  });
  it("rejects Windows-only options on Linux, as Sysmon for Linux does", () => {
    const error = errorOf("<ArchiveDirectory>x</ArchiveDirectory>", "linux");
    expect(error.code).toBe("SYSMONTS_E_CONFIG_OPTION");
    expect(error.message).toMatch(/option not implemented on Linux/);
  });
  it("rejects unknown top-level elements with a suggestion", () => {
    const error = errorOf("<HashAlgorithm>md5</HashAlgorithm>");
    expect(error.code).toBe("SYSMONTS_E_CONFIG_ELEMENT");
    expect(error.message).toMatch(/^o\.xml:1:30: unknown element <HashAlgorithm> under <Sysmon>; did you mean HashAlgorithms\?/);
  });
  it("splits option lists on ',' with ',,' as a literal comma", () => {
    expect(splitOptionList("a,b,,c,d")).toEqual(["a", "b,c", "d"]);
  });
});
