// An Aho-Corasick automaton over the case-folded literals that filters on one field need
// (config.md §6.3 evaluation is unchanged; this only finds which `contains`-style filters can
// possibly match). One left-to-right pass over a value marks every literal occurring in it,
// overlapping ones included, in time linear in the value's length.

export interface SubstringAutomaton {
  /** Number of character classes; class 0 is "in no literal". */
  readonly classes: number;
  /** Class of each ASCII code; other characters are looked up in `wideClasses`. */
  readonly asciiClasses: Uint16Array;
  readonly wideClasses: ReadonlyMap<number, number>;
  /**
   * Transition table indexed by `state × classes + class`, holding the next state already
   * multiplied by `classes`; negative (`-(next × classes) - 1`) when the next state has
   * outputs, so the scan loop needs one load and one sign test per character.
   */
  readonly transitions: Int32Array;
  /**
   * Literal IDs that end at each state, following failure links: those of state s are
   * `outputIds[outputStart[s]]` up to `outputIds[outputStart[s + 1]]` (flat arrays keep the
   * scan loop on typed-array loads).
   */
  readonly outputStart: Int32Array;
  readonly outputIds: Int32Array;
}

/**
 * Builds the automaton. `literals[i]` gets ID i; empty literals are not allowed (an empty
 * literal occurs everywhere and needs no search).
 *
 * @example
 * const a = buildSubstringAutomaton(["run", "runonce", "\\services\\"]);
 * const marks = new Uint32Array(3);
 * markSubstrings(a, "hklm\\...\\runonce\\x", marks, 1); // marks: [1, 1, 0]
 */
export function buildSubstringAutomaton(literals: readonly string[]): SubstringAutomaton {
  const asciiClasses = new Uint16Array(128);
  const wideClasses = new Map<number, number>();
  let classes = 1;
  const classOf = (code: number): number => {
    if (code < 128) {
      if (asciiClasses[code] === 0) asciiClasses[code] = classes++;
      return asciiClasses[code] as number;
    }
    let cls = wideClasses.get(code);
    if (cls === undefined) wideClasses.set(code, (cls = classes++));
    return cls;
  };
  const goto: Map<number, number>[] = [new Map()];
  const ending: number[][] = [[]];
  literals.forEach((literal, id) => {
    if (literal === "") throw new RangeError("empty literal");
    let state = 0;
    for (let i = 0; i < literal.length; i++) {
      const cls = classOf(literal.charCodeAt(i));
      let next = goto[state]!.get(cls);
      if (next === undefined) {
        next = goto.length;
        goto.push(new Map());
        ending.push([]);
        goto[state]!.set(cls, next);
      }
      state = next;
    }
    ending[state]!.push(id);
  });
  const states = goto.length;
  const transitions = new Int32Array(states * classes);
  const fail = new Int32Array(states);
  const collected: number[][] = ending.map((e) => [...e]);
  // Breadth-first: a state's failure target is shallower, so its outputs are final first.
  const queue: number[] = [];
  for (const [cls, next] of goto[0]!) {
    transitions[cls] = next;
    queue.push(next);
  }
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head]!;
    const inherited = collected[fail[state]!]!;
    if (inherited.length) collected[state] = [...collected[state]!, ...inherited];
    for (let cls = 1; cls < classes; cls++) {
      const next = goto[state]!.get(cls);
      const viaFail = transitions[fail[state]! * classes + cls]!;
      if (next === undefined) {
        transitions[state * classes + cls] = viaFail;
      } else {
        fail[next] = viaFail;
        transitions[state * classes + cls] = next;
        queue.push(next);
      }
    }
  }
  for (let i = 0; i < transitions.length; i++) {
    const next = transitions[i]!;
    transitions[i] = collected[next]!.length ? -(next * classes) - 1 : next * classes;
  }
  const outputStart = new Int32Array(states + 1);
  for (let state = 0; state < states; state++) outputStart[state + 1] = outputStart[state]! + collected[state]!.length;
  return { classes, asciiClasses, wideClasses, transitions, outputStart, outputIds: Int32Array.from(collected.flat()) };
}

/** The same automaton reporting `ids[i]` instead of literal i. */
export function renumberLiterals(automaton: SubstringAutomaton, ids: readonly number[]): SubstringAutomaton {
  return { ...automaton, outputIds: automaton.outputIds.map((i) => ids[i] as number) };
}

/**
 * Sets `marks[id] = stamp` for every literal occurring in `text`. Stamps instead of clearing
 * let the same marks array serve decision after decision without resetting it.
 */
export function markSubstrings(automaton: SubstringAutomaton, text: string, marks: Uint32Array, stamp: number): void {
  const { classes, asciiClasses, wideClasses, transitions, outputStart, outputIds } = automaton;
  let base = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const next = transitions[base + (code < 128 ? (asciiClasses[code] as number) : (wideClasses.get(code) ?? 0))] as number;
    if (next >= 0) {
      base = next;
      continue;
    }
    base = -next - 1;
    const state = base / classes;
    const end = outputStart[state + 1] as number;
    for (let j = outputStart[state] as number; j < end; j++) marks[outputIds[j] as number] = stamp;
  }
}
