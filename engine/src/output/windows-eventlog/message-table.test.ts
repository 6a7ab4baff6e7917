import { buildMessageTable, readMessageTable } from "./message-table";

describe("RT_MESSAGETABLE", () => {
  test("lays out blocks and a Unicode entry byte for byte (winnt.h MESSAGE_RESOURCE_DATA)", () => {
    const bytes = buildMessageTable(new Map([[0x90000001, "Ab"]]));
    // 1 block; low = high = 0x90000001; entries at 16; entry length 4 + 6 text bytes padded to 12, flags 1.
    expect(bytes.toString("hex")).toBe("01000000" + "01000090" + "01000090" + "10000000" + "0c00" + "0100" + "410062000000" + "0000");
  });

  test("groups consecutive IDs into one block and reads back what it wrote", () => {
    const messages = new Map([[0xb0000002, "two %1"], [0x70000001, "task"], [0xb0000001, "one%n%2"], [0xb0000003, ""]]);
    const bytes = buildMessageTable(messages);
    expect(bytes.readUInt32LE(0)).toBe(2);
    expect(readMessageTable(bytes)).toEqual(messages);
  });

  test("rejects an ID that is not 32-bit and a truncated table", () => {
    expect(() => buildMessageTable(new Map([[-1, "x"]]))).toThrow(/message ID -1/);
    expect(() => readMessageTable(buildMessageTable(new Map([[1, "hello"]])).subarray(0, 20))).toThrow(/entry 0x1 at byte 16/);
  });
});
