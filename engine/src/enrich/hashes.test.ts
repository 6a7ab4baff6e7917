import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync, utimesSync, mkdirSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FileHasher, parseHashAlgorithms } from "./hashes";

function digest(algorithm: string, content: Buffer | string): string {
  return createHash(algorithm).update(content).digest("hex");
}

describe("parseHashAlgorithms", () => {
  it("orders SHA1, MD5, SHA256, drops IMPHASH and unknown names, defaults to SHA256", () => {
    expect(parseHashAlgorithms(["sha256", "IMPHASH", "md5", "sha1"])).toEqual(["SHA1", "MD5", "SHA256"]);
    expect(parseHashAlgorithms(["md5,sha256"])).toEqual(["MD5", "SHA256"]);
    expect(parseHashAlgorithms(["*"])).toEqual(["SHA1", "MD5", "SHA256"]);
    expect(parseHashAlgorithms([])).toEqual(["SHA256"]);
    expect(parseHashAlgorithms(["IMPHASH"])).toEqual(["SHA256"]);
  });
});

describe("FileHasher", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "hashes"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("formats configured hashes in Sysmon's order with lowercase hex", () => {
    const file = path.join(dir, "bin");
    const content = Buffer.alloc(3 * 1024 * 1024 + 17, 0xab); // spans several read chunks
    writeFileSync(file, content);
    const hasher = new FileHasher({ algorithms: ["SHA256", "MD5", "SHA1"] });
    expect(hasher.hashesOf(file)).toBe(`SHA1=${digest("sha1", content)},MD5=${digest("md5", content)},SHA256=${digest("sha256", content)}`);
    hasher.setAlgorithms(["sha256"]);
    expect(hasher.hashesOf(file)).toBe(`SHA256=${digest("sha256", content)}`);
    expect(hasher.stats().bytesRead).toBe(2 * content.length);
  });

  it("reads a file once while its identity is unchanged, and again after it changes", () => {
    const file = path.join(dir, "tool");
    writeFileSync(file, "version 1");
    const hasher = new FileHasher({ algorithms: ["SHA256"] });
    for (let i = 0; i < 100; i++) expect(hasher.hashesOf(file)).toBe(`SHA256=${digest("sha256", "version 1")}`);
    expect(hasher.stats()).toMatchObject({ hashed: 1, cacheHits: 99, bytesRead: 9 });

    writeFileSync(file, "version 2");
    utimesSync(file, new Date(), new Date(Date.now() + 10_000));
    expect(hasher.hashesOf(file)).toBe(`SHA256=${digest("sha256", "version 2")}`);
    expect(hasher.stats()).toMatchObject({ hashed: 2, bytesRead: 18 });
  });

  it("evicts the least recently used identity when full", () => {
    const hasher = new FileHasher({ algorithms: ["MD5"], maxEntries: 2 });
    const files = ["a", "b", "c"].map((name) => {
      const file = path.join(dir, name);
      writeFileSync(file, name);
      return file;
    });
    const [a, b, c] = files as [string, string, string];
    hasher.hashesOf(a);
    hasher.hashesOf(b);
    hasher.hashesOf(a); // a is now the most recent
    hasher.hashesOf(c); // evicts b
    expect(hasher.stats()).toMatchObject({ hashed: 3, cached: 2 });
    hasher.hashesOf(a);
    expect(hasher.stats().hashed).toBe(3);
    hasher.hashesOf(b);
    expect(hasher.stats().hashed).toBe(4);
  });

  it("gives - for missing, directory, unreadable-path, partial and oversized files", () => {
    const big = path.join(dir, "big");
    writeFileSync(big, Buffer.alloc(2048));
    mkdirSync(path.join(dir, "sub"));
    const hasher = new FileHasher({ algorithms: ["SHA1"], maxFileBytes: 1024 });
    expect(hasher.hashesOf(path.join(dir, "missing"))).toBe("-");
    expect(hasher.hashesOf(path.join(dir, "sub"))).toBe("-");
    expect(hasher.hashesOf("")).toBe("-");
    expect(hasher.hashesOf("+/deep/path")).toBe("-");
    expect(hasher.hashesOf(big)).toBe("-");
    expect(hasher.stats()).toMatchObject({ failed: 4, skippedTooLarge: 1, hashed: 0 });
    const secret = path.join(dir, "secret");
    writeFileSync(secret, "x");
    chmodSync(secret, 0);
    // Root reads it anyway; anyone else gets "-". Either way no exception.
    expect(hasher.hashesOf(secret)).toMatch(/^(-|SHA1=[0-9a-f]{40})$/);
  });
});
