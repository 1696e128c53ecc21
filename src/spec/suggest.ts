// "Did you mean …" for misspelt keys, migration names and enum values.

/** The closest candidate within a typo's distance of `word`, if any. */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lowered = word.toLowerCase();
  for (const candidate of candidates) {
    // The distance is at least the difference in length: a 30,000-character value is compared with
    // nothing, instead of costing a 30,000-row table for each of hundreds of candidates.
    const other = candidate.toLowerCase();
    if (Math.abs(other.length - lowered.length) > limit) continue;
    const distance = editDistance(lowered, other);
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** Formats a hint for `closestMatch`, or returns the fallback when nothing is close. */
export function didYouMean(
  word: string,
  candidates: Iterable<string>,
  fallback?: string,
): string | undefined {
  const match = closestMatch(word, candidates);
  return match === undefined ? fallback : `did you mean \`${match}\`?`;
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions ("form" → "from"). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const above = d[i - 1] as number[];
      let value = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = value;
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}
