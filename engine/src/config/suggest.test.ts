import { closestName, editDistance } from "./suggest";

describe("suggestions", () => {
  it("measures edits case-insensitively", () => {
    expect(editDistance("ParentImagee", "ParentImage")).toBe(1);
    expect(editDistance("image", "IMAGE")).toBe(0);
  });
  it("suggests only near misses", () => {
    expect(closestName("ParentImagee", ["Image", "ParentImage", "CommandLine"])).toBe("ParentImage");
    expect(closestName("Zebra", ["Image", "ParentImage"])).toBeUndefined();
  });
});
