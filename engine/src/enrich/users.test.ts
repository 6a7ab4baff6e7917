import { mkdtempSync, rmSync, writeFileSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { UserDirectory, parsePasswd, parseUtmp } from "./users";

function utmpRecord(type: number, line: string, user: string, seconds: number): Buffer {
  const record = Buffer.alloc(384);
  record.writeInt16LE(type, 0);
  record.write(line, 8, 32, "utf8");
  record.write(user, 44, 32, "utf8");
  record.writeUInt32LE(seconds, 340);
  return record;
}

describe("UserDirectory", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "users"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("names uids from passwd and re-reads it only when it changed, at most once per interval", () => {
    const passwd = path.join(dir, "passwd");
    writeFileSync(passwd, "root:x:0:0:root:/root:/bin/bash\n# comment\nbad line\nalice:x:1000:1000::/home/alice:/bin/sh\nalias:x:1000:1000::/:/bin/sh\n");
    let now = 1_000_000;
    const users = new UserDirectory({ passwdPath: passwd, utmpPath: path.join(dir, "utmp"), now: () => now });
    expect(users.nameOf(0)).toBe("root");
    expect(users.nameOf(1000)).toBe("alice");
    expect(users.nameOf(4242)).toBeNull();
    for (let i = 0; i < 1000; i++) users.nameOf(1000);
    expect(users.reads.passwd).toBe(1);

    writeFileSync(passwd, "root:x:0:0:root:/root:/bin/bash\nbob:x:4242:4242::/:/bin/sh\n");
    utimesSync(passwd, new Date(), new Date(Date.now() + 5000));
    now += 500; // within the interval: still the old view
    expect(users.nameOf(4242)).toBeNull();
    now += 600;
    expect(users.nameOf(4242)).toBe("bob");
    expect(users.nameOf(1000)).toBeNull();
    expect(users.reads.passwd).toBe(2);
    now += 5000; // unchanged file: stat only, no re-read
    expect(users.nameOf(4242)).toBe("bob");
    expect(users.reads.passwd).toBe(2);
  });

  it("finds the utmp login time of pts/<tty> for the uid's name", () => {
    writeFileSync(path.join(dir, "passwd"), "root:x:0:0::/:/bin/sh\nalice:x:1000:1000::/:/bin/sh\n");
    writeFileSync(path.join(dir, "utmp"), Buffer.concat([
      utmpRecord(2, "~", "reboot", 100),
      utmpRecord(7, "pts/1", "root", 0x647dfbf9),
      utmpRecord(7, "pts/2", "alice", 1234),
      Buffer.alloc(100), // a torn trailing record is ignored
    ]));
    const users = new UserDirectory({ passwdPath: path.join(dir, "passwd"), utmpPath: path.join(dir, "utmp") });
    expect(users.loginTimeSec(0, 1)).toBe(0x647dfbf9);
    expect(users.loginTimeSec(1000, 2)).toBe(1234);
    expect(users.loginTimeSec(1000, 1)).toBe(0);
    expect(users.loginTimeSec(0, -1)).toBe(0);
    expect(users.loginTimeSec(77, 1)).toBe(0);
  });

  it("gives null and 0 when the files are missing", () => {
    const users = new UserDirectory({ passwdPath: path.join(dir, "none"), utmpPath: path.join(dir, "none2") });
    expect(users.nameOf(0)).toBeNull();
    expect(users.loginTimeSec(0, 0)).toBe(0);
  });

  it("parses hostile passwd and utmp content without throwing", () => {
    expect(parsePasswd(":x:1:1\nname:x:-1:0\nname:x:\nä<&>:x:7:7::/:\n")).toEqual(new Map([[7, "ä<&>"]]));
    expect(parseUtmp(Buffer.alloc(383)).size).toBe(0);
    const full = utmpRecord(7, "pts/9".padEnd(40, "x"), "u".repeat(40), 5);
    expect([...parseUtmp(full).keys()][0]).toBe(`${"pts/9".padEnd(32, "x")}\0${"u".repeat(32)}`);
  });
});
