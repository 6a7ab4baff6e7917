// An Aho-Corasick automaton over the case-folded literals that filters on one field need
// (config.md §6.3 evaluation is unchanged; this only finds which `contains`-style filters can
// possibly match). One left-to-right pass over a value marks every literal occurring in it,
// overlapping ones included, in time linear in the value's length. ASCII letters of either
// case share a class, so an ASCII value can be scanned without case-folding it first.

/** Where a literal must occur in the value: anywhere, at its start, or at its end. */
export type LiteralPlace = "anywhere" | "start" | "end";

export interface SubstringAutomaton {
  readonly place: LiteralPlace;
  /** Number of character classes; class 0 is "in no literal". */
  readonly classes: number;
  /** Class of each ASCII code; other characters are looked up in `wideClasses`. */
  readonly asciiClasses: Uint16Array;
  readonly wideClasses: ReadonlyMap<number, number>;
  /**
   * Transition table indexed by `state × classes + class`, holding `next × 2 + 1` when the next
   * state has outputs and `next × 2` otherwise. 16-bit entries when the states allow, so the
   * rows the scan visits most stay in cache.
   */
  readonly transitions: Uint16Array | Int32Array;
  /**
   * Literal IDs that end at each state, following failure links: those of state s are
   * `outputIds[outputStart[s]]` up to `outputIds[outputStart[s + 1]]` (flat arrays keep the
   * scan loop on typed-array loads).
   */
  readonly outputStart: Int32Array;
  readonly outputIds: Int32Array;
  /** For long folded values of "anywhere" literals: a skipping search (below); null otherwise. */
  readonly skip: SkipSearch | null;
}

/**
 * Wu-Manber style search over case-folded text: a window of `minLength` characters slides
 * along the text; the two characters at its end pick how far it may jump without passing an
 * occurrence of any long literal, and only when that is 0 are the literals ending their first
 * `minLength` characters with those two checked with startsWith. Literals shorter than 4
 * characters (which would limit every jump) are looked for one by one with includes().
 */
export interface SkipSearch {
  readonly minLength: number;
  /** By bigram hash, the jump; 0 means "check candidates here". */
  readonly shift: Uint8Array;
  /** By bigram hash, the literal numbers to check when the jump is 0. */
  readonly candidates: readonly (Int32Array | undefined)[];
  /** Literal numbers searched for with includes(). */
  readonly short: Int32Array;
  /** Folded literal text by literal number. */
  readonly literals: readonly string[];
  /** The ID reported for each literal number (renumberLiterals rewrites it). */
  readonly ids: Int32Array;
}

/** Values at least this long are searched with the skipping search once folded. */
export const SKIP_SEARCH_MIN_LENGTH = 128;
const SHORT_LITERAL = 4;

function bigramHash(first: number, second: number): number {
  return ((first & 127) << 7) | (second & 127);
}

function buildSkipSearch(literals: readonly string[]): SkipSearch | null {
  // The shortest long literal bounds every jump and its last bigram picks the literals to
  // check; a few short literals are cheaper to look for one by one than to let them shrink
  // the window, so the threshold rises while that keeps the includes() count small.
  let threshold = SHORT_LITERAL;
  while (threshold < 12 && literals.filter((l) => l.length < threshold + 1).length <= 6) threshold++;
  const long: number[] = [];
  const short: number[] = [];
  literals.forEach((literal, i) => (literal.length >= threshold ? long : short).push(i));
  if (long.length === 0) return null;
  const minLength = Math.min(255, ...long.map((i) => literals[i]!.length));
  const shift = new Uint8Array(128 * 128).fill(minLength - 1);
  const candidates: number[][] = [];
  for (const i of long) {
    const literal = literals[i]!;
    // Bigrams ending at window position j (1 … minLength-1) may jump minLength-1-j.
    for (let j = 1; j < minLength; j++) {
      const h = bigramHash(literal.charCodeAt(j - 1), literal.charCodeAt(j));
      shift[h] = Math.min(shift[h]!, minLength - 1 - j);
    }
    const last = bigramHash(literal.charCodeAt(minLength - 2), literal.charCodeAt(minLength - 1));
    (candidates[last] ??= []).push(i);
  }
  return {
    minLength,
    shift,
    candidates: Array.from(candidates, (list) => (list ? Int32Array.from(list) : undefined)),
    short: Int32Array.from(short),
    literals,
    ids: Int32Array.from(literals, (_, i) => i),
  };
}

/**
 * Builds the automaton. `literals[i]` gets ID i; empty literals are not allowed (an empty
 * literal occurs everywhere and needs no search).
 *
 * @example
 * const a = buildSubstringAutomaton(["run", "runonce", "\\services\\"]);
 * const marks = new Float64Array(3);
 * const found = new Int32Array(3);
 * markSubstrings(a, "HKLM\\...\\RunOnce\\x", { marks, stamp: 1, found, count: 0, folded: false }); // 2; found: [0, 1, …]
 */
export function buildSubstringAutomaton(literals: readonly string[], place: LiteralPlace = "anywhere"): SubstringAutomaton {
  const asciiClasses = new Uint16Array(128);
  const wideClasses = new Map<number, number>();
  let classes = 1;
  const classOf = (code: number): number => {
    if (code < 128) {
      if (asciiClasses[code] === 0) {
        asciiClasses[code] = classes++;
        // Literals are folded; an uppercase ASCII letter in a raw value folds to the same class.
        if (code >= 97 && code <= 122) asciiClasses[code - 32] = asciiClasses[code] as number;
      }
      return asciiClasses[code] as number;
    }
    let cls = wideClasses.get(code);
    if (cls === undefined) wideClasses.set(code, (cls = classes++));
    return cls;
  };
  const trie: Map<number, number>[] = [new Map()];
  const trieEnding: number[][] = [[]];
  literals.forEach((literal, id) => {
    if (literal === "") throw new RangeError("empty literal");
    let state = 0;
    for (let i = 0; i < literal.length; i++) {
      // An end-anchored literal is stored reversed: the scan walks the value backwards.
      const cls = classOf(literal.charCodeAt(place === "end" ? literal.length - 1 - i : i));
      let next = trie[state]!.get(cls);
      if (next === undefined) {
        next = trie.length;
        trie.push(new Map());
        trieEnding.push([]);
        trie[state]!.set(cls, next);
      }
      state = next;
    }
    trieEnding[state]!.push(id);
  });
  // Number states breadth-first: scans spend most steps in shallow states, and keeping their
  // rows together in the transition table keeps them in cache.
  const order = [0];
  for (let head = 0; head < order.length; head++) for (const next of trie[order[head]!]!.values()) order.push(next);
  const renumbered = new Int32Array(trie.length);
  order.forEach((old, fresh) => (renumbered[old] = fresh));
  const goto = order.map((old) => new Map([...trie[old]!].map(([cls, next]) => [cls, renumbered[next]!] as const)));
  const ending = order.map((old) => trieEnding[old]!);
  const states = goto.length;
  const transitions = new Int32Array(states * classes);
  const fail = new Int32Array(states);
  const collected: number[][] = ending.map((e) => [...e]);
  if (place !== "anywhere") {
    // A plain trie: a missing edge (0, the root, which no edge enters) ends the walk.
    const packedTrie = states < 32768 ? new Uint16Array(transitions.length) : new Int32Array(transitions.length);
    goto.forEach((edges, state) => {
      for (const [cls, next] of edges) packedTrie[state * classes + cls] = next * 2 + (collected[next]!.length ? 1 : 0);
    });
    const outputStart = new Int32Array(states + 1);
    for (let state = 0; state < states; state++) outputStart[state + 1] = outputStart[state]! + collected[state]!.length;
    return { place, classes, asciiClasses, wideClasses, transitions: packedTrie, outputStart, outputIds: Int32Array.from(collected.flat()), skip: null };
  }
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
  const packed = states < 32768 ? new Uint16Array(transitions.length) : new Int32Array(transitions.length);
  for (let i = 0; i < transitions.length; i++) {
    const next = transitions[i]!;
    packed[i] = next * 2 + (collected[next]!.length ? 1 : 0);
  }
  const outputStart = new Int32Array(states + 1);
  for (let state = 0; state < states; state++) outputStart[state + 1] = outputStart[state]! + collected[state]!.length;
  return { place, classes, asciiClasses, wideClasses, transitions: packed, outputStart, outputIds: Int32Array.from(collected.flat()), skip: buildSkipSearch(literals) };
}

/** The same automaton reporting `ids[i]` instead of literal i. */
export function renumberLiterals(automaton: SubstringAutomaton, ids: readonly number[]): SubstringAutomaton {
  const skip = automaton.skip === null ? null : { ...automaton.skip, ids: automaton.skip.ids.map((i) => ids[i] as number) };
  return { ...automaton, outputIds: automaton.outputIds.map((i) => ids[i] as number), skip };
}

/** Where markSubstrings records what it finds. */
export interface SubstringMarks {
  /** marks[id] === stamp means literal id was found in this round. */
  readonly marks: Float64Array;
  readonly stamp: number;
  /** Each newly found ID is appended here, starting at `count`. */
  readonly found: Int32Array;
  readonly count: number;
}

/**
 * Sets `marks[id] = stamp` for every literal occurring in `text` and appends each newly found
 * ID to `found`; returns the new count. Stamps instead of clearing let the same arrays serve
 * decision after decision without resetting them.
 *
 * `text` may be unfolded as long as it is ASCII: on the first non-ASCII character the scan
 * stops and returns `~count` (negative), and the caller rescans the case-folded text.
 */
export function markSubstrings(automaton: SubstringAutomaton, text: string, into: SubstringMarks & { readonly folded: boolean }): number {
  if (automaton.place !== "anywhere") return markAnchored(automaton, text, into);
  if (into.folded && automaton.skip !== null && text.length >= SKIP_SEARCH_MIN_LENGTH) return markBySkipping(automaton.skip, text, into);
  const { classes, asciiClasses, wideClasses, transitions, outputStart, outputIds } = automaton;
  const { marks, stamp, found, folded } = into;
  let count = into.count;
  let base = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let cls: number;
    if (code < 128) cls = asciiClasses[code] as number;
    else if (folded) cls = wideClasses.get(code) ?? 0;
    else return ~count;
    const next = transitions[base + cls] as number;
    const state = next >> 1;
    base = state * classes;
    if ((next & 1) === 0) continue;
    const end = outputStart[state + 1] as number;
    for (let j = outputStart[state] as number; j < end; j++) {
      const id = outputIds[j] as number;
      if (marks[id] !== stamp) {
        marks[id] = stamp;
        found[count++] = id;
      }
    }
  }
  return count;
}

/** The walk for start- and end-anchored literals: down the trie until an edge is missing. */
function markAnchored(automaton: SubstringAutomaton, text: string, into: SubstringMarks & { readonly folded: boolean }): number {
  const { classes, asciiClasses, wideClasses, transitions, outputStart, outputIds } = automaton;
  const { marks, stamp, found, folded } = into;
  const backwards = automaton.place === "end";
  let count = into.count;
  let base = 0;
  for (let step = 0; step < text.length; step++) {
    const code = text.charCodeAt(backwards ? text.length - 1 - step : step);
    let cls: number;
    if (code < 128) cls = asciiClasses[code] as number;
    else if (folded) cls = wideClasses.get(code) ?? 0;
    else return ~count;
    const next = transitions[base + cls] as number;
    if (next === 0) break;
    const state = next >> 1;
    base = state * classes;
    if ((next & 1) === 0) continue;
    const end = outputStart[state + 1] as number;
    for (let j = outputStart[state] as number; j < end; j++) {
      const id = outputIds[j] as number;
      if (marks[id] !== stamp) {
        marks[id] = stamp;
        found[count++] = id;
      }
    }
  }
  return count;
}

/** The skipping search; `text` must be case-folded. */
function markBySkipping(search: SkipSearch, text: string, into: SubstringMarks): number {
  const { minLength, shift, candidates, short, literals, ids } = search;
  const { marks, stamp, found } = into;
  let count = into.count;
  for (let k = 0; k < short.length; k++) {
    const local = short[k] as number;
    const id = ids[local] as number;
    if (marks[id] !== stamp && text.includes(literals[local] as string)) {
      marks[id] = stamp;
      found[count++] = id;
    }
  }
  const n = text.length;
  let end = minLength - 1;
  while (end < n) {
    const h = ((text.charCodeAt(end - 1) & 127) << 7) | (text.charCodeAt(end) & 127);
    const jump = shift[h] as number;
    if (jump !== 0) {
      end += jump;
      continue;
    }
    const list = candidates[h];
    if (list !== undefined) {
      const start = end - minLength + 1;
      for (let k = 0; k < list.length; k++) {
        const local = list[k] as number;
        const id = ids[local] as number;
        const literal = literals[local] as string;
        if (marks[id] !== stamp && occursAt(text, literal, start)) {
          marks[id] = stamp;
          found[count++] = id;
        }
      }
    }
    end += 1;
  }
  return count;
}

// Compared from the end: literals of one field often share long beginnings with the value
// (registry paths), so a forward comparison would walk that shared part every time.
function occursAt(text: string, literal: string, start: number): boolean {
  if (start + literal.length > text.length) return false;
  for (let i = literal.length - 1; i >= 0; i--) if (text.charCodeAt(start + i) !== literal.charCodeAt(i)) return false;
  return true;
}
