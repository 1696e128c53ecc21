// Table names without their application prefix (`dispatch_`, `tbl_`): the prefix is found as the
// leading word most tables of a catalog share, so no application's name is written into ferry.

import { splitWords } from './words.js';

/** Prefixes that mark a table as a table in any application, used when too few tables show one. */
const GENERIC_PREFIXES: readonly string[] = ['tbl', 'tb'];

/**
 * The leading word (`dispatch`, `tbl`) that more than half of the tables start with, when at least two
 * do and it is never the whole name; undefined when there is none.
 *
 * @example
 * detectAppPrefix(['dispatch_bracket', 'dispatch_tag', 'dispatch_order']) // 'dispatch'
 */
export function detectAppPrefix(tableNames: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const name of tableNames) {
    const words = splitWords(name);
    const first = words[0];
    if (first !== undefined && words.length > 1) counts.set(first, (counts.get(first) ?? 0) + 1);
  }
  let best: { word: string; count: number } | undefined;
  for (const [word, count] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!best || count > best.count) best = { word, count };
  }
  if (best && best.count >= 2 && best.count * 2 > tableNames.length) return best.word;
  return undefined;
}

/** A table's name as words, without the application prefix (or a generic one like `tbl_`). */
export function tableWords(name: string, appPrefix: string | undefined): string[] {
  const words = splitWords(name);
  const first = words[0];
  if (words.length > 1 && first !== undefined && (first === appPrefix || GENERIC_PREFIXES.includes(first))) {
    return words.slice(1);
  }
  return words;
}
