// Names as words: camelCase and snake_case split alike, plurals, verb endings and abbreviations, so
// that `CaseFileID`, `case_file_id` and `casefile_id` can be compared on what they say.

import { memoize } from './memo.js';

const IRREGULAR_PLURALS: Readonly<Record<string, string>> = {
  people: 'person',
  children: 'child',
  men: 'man',
  women: 'woman',
  data: 'datum',
  indices: 'index',
};

/** Splits a name into lower-case words: `ArtistId` and `artist_id` both give `artist`, `id`. */
export function splitWords(name: string): string[] {
  return name
    .replace(/(\p{Ll}|\p{N})(\p{Lu})/gu, '$1_$2')
    .replace(/(\p{Lu}+)(\p{Lu}\p{Ll})/gu, '$1_$2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');
}

/** The words run together, the way `casefile` is written for `case_file`. */
export function compact(words: readonly string[]): string {
  return words.join('');
}

/** The singular of an English plural, by the common rules; anything else is returned as is. */
export function singular(word: string): string {
  const irregular = IRREGULAR_PLURALS[word];
  if (irregular !== undefined) return irregular;
  if (word.length <= 3 || /(ss|us|is)$/.test(word)) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (/(ches|shes|xes|zes|sses|uses)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

/** The forms a word may take without its plural or past-tense ending (`hired` → `hire`, `hir`). */
export const stems: (word: string) => ReadonlySet<string> = memoize(readStems);

function readStems(word: string): Set<string> {
  const forms = new Set([word, singular(word)]);
  const endings: readonly [string, string][] = [
    ['ed', ''],
    ['ed', 'e'],
    ['ing', ''],
    ['ing', 'e'],
  ];
  for (const [ending, replacement] of endings) {
    const base = word.slice(0, -ending.length);
    if (word.endsWith(ending) && base.length >= 3) forms.add(base + replacement);
  }
  return forms;
}

export function shareStem(a: string, b: string): boolean {
  const forms = stems(a);
  for (const form of stems(b)) if (forms.has(form)) return true;
  return false;
}

export type Abbreviation = 'prefix' | 'letters';

/**
 * Whether `short` abbreviates `long`: its first letters (`sal` for `salary`) or some of its letters in
 * order, starting with the same one (`dept` for `department`). Two letters are too few to tell.
 */
export function abbreviationOf(short: string, long: string): Abbreviation | undefined {
  if (short.length < 3 || short.length >= long.length) return undefined;
  if (long.startsWith(short)) return 'prefix';
  if (short[0] !== long[0]) return undefined;
  let position = 0;
  for (const letter of short) {
    position = long.indexOf(letter, position) + 1;
    if (position === 0) return undefined;
  }
  return 'letters';
}
