import { ZERO_GUID, logonGuidText, processGuidText } from "./guid";

describe("ProcessGuid and LogonGuid text", () => {
  it("matches the real example of spec/events.md §5.3", () => {
    expect(processGuidText(0x924935dc, { startTimeMs: 0x647e3e6a * 1000 + 999.9, processKey: 0x000056378badc4f6n }))
      .toBe("{924935dc-3e6a-647e-f6c4-ad8b37560000}");
    expect(logonGuidText(0x924935dc, { loginTimeSec: 0x647dfbf9, uid: 0, ttyIndex: 1 }))
      .toBe("{924935dc-fbf9-647d-0000-000001000000}");
  });

  it("matches GUIDs of the elastic Sysmon for Linux sample (processes d65774de…)", () => {
    // ProcessGuid {d65774de-8d17-6175-92f0-043290550000}: seconds 0x61758d17, key 0x000055903204f092.
    expect(processGuidText(0xd65774de, { startTimeMs: 0x61758d17 * 1000, processKey: 0x0000559032_04f092n }))
      .toBe("{d65774de-8d17-6175-92f0-043290550000}");
    // LogonGuid of a record whose uid and tty were both -1 in the sample.
    expect(logonGuidText(0xd65774de, { loginTimeSec: 0, uid: -1, ttyIndex: -1 }))
      .toBe("{d65774de-0000-0000-ffff-ffffffffffff}");
  });

  it("pads every group and keeps the key's full 64 bits", () => {
    expect(processGuidText(0, { startTimeMs: 0, processKey: 0n })).toBe(ZERO_GUID);
    expect(processGuidText(1, { startTimeMs: 1000, processKey: 0xffffffffffffffffn }))
      .toBe("{00000001-0001-0000-ffff-ffffffffffff}");
    expect(processGuidText(0xffffffff, { startTimeMs: 0x12345678 * 1000, processKey: 0x0102030405060708n }))
      .toBe("{ffffffff-5678-1234-0807-060504030201}");
  });
});
