// Windows expands environment variables in rule values (config.md §7.3): a filter on
// `%SystemRoot%\notepad.exe` matches `C:\Windows\notepad.exe`. Sysmon uses the environment of
// the event's session user; we expand once at load with one environment (the service's own,
// i.e. session 0's), so per-user variables such as %AppData% stay unexpanded unless given.

/** The session-0 environment of a default Windows installation, used when not on Windows. */
export const DEFAULT_WINDOWS_ENVIRONMENT: Readonly<Record<string, string>> = {
  SystemRoot: "C:\\Windows",
  windir: "C:\\Windows",
  SystemDrive: "C:",
  ComSpec: "C:\\Windows\\system32\\cmd.exe",
  ProgramFiles: "C:\\Program Files",
  "ProgramFiles(x86)": "C:\\Program Files (x86)",
  ProgramW6432: "C:\\Program Files",
  CommonProgramFiles: "C:\\Program Files\\Common Files",
  "CommonProgramFiles(x86)": "C:\\Program Files (x86)\\Common Files",
  ProgramData: "C:\\ProgramData",
  ALLUSERSPROFILE: "C:\\ProgramData",
  PUBLIC: "C:\\Users\\Public",
  TEMP: "C:\\Windows\\TEMP",
  TMP: "C:\\Windows\\TEMP",
  USERPROFILE: "C:\\Windows\\system32\\config\\systemprofile",
  PROCESSOR_ARCHITECTURE: "AMD64",
};

/**
 * Replaces each `%NAME%` whose NAME the environment defines (names compare case-insensitively,
 * as on Windows); undefined names are left as written, as ExpandEnvironmentStrings leaves them.
 *
 * @example
 * expandEnvironment("%systemroot%\\notepad.exe", { SystemRoot: "C:\\Windows" }); // "C:\\Windows\\notepad.exe"
 */
export function expandEnvironment(value: string, environment: Readonly<Record<string, string | undefined>>): string {
  if (!value.includes("%")) return value;
  const byLowerName = new Map<string, string>();
  for (const [name, text] of Object.entries(environment)) if (text !== undefined) byLowerName.set(name.toLowerCase(), text);
  return value.replace(/%([^%]+)%/g, (whole: string, name: string) => byLowerName.get(name.toLowerCase()) ?? whole);
}
