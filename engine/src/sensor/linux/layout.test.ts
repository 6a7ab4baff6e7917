import { readFileSync } from "node:fs";
import path from "node:path";
import { CONFIG_LAYOUT, HEADER_LAYOUT, RECORD_DECLARATIONS, RECORD_LAYOUTS, layoutOfKind, renderRecordsHeader } from "./layout";

const repoRoot = path.resolve(__dirname, "../../../..");

describe("record layout declaration", () => {
  it("matches the committed driver/linux/records.h (run node driver/linux/generate-records-header.mjs)", () => {
    const committed = readFileSync(path.join(repoRoot, "driver/linux/records.h"), "utf8");
    expect(committed).toBe(renderRecordsHeader());
  });

  it("puts the 24-byte header first in every record", () => {
    expect(HEADER_LAYOUT.fixedSize).toBe(24);
    for (const layout of RECORD_LAYOUTS) {
      expect(layout.fields.slice(0, HEADER_LAYOUT.fields.length)).toEqual(HEADER_LAYOUT.fields);
    }
  });

  it("aligns every field naturally, never overlaps, and ends the fixed part 8-aligned", () => {
    for (const layout of [...RECORD_LAYOUTS, CONFIG_LAYOUT]) {
      let end = 0;
      for (const field of layout.fields) {
        const align = field.size / (field.count ?? 1);
        expect(field.offset % align).toBe(0);
        expect(field.offset).toBeGreaterThanOrEqual(end);
        end = field.offset + field.size;
      }
      expect(layout.fixedSize % 8).toBe(0);
      expect(layout.fixedSize).toBeGreaterThanOrEqual(end);
    }
  });

  it("gives each tail a length field and each kind one layout", () => {
    const kinds = new Set(RECORD_DECLARATIONS.map((declaration) => declaration.kind));
    expect(kinds.size).toBe(RECORD_DECLARATIONS.length);
    const exec = layoutOfKind(1);
    expect(exec?.tails).toEqual(["image", "cwd", "argv"]);
    expect(Object.keys(exec?.fieldOffset ?? {})).toEqual(expect.arrayContaining(["image_len", "cwd_len", "argv_len"]));
    expect(layoutOfKind(999)).toBeUndefined();
  });

  it("emits a _Static_assert for every field so clang rejects a diverging C layout", () => {
    const header = renderRecordsHeader();
    for (const layout of RECORD_LAYOUTS) {
      for (const field of layout.fields.slice(HEADER_LAYOUT.fields.length)) {
        expect(header).toContain(`__builtin_offsetof(struct sysmonts_${layout.name}_record, ${field.name}) == ${field.offset}`);
      }
    }
  });
});
