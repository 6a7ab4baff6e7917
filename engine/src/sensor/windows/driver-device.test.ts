import { SysmonTsError } from "../../base";
import { STATUS_REVISION_MISMATCH, loadDriverDeviceApi, ntStatusText, ntSuccess } from "./driver-device";

describe("driver device helpers", () => {
  it("treats success and informational NTSTATUS as success, warnings and errors not", () => {
    expect(ntSuccess(0)).toBe(true);
    expect(ntSuccess(0x102)).toBe(true); // STATUS_TIMEOUT
    expect(ntSuccess(0x80000005)).toBe(false); // STATUS_BUFFER_OVERFLOW
    expect(ntSuccess(STATUS_REVISION_MISMATCH)).toBe(false);
    expect(ntSuccess(-1073741637)).toBe(false); // 0xC00000BB as a signed int32 from koffi
  });

  it("prints NTSTATUS as Windows does", () => {
    expect(ntStatusText(STATUS_REVISION_MISMATCH)).toBe("0xC0000059");
    expect(ntStatusText(-1073741637)).toBe("0xC00000BB");
    expect(ntStatusText(0)).toBe("0x00000000");
  });

  it("refuses to bind off Windows with a clear error", () => {
    expect(() => loadDriverDeviceApi()).toThrow(SysmonTsError);
  });
});
