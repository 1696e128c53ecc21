// A small cache for pure functions of a string key: names repeat across thousands of column pairs, and
// reading one the same way each time is wasted work. Bounded, so a long-lived process does not grow.

const MAX_ENTRIES = 50_000;

/** Wraps `compute` so each key is computed once (until the cache fills up and starts over). */
export function memoize<T>(compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    const cached = cache.get(key);
    if (cached !== undefined || cache.has(key)) return cached as T;
    if (cache.size >= MAX_ENTRIES) cache.clear();
    const value = compute(key);
    cache.set(key, value);
    return value;
  };
}
