import { logonIdText, windowsLogonGuidText } from "./windows-fields";

describe("Windows logon fields", () => {
  test("LogonId is 0x and lowercase hex without padding (spec/cli-and-output.md §7)", () => {
    expect(logonIdText(0x3e7n)).toBe("0x3e7");
    expect(logonIdText(0x1_0000_abcdn)).toBe("0x10000abcd");
    expect(logonIdText(0n)).toBe("0x0");
    expect(logonIdText(-1n)).toBe("0xffffffffffffffff");
  });

  test("LogonGuid puts the logon time in Data2/Data3 and the LUID bytes little-endian in Data4", () => {
    expect(windowsLogonGuidText(0x924935dc, { logonTimeSec: 0x647dfbf9, logonId: 0x3e7n })).toBe("{924935dc-fbf9-647d-e703-000000000000}");
    // HighPart lands in the last four bytes, as the Linux tty index does.
    expect(windowsLogonGuidText(0x01020304, { logonTimeSec: 0, logonId: 0x0000000a_0001e240n })).toBe("{01020304-0000-0000-40e2-01000a000000}");
  });
});
