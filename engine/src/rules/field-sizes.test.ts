import { loadConfig } from "../config";
import { eventFromFields } from "../schema";
import { applyFieldSizes, trimToSize } from "./index";

describe("FieldSizes trimming (config.md §3.1, §13.3)", () => {
  it("trims as TrimStringToNChars", () => {
    expect(trimToSize("ABCDEFGHIJKLMN", 5)).toBe("AB...");
    expect(trimToSize("AB...", 2)).toBe("-");
    expect(trimToSize("ABCDE", 1)).toBe("-");
    expect(trimToSize("ABCDE", 0)).toBe("");
    expect(trimToSize("ABCDE", 5)).toBe("ABCDE");
    expect(trimToSize("ABCDE", -1)).toBe("ABCDE");
  });

  it("applies after the decision, to every event with the field, without touching the input", () => {
    const config = loadConfig('<Sysmon schemaversion="4.90"><FieldSizes>Image:8,CommandLine:6</FieldSizes></Sysmon>', { file: "f.xml", platform: "linux" });
    const event = eventFromFields(1, { Image: "/usr/bin/python3", CommandLine: "ls", User: "root" });
    const trimmed = applyFieldSizes(config.options, event);
    expect(trimmed.values[4]).toBe("/usr/...");
    expect(trimmed.values[10]).toBe("ls");
    expect(event.values[4]).toBe("/usr/bin/python3");
    const network = applyFieldSizes(config.options, eventFromFields(3, { Image: "/usr/sbin/sshd" }));
    expect(network.values[4]).toBe("/usr/...");
    const short = eventFromFields(1, { Image: "/bin/ls" });
    expect(applyFieldSizes(config.options, short)).toBe(short);
  });
});
