// Equality lookups of event values against case-folded rule values without folding the event
// value or letting V8 hash it. Every event brings new strings: folding one allocates another,
// and Map.get on a string V8 has not hashed yet computes the hash outside the builtin's fast
// path (~60 ns more than a lookup by an already hashed string, for flat 40–600 character
// strings on Node 26 here), more than hashing a short value in JavaScript costs.

/**
 * Hash of `text` from `start` on with ASCII letters folded to lowercase, so an ASCII raw value
 * and its case-folded form (config.md §7.2: both platforms fold ASCII A–Z to a–z) hash alike.
 * Returns -1 when that part holds a character outside ASCII: the caller folds it first.
 */
export function asciiFoldedHash(text: string, start: number): number {
  let hash = 0x811c9dc5 ^ (text.length - start);
  for (let i = start; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 128) return -1;
    if (code >= 65 && code <= 90) code += 32;
    hash = Math.imul(hash ^ code, 0x01000193);
  }
  return (hash ^ (hash >>> 15)) & 0x7fffffff;
}

/** The same for a text already case-folded, any characters (its ASCII holds no A–Z). */
function foldedHash(text: string): number {
  let hash = 0x811c9dc5 ^ text.length;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash ^ (hash >>> 15)) & 0x7fffffff;
}

function equalsAsciiFolded(key: string, text: string, start: number): boolean {
  for (let i = 0; i < key.length; i++) {
    let code = text.charCodeAt(start + i);
    if (code >= 65 && code <= 90) code += 32;
    if (code !== key.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * A read-only map from case-folded keys to numbers (rule positions), open-addressed. Looked
 * up either by a raw ASCII range (folded on the fly) or by an already folded text.
 *
 * @example
 * const keys = new FoldedKeys(new Map([["cmd.exe", 3]]));
 * keys.getRaw("C:\\Windows\\CMD.EXE", 11); // 3 (the part from index 11)
 * keys.getFolded("cmd.exe"); // 3
 */
export class FoldedKeys {
  private readonly keys: string[];
  private readonly positions: Int32Array;
  private readonly hashes: Int32Array;
  private readonly mask: number;

  constructor(entries: ReadonlyMap<string, number>) {
    let size = 4;
    while (size < entries.size * 2) size *= 2;
    this.mask = size - 1;
    this.keys = new Array<string>(size).fill("");
    this.positions = new Int32Array(size).fill(-1);
    this.hashes = new Int32Array(size).fill(-1);
    for (const [key, position] of entries) {
      let slot = foldedHash(key) & this.mask;
      while (this.positions[slot] !== -1) slot = (slot + 1) & this.mask;
      this.keys[slot] = key;
      this.positions[slot] = position;
      this.hashes[slot] = foldedHash(key);
    }
  }

  /**
   * The number of the key equal to `raw.slice(start)` folded, -1 when none, or -2 when that
   * part is not ASCII (then fold it and call getFolded: folding beyond ASCII is the platform's).
   */
  getRaw(raw: string, start: number): number {
    const length = raw.length - start;
    const hash = asciiFoldedHash(raw, start);
    if (hash < 0) return -2;
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const position = this.positions[slot] as number;
      if (position === -1) return -1;
      const key = this.keys[slot] as string;
      if (this.hashes[slot] === hash && key.length === length && equalsAsciiFolded(key, raw, start)) return position;
    }
  }

  /** The number of the key equal to the case-folded `folded`, or -1. */
  getFolded(folded: string): number {
    const hash = foldedHash(folded);
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const position = this.positions[slot] as number;
      if (position === -1) return -1;
      if (this.hashes[slot] === hash && this.keys[slot] === folded) return position;
    }
  }
}
