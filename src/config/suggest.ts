// "Did you mean": a misspelt keyword or key is an error naming the nearest valid one. Distance is
// Damerau-Levenshtein (optimal string alignment: a swap of two neighbours costs 1), bounded by
// length so that short words do not "correct" to unrelated ones.

/** Edits allowed for a word of this length: none up to 3 characters, 1 up to 5, then 2. */
export function maxEdits(length: number): number {
  return length <= 3 ? 0 : length <= 5 ? 1 : 2;
}

/** Optimal string alignment distance, or `limit + 1` as soon as it must exceed `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The candidate nearest to `word` within its edit bound (the first written wins a tie). */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = maxEdits(word.length);
  if (limit === 0) return undefined;
  let best: string | undefined;
  let bestD = limit + 1;
  for (const c of candidates) {
    if (c === word) continue;
    const d = editDistance(word.toLowerCase(), c.toLowerCase(), limit);
    if (d < bestD) { best = c; bestD = d; }
  }
  return best;
}
