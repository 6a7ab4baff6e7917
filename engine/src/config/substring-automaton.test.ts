import { buildSubstringAutomaton, markSubstrings } from "./substring-automaton";

function found(literals: string[], text: string): number[] {
  const marks = new Uint32Array(literals.length);
  markSubstrings(buildSubstringAutomaton(literals), text, marks, 7);
  return literals.flatMap((_, i) => (marks[i] === 7 ? [i] : []));
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

  it("agrees with includes() on random literals and texts", () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const word = (n: number) => Array.from({ length: 1 + Math.floor(random() * n) }, () => "ab\\c"[Math.floor(random() * 4)]).join("");
    for (let round = 0; round < 200; round++) {
      const literals = [...new Set(Array.from({ length: 1 + Math.floor(random() * 8) }, () => word(4)))];
      const text = word(30);
      const expected = literals.flatMap((l, i) => (text.includes(l) ? [i] : []));
      expect(found(literals, text)).toEqual(expected);
    }
  });

  it("refuses an empty literal", () => {
    expect(() => buildSubstringAutomaton(["a", ""])).toThrow(RangeError);
  });
});
