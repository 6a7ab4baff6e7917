/**
 * Text transformations Sysmon applies on Windows (spec/events.md §4 "Paths", "RegistryEvent";
 * spec/config.md §7.3). Pure functions: the caller supplies the environment and device map,
 * which it reads from Windows once and caches (per session for the environment).
 */

/**
 * Expands `%NAME%` in a rule value the way ExpandEnvironmentStringsW does: names match
 * case-insensitively, an unknown name or a lone `%` is left as written.
 *
 * @example
 * expandEnvironmentVariables("%SystemRoot%\\notepad.exe", { SystemRoot: "C:\\Windows" }); // "C:\\Windows\\notepad.exe"
 */
export function expandEnvironmentVariables(value: string, environment: Readonly<Record<string, string>>): string {
  if (!value.includes("%")) return value;
  const lower = new Map(Object.entries(environment).map(([k, v]) => [k.toLowerCase(), v]));
  return value.replace(/%([^%]+)%/g, (whole, name: string) => lower.get(name.toLowerCase()) ?? whole);
}

/**
 * Converts a native path to its DOS form: `\??\C:\x` → `C:\x`, `\??\UNC\srv\share\x` →
 * `\\srv\share\x`, `\SystemRoot\…` → the system root, and `\Device\HarddiskVolumeN\…` → its
 * drive letter from `devices` (QueryDosDeviceW's map, e.g. {"C:": "\\Device\\HarddiskVolume3"}).
 */
export function nativeToDosPath(path: string, options: { devices: Readonly<Record<string, string>>; systemRoot: string }): string {
  if (path.startsWith("\\??\\UNC\\")) return "\\\\" + path.slice(8);
  if (path.startsWith("\\??\\")) return path.slice(4);
  if (/^\\SystemRoot(\\|$)/i.test(path)) return options.systemRoot + path.slice(11);
  // Called for every driver record's path: the device map is lowered once, the path once.
  const lowerPath = path.toLowerCase();
  for (const { drive, device } of loweredDevices(options.devices)) {
    if (lowerPath.startsWith(device) && (path.length === device.length || path[device.length] === "\\")) {
      return drive + path.slice(device.length);
    }
  }
  return path;
}

const LOWERED_DEVICES = new WeakMap<Readonly<Record<string, string>>, readonly { drive: string; device: string }[]>();

function loweredDevices(devices: Readonly<Record<string, string>>): readonly { drive: string; device: string }[] {
  let lowered = LOWERED_DEVICES.get(devices);
  if (lowered === undefined) {
    lowered = Object.entries(devices).map(([drive, device]) => ({ drive, device: device.toLowerCase() }));
    LOWERED_DEVICES.set(devices, lowered);
  }
  return lowered;
}

/** Registry native paths as Sysmon prints TargetObject (spec/events.md §4, RegistryEvent). */
export function registryDisplayPath(nativePath: string): string {
  const upper = nativePath.toUpperCase();
  const hwProfile = "\\REGISTRY\\MACHINE\\SYSTEM\\CURRENTCONTROLSET\\HARDWARE PROFILES\\CURRENT";
  if (upper.startsWith(hwProfile)) return "HKCC" + nativePath.slice(hwProfile.length);
  if (upper.startsWith("\\REGISTRY\\MACHINE")) return "HKLM" + nativePath.slice(17);
  if (upper.startsWith("\\REGISTRY\\USER")) return "HKU" + nativePath.slice(14);
  return nativePath;
}

/** CommandLine and registry Details are escaped for the event log: every `%` doubled (§4). */
export function escapeForEventLog(text: string): string {
  return text.replace(/%/g, "%%");
}
