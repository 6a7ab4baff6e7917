// Condition operators (config.md §8). A matcher is built once per filter at load time from the
// lowercased rule value; at decision time it receives the event value already case-folded.

export const CONDITIONS = [
  "is",
  "is not",
  "contains",
  "contains any",
  "is any",
  "contains all",
  "excludes",
  "excludes any",
  "excludes all",
  "begin with",
  "end with",
  "less than",
  "more than",
  "image",
  "not begin with",
  "not end with",
] as const;

/** A condition name; its index in CONDITIONS is Sysmon's binary operator number (§8). */
export type ConditionName = (typeof CONDITIONS)[number];

/** Tests a case-folded event value. */
export type ValueMatcher = (foldedValue: string) => boolean;

export type CaseFolding = "windows" | "linux";

const CONDITION_BY_LOWER = new Map<string, ConditionName>(CONDITIONS.map((c) => [c, c]));

/** Resolves a `condition` attribute; names are case-insensitive, absent or empty means `is`. */
export function parseCondition(raw: string | undefined): ConditionName | undefined {
  if (raw === undefined || raw === "") return "is";
  return CONDITION_BY_LOWER.get(raw.toLowerCase());
}

const NON_ASCII = /[^\x00-\x7f]/;

function asciiLower(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out += code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : text[i];
  }
  return out;
}

function asciiUpper(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out += code >= 97 && code <= 122 ? String.fromCharCode(code - 32) : text[i];
  }
  return out;
}

/**
 * Case folding as each platform's Sysmon does it (§7.2): Windows lowercases every character
 * (towlower); Linux folds ASCII letters only.
 */
export function folderFor(folding: CaseFolding): (text: string) => string {
  if (folding === "windows") return (text) => text.toLowerCase();
  return (text) => (NON_ASCII.test(text) ? asciiLower(text) : text.toLowerCase());
}

/**
 * Splits a `;` list the way Sysmon walks it for the contains/excludes families (§8): an empty
 * item is not skipped but searched as the rest of the rule text from that point, so a
 * trailing `;` yields "" (which occurs in every value) and `x;;y` yields "x", ";y", "y".
 */
export function splitSearchItems(rule: string): string[] {
  const items: string[] = [];
  let pos = 0;
  for (;;) {
    const next = rule.indexOf(";", pos);
    if (next < 0) {
      items.push(rule.slice(pos));
      return items;
    }
    items.push(next === pos ? rule.slice(pos) : rule.slice(pos, next));
    pos = next + 1;
  }
}

/** `less than`/`more than` compare text, never numbers (§8): Windows on lowercase, Linux on ASCII uppercase. */
function orderKey(folding: CaseFolding, foldedLower: string): string {
  return folding === "linux" ? asciiUpper(foldedLower) : foldedLower;
}

/**
 * Builds the matcher for one filter. `foldedRule` is the rule value already case-folded.
 *
 * @example
 * const m = buildMatcher("contains any", "a;b;", "linux");
 * m("zzz"); // true: the trailing ';' leaves an empty item, which occurs everywhere
 */
export function buildMatcher(condition: ConditionName, foldedRule: string, folding: CaseFolding): ValueMatcher {
  const r = foldedRule;
  switch (condition) {
    case "is":
      return (v) => v === r;
    case "is not":
      return (v) => v !== r;
    case "contains":
      return (v) => v.includes(r);
    case "excludes":
      return (v) => !v.includes(r);
    case "begin with":
      return (v) => v.startsWith(r);
    case "not begin with":
      return (v) => !v.startsWith(r);
    case "end with":
      return (v) => v.endsWith(r);
    case "not end with":
      return (v) => !v.endsWith(r);
    case "contains any": {
      const items = splitSearchItems(r);
      return (v) => items.some((item) => v.includes(item));
    }
    case "excludes any": {
      // Code behaviour: matches when none of the items occurs (§8, R17).
      const items = splitSearchItems(r);
      return (v) => !items.some((item) => v.includes(item));
    }
    case "contains all": {
      const items = splitSearchItems(r);
      return (v) => items.every((item) => v.includes(item));
    }
    case "excludes all": {
      // Code behaviour: matches when at least one item is missing (§8, R18).
      const items = splitSearchItems(r);
      return (v) => !items.every((item) => v.includes(item));
    }
    case "is any": {
      // Plain split: an empty item equals nothing because values are never empty (R28, R29).
      const items = new Set(r.split(";").filter((item) => item !== ""));
      return (v) => items.has(v);
    }
    case "less than": {
      const key = orderKey(folding, r);
      return (v) => orderKey(folding, v) < key;
    }
    case "more than": {
      const key = orderKey(folding, r);
      return (v) => orderKey(folding, v) > key;
    }
    case "image": {
      // Only a backslash separates path parts, on Linux too (§8, Q11).
      if (r.includes("\\")) return (v) => v === r;
      return (v) => {
        const cut = v.lastIndexOf("\\");
        return cut < 0 ? v === r : v.length - cut - 1 === r.length && v.endsWith(r);
      };
    }
  }
}
