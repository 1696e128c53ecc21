// How close two names are, word by word: each difference a reviewer would accept (a short form, a
// plural, a missing underscore) costs a little, and the notes say which differences were accepted.

import { memoize } from './memo.js';
import { PHRASES, type Phrase } from './synonyms.js';
import { abbreviationOf, compact, shareStem, singular } from './words.js';

/** What a word list was read as: each canonical word with what was written and what reading it cost. */
interface Token {
  readonly canonical: string;
  readonly written: string;
  readonly cost: number;
  /** How the written form was read, for the reason: `qty stands for quantity`. */
  readonly reading?: string;
}

export interface WordsMatch {
  readonly cost: number;
  readonly notes: readonly string[];
}

const SPLIT_COST = 0.1;
const STEM_COST = 0.05;
const ABBREVIATION_COSTS = { prefix: 0.2, letters: 0.25 } as const;

/** Reads known short forms and synonyms (`amt`, `email_addr`) as the words they stand for. */
/** The phrases by their first word, longest first, so reading a word looks at a handful at most. */
const PHRASES_BY_FIRST_WORD = new Map<string, Phrase[]>();
for (const phrase of PHRASES) {
  const first = phrase.words[0] as string;
  PHRASES_BY_FIRST_WORD.set(first, [...(PHRASES_BY_FIRST_WORD.get(first) ?? []), phrase]);
}

const tokensOf = memoize((key) => readTokens(key === '' ? [] : key.split(' ')));

function tokens(words: readonly string[]): Token[] {
  return tokensOf(words.join(' '));
}

function readTokens(words: readonly string[]): Token[] {
  const result: Token[] = [];
  let i = 0;
  while (i < words.length) {
    const candidates = PHRASES_BY_FIRST_WORD.get(words[i] as string) ?? [];
    const phrase = candidates.find((p) => p.words.every((word, offset) => words[i + offset] === word));
    if (phrase) {
      const canonical = phrase.canonical.join('_');
      const written = phrase.words.join('_');
      const verb = phrase.kind === 'short form' ? 'stands for' : 'means';
      result.push({ canonical, written, cost: phrase.cost, reading: `${written} ${verb} ${canonical}` });
      i += phrase.words.length;
    } else {
      const word = words[i] as string;
      result.push({ canonical: word, written: word, cost: 0 });
      i++;
    }
  }
  return result;
}

function readings(...read: readonly Token[]): string[] {
  return read.flatMap((token) => (token.reading === undefined ? [] : [token.reading]));
}

function compareTokens(a: Token, b: Token): WordsMatch | undefined {
  if (a.written === b.written) return { cost: 0, notes: [] };
  if (a.canonical === b.canonical) {
    return { cost: Math.max(a.cost, b.cost), notes: readings(a, b) };
  }
  if (shareStem(a.written, b.written)) {
    return { cost: STEM_COST, notes: [`${a.written} and ${b.written} are forms of one word`] };
  }
  if (shareStem(a.canonical, b.canonical)) {
    return {
      cost: Math.max(a.cost, b.cost) + STEM_COST,
      notes: [...readings(a, b), 'singular and plural differ'],
    };
  }
  const [short, long] = a.written.length <= b.written.length ? [a, b] : [b, a];
  const abbreviation = abbreviationOf(short.written, long.canonical);
  if (abbreviation === undefined) return undefined;
  return {
    cost: ABBREVIATION_COSTS[abbreviation],
    notes: [`${short.written} abbreviates ${long.canonical}`],
  };
}

function compareAligned(a: readonly Token[], b: readonly Token[]): WordsMatch | undefined {
  let cost = 0;
  const notes: string[] = [];
  for (const [index, token] of a.entries()) {
    const other = b[index];
    const match = other && compareTokens(token, other);
    if (!match) return undefined;
    cost += match.cost;
    notes.push(...match.notes);
  }
  return { cost, notes };
}

/**
 * The cost of reading one name as the other, or undefined when they say different things.
 * `case_file_id` vs `casefile_id` costs 0.1 (underscores), `amt` vs `amount` 0.1 (short form).
 */
export function compareWords(a: readonly string[], b: readonly string[]): WordsMatch | undefined {
  if (a.length === b.length && a.every((word, i) => word === b[i])) return { cost: 0, notes: [] };
  if (compact(a) === compact(b))
    return { cost: SPLIT_COST, notes: ['the same words apart from underscores'] };
  const tokensA = tokens(a);
  const tokensB = tokens(b);
  if (tokensA.length === tokensB.length) {
    const aligned = compareAligned(tokensA, tokensB);
    if (aligned) return aligned;
  }
  const canonicalA = compact(tokensA.map((t) => t.canonical));
  const canonicalB = compact(tokensB.map((t) => t.canonical));
  if (singular(canonicalA) !== singular(canonicalB)) return undefined;
  const readCost = Math.max(...tokensA.map((t) => t.cost), ...tokensB.map((t) => t.cost), 0);
  const pluralCost = canonicalA === canonicalB ? 0 : STEM_COST;
  return { cost: SPLIT_COST + readCost + pluralCost, notes: ['the same words apart from underscores'] };
}

/** The words a name is read as, short forms expanded and plurals made singular (`mgr_emp_no` → manager, employee, number). */
export function canonicalWords(words: readonly string[]): string[] {
  return tokens(words).map((token) => singular(token.canonical));
}
