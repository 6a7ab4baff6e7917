import { copyFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { NO_VERSION_STRINGS } from "./pe-version";
import { createWindowsDetails } from "./windows-details";

// Version strings are pure and run here on real Wine images; signatures and accounts need
// Windows and are exercised under Wine by test/windows/enrichment-wine.test.ts.
const WINE_DIR = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows";

describe("createWindowsDetails", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "windows-details-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("reads an image's version strings once and answers repeats from the cache, whatever the path's case", () => {
    const image = path.join(dir, "Dism.exe");
    copyFileSync(path.join(WINE_DIR, "dism.exe"), image);
    using details = createWindowsDetails();
    const first = details.versionStrings(image);
    expect(first.originalFileName).toBe("dism.exe");
    expect(details.versionStrings(image)).toBe(first);
    expect(details.stats()).toMatchObject({ images: 1, versionReads: 1, cacheHits: 1 });
  });

  test("a file replaced in place is read again", () => {
    const image = path.join(dir, "image.exe");
    copyFileSync(path.join(WINE_DIR, "dism.exe"), image);
    using details = createWindowsDetails();
    expect(details.versionStrings(image).originalFileName).toBe("dism.exe");
    copyFileSync(path.join(WINE_DIR, "dpnsvr.exe"), image);
    utimesSync(image, new Date(), new Date(Date.now() + 5000));
    expect(details.versionStrings(image).originalFileName).toBe("dpnsvr.dll") // what Wine's resource says;
    expect(details.stats()).toMatchObject({ images: 1, versionReads: 2 });
  });

  test("a script or a missing file gives no strings; the unreadable one is counted and logged", () => {
    const script = path.join(dir, "run.cmd");
    writeFileSync(script, "@echo off\r\n");
    const messages: string[] = [];
    using details = createWindowsDetails({ log: (m) => messages.push(m) });
    expect(details.versionStrings(script)).toEqual(NO_VERSION_STRINGS);
    expect(details.versionStrings(path.join(dir, "gone.exe"))).toEqual(NO_VERSION_STRINGS);
    expect(details.stats()).toMatchObject({ versionErrors: 1, versionReads: 1, images: 1 });
    expect(messages).toEqual([expect.stringContaining("not a valid PE image")]);
  });

  test("off Windows a signature cannot be checked: Unavailable, counted, never thrown", () => {
    const image = path.join(dir, "image.exe");
    copyFileSync(path.join(WINE_DIR, "dism.exe"), image);
    using details = createWindowsDetails();
    expect(details.signature(image)).toEqual({ signed: false, signature: "-", signatureStatus: "Unavailable" });
    expect(details.stats()).toMatchObject({ signatureChecks: 1, signatureErrors: 1 });
    expect(details.accountName("S-1-5-18")).toBeNull();
  });

  test("close empties the cache", () => {
    const image = path.join(dir, "image.exe");
    copyFileSync(path.join(WINE_DIR, "dism.exe"), image);
    const details = createWindowsDetails();
    details.versionStrings(image);
    details.close();
    expect(details.stats().images).toBe(0);
  });
});
