import { buildSubstringAutomaton, markSubstrings } from "./substring-automaton";

function found(literals: string[], text: string): number[] {
  const marks = new Float64Array(literals.length);
  const list = new Int32Array(literals.length);
  const count = markSubstrings(buildSubstringAutomaton(literals), text, { marks, stamp: 7, found: list, count: 0, folded: true });
  const marked = literals.flatMap((_, i) => (marks[i] === 7 ? [i] : []));
  // Each found literal is listed exactly once.
  expect([...list.subarray(0, count)].sort((a, b) => a - b)).toEqual(marked);
  return marked;
}

describe("substring automaton", () => {
  it("finds overlapping and nested literals", () => {
    expect(found(["run", "runonce", "once", "\\services\\"], "hklm\\software\\runonce\\x")).toEqual([0, 1, 2]);
    expect(found(["aa", "aaa"], "aaaa")).toEqual([0, 1]);
    expect(found(["abcd", "bc"], "abce")).toEqual([1]);
  });

  it("handles characters outside ASCII and characters in no literal", () => {
    expect(found(["é\\x", "z"], "c:\\café\\x")).toEqual([0]);
    expect(found(["abc"], "")).toEqual([]);
  });

  it("finds the same literals in long folded values with the skipping search", () => {
    const literals = ["run", "runonce", "once", "\\services\\", "aaaa", "aaaaa", "\\currentversion\\run"];
    const text = `${"x".repeat(140)}hklm\\software\\microsoft\\windows\\currentversion\\runonce\\aaaaaa\\services\\`;
    expect(found(literals, text)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(found(literals, "y".repeat(200))).toEqual([]);
  });

  it("agrees with includes() on random literals and texts", () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const word = (n: number) => Array.from({ length: 1 + Math.floor(random() * n) }, () => "ab\\c"[Math.floor(random() * 4)]).join("");
    for (let round = 0; round < 200; round++) {
      const literals = [...new Set(Array.from({ length: 1 + Math.floor(random() * 8) }, () => word(round % 3 ? 4 : 9)))];
      const text = word(round % 2 ? 30 : 200);
      const expected = literals.flatMap((l, i) => (text.includes(l) ? [i] : []));
      expect(found(literals, text)).toEqual(expected);
    }
  });

  it("scans raw ASCII text as if folded, and stops at the first non-ASCII character", () => {
    const automaton = buildSubstringAutomaton(["runonce", "é"]);
    const marks = new Float64Array(2);
    const list = new Int32Array(2);
    expect(markSubstrings(automaton, "HKLM\\RunOnce", { marks, stamp: 1, found: list, count: 0, folded: false })).toBe(1);
    expect(markSubstrings(automaton, "RUNONCE\\Café", { marks, stamp: 2, found: list, count: 0, folded: false })).toBe(~1);
  });

  it("matches start- and end-anchored literals only at their end of the value", () => {
    const mark = (place: "start" | "end", literals: string[], text: string): number[] => {
      const marks = new Float64Array(literals.length);
      const list = new Int32Array(literals.length);
      markSubstrings(buildSubstringAutomaton(literals, place), text, { marks, stamp: 1, found: list, count: 0, folded: false });
      return literals.flatMap((_, i) => (marks[i] === 1 ? [i] : []));
    };
    expect(mark("start", ["c:\\windows\\", "c:\\win", "d:\\", "windows"], "C:\\Windows\\System32\\x.exe")).toEqual([0, 1]);
    expect(mark("end", ["\\x.exe", ".exe", "x.ex", "system32"], "C:\\Windows\\System32\\X.EXE")).toEqual([0, 1]);
    expect(mark("start", ["abc"], "ab")).toEqual([]);
  });

  it("refuses an empty literal", () => {
    expect(() => buildSubstringAutomaton(["a", ""])).toThrow(RangeError);
  });
});
