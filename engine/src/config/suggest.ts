// "Did you mean …?" suggestions for misspelt element, field and condition names.

/** Levenshtein distance, case-insensitive; small inputs only (names, not documents). */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[y.length] ?? 0;
}

/**
 * The candidate closest to `name`, if it is close enough to be a likely typo (a third of the
 * name's length, at least 2 edits allowed); otherwise undefined.
 *
 * @example
 * closestName("ParentImagee", ["Image", "ParentImage"]); // "ParentImage"
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length > 200) return undefined;
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}
