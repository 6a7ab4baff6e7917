import { DEFAULT_WINDOWS_ENVIRONMENT, expandEnvironment } from "./environment";

describe("environment variables in Windows rule values (config.md §7.3)", () => {
  it("expands defined names case-insensitively and leaves the others", () => {
    expect(expandEnvironment("%SYSTEMROOT%\\notepad.exe", DEFAULT_WINDOWS_ENVIRONMENT)).toBe("C:\\Windows\\notepad.exe");
    expect(expandEnvironment("%AppData%\\file.log", { APPDATA: "C:\\Users\\ann\\AppData\\Roaming" })).toBe("C:\\Users\\ann\\AppData\\Roaming\\file.log");
    expect(expandEnvironment("%NoSuchVariable%\\x", DEFAULT_WINDOWS_ENVIRONMENT)).toBe("%NoSuchVariable%\\x");
    expect(expandEnvironment("100%", DEFAULT_WINDOWS_ENVIRONMENT)).toBe("100%");
  });
});
