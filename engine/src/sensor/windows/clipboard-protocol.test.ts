import { SysmonTsError } from "../../base";
import { LineSplitter, MAX_CLIPBOARD_LINE_CHARS, MAX_CLIPBOARD_TEXT_CHARS, clientInfoText, encodeClipboardMessage, parseClipboardMessage } from "./clipboard-protocol";

const GOOD = { timeMs: 1700000000123, pid: 4242, sessionId: 1, clientInfo: "user: HOST\\alice", text: "copied\r\nline two ✓" };

function rejection(line: string): string {
  try {
    parseClipboardMessage(line);
  } catch (error) {
    expect(error).toBeInstanceOf(SysmonTsError);
    expect((error as SysmonTsError).code).toBe("SYSMONTS_E_RPC_PROTOCOL");
    return (error as Error).message;
  }
  throw new Error(`accepted: ${line}`);
}

describe("clipboard agent protocol", () => {
  it("round-trips a change as one line", () => {
    const line = encodeClipboardMessage(GOOD);
    expect(line.endsWith("\n")).toBe(true);
    expect(line.indexOf("\n")).toBe(line.length - 1);
    expect(parseClipboardMessage(line.trimEnd())).toEqual({ type: "clipboard-change", version: 1, ...GOOD });
  });

  it("cuts text over the limit at the agent", () => {
    const line = encodeClipboardMessage({ ...GOOD, text: "x".repeat(MAX_CLIPBOARD_TEXT_CHARS + 10) });
    expect(parseClipboardMessage(line.trimEnd()).text).toHaveLength(MAX_CLIPBOARD_TEXT_CHARS);
  });

  it("rejects malformed lines with a reason, never a crash", () => {
    const valid = JSON.parse(encodeClipboardMessage(GOOD)) as Record<string, unknown>;
    const withField = (name: string, value: unknown): string => JSON.stringify({ ...valid, [name]: value });
    expect(rejection("{not json")).toMatch(/not JSON/);
    expect(rejection("[1,2]")).toMatch(/not a JSON object/);
    expect(rejection("null")).toMatch(/not a JSON object/);
    expect(rejection(withField("type", "other"))).toMatch(/unknown type "other"/);
    expect(rejection(withField("version", 2))).toMatch(/unsupported version 2/);
    expect(rejection(withField("pid", -1))).toMatch(/'pid' must be an integer/);
    expect(rejection(withField("pid", 2 ** 32))).toMatch(/'pid'/);
    expect(rejection(withField("sessionId", "1"))).toMatch(/'sessionId'/);
    expect(rejection(withField("timeMs", "now"))).toMatch(/'timeMs'/);
    expect(rejection(withField("text", 5))).toMatch(/'text' must be a string/);
    expect(rejection(withField("clientInfo", "c".repeat(2000)))).toMatch(/'clientInfo' is longer than 1024/);
    expect(rejection(" ".repeat(MAX_CLIPBOARD_LINE_CHARS + 1))).toMatch(/exceeds/);
  });

  it("renders ClientInfo as Sysmon does: the user, then the remote client when there is one", () => {
    expect(clientInfoText({ user: "HOST\\alice", clientName: "", clientAddress: "" })).toBe("user: HOST\\alice");
    expect(clientInfoText({ user: "CORP\\bob", clientName: "LAPTOP7", clientAddress: "10.1.2.3" })).toBe("user: CORP\\bob hostname: LAPTOP7 ip: 10.1.2.3");
    expect(clientInfoText({ user: "", clientName: "", clientAddress: "" })).toBe("user: -");
  });

  it("splits a stream into lines across chunk boundaries and drops an endless line", () => {
    const lines: string[] = [];
    let overlong = 0;
    const splitter = new LineSplitter((l) => lines.push(l), () => overlong++);
    splitter.push("ab");
    splitter.push("c\nde");
    splitter.push("f\n\ng\n");
    expect(lines).toEqual(["abc", "def", "g"]);
    splitter.push("y".repeat(MAX_CLIPBOARD_LINE_CHARS + 1));
    splitter.push("still the same line\nnext\n");
    expect(overlong).toBe(1);
    expect(lines).toEqual(["abc", "def", "g", "next"]);
  });
});
