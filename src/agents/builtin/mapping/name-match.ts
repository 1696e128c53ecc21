// How well a source column's name says it holds a target column's value: exact, normalized, without
// the table's name as a prefix, an is_/has_ prefix, a _cents or _cd suffix, a date suffix, synonyms.

import { compareWords } from './compare-words.js';
import { type ColumnReading, describeTimeSuffixes, type Variant } from './name-readings.js';
import { areOpposites } from './synonyms.js';

export interface NameMatch {
  /** 0 to 1: 1 for the same name. */
  readonly score: number;
  /** Each accepted difference, in words a reviewer can check. */
  readonly notes: readonly string[];
  /** The source holds cents of the target's amount. */
  readonly cents: boolean;
  /** The source holds codes (`_cd`) of what the target names. */
  readonly codeDropped: boolean;
  /** The source flag means the opposite of the target's. */
  readonly negate: boolean;
}

const CONTAINMENT_COST = 0.35;
const CENTS_AS_AMOUNT_COST = 0.2;
const OPPOSITE_SCORE = 0.6;
/** Words too generic to match on their own when they end a longer name (`parent_id` is not `id`). */
const GENERIC_WORDS = new Set(['id', 'key', 'no', 'number', 'code', 'type', 'name', 'date', 'at', 'on']);

/** What reading both names as written costs when their words agree but the spelling does not. */
function spellingCost(source: string, target: string): number {
  if (source === target) return 0;
  return source.toLowerCase() === target.toLowerCase() ? 0.05 : 0.1;
}

function describeSpelling(source: string, target: string): string {
  return source.toLowerCase() === target.toLowerCase()
    ? 'the same name apart from case'
    : `${source} is ${target} written in another style`;
}

/** The best reading of `source` as `target`, or undefined when the names do not relate. */
export function matchNames(target: ColumnReading, source: ColumnReading): NameMatch | undefined {
  if (target.column.name === source.column.name) {
    return { score: 1, notes: ['same name'], cents: false, codeDropped: false, negate: false };
  }
  let best: NameMatch | undefined;
  for (const sourceVariant of source.asSource) {
    for (const targetVariant of target.asTarget) {
      const match = compareVariants(sourceVariant, targetVariant, source.column.name, target.column.name);
      if (match && (!best || match.score > best.score)) best = match;
    }
  }
  return best ?? matchOpposites(target, source);
}

function compareVariants(
  sourceVariant: Variant,
  targetVariant: Variant,
  source: string,
  target: string,
): NameMatch | undefined {
  const match =
    compareWords(sourceVariant.words, targetVariant.words) ??
    containment(sourceVariant.words, targetVariant.words) ??
    centsAsAmount(sourceVariant, targetVariant);
  if (!match) return undefined;
  const untouched = sourceVariant.cost === 0 && targetVariant.cost === 0 && match.cost === 0;
  const spelling = untouched ? spellingCost(source, target) : 0;
  const score = round(1 - sourceVariant.cost - targetVariant.cost - match.cost - spelling);
  if (score <= 0) return undefined;
  const notes = [
    ...sourceVariant.notes,
    ...targetVariant.notes,
    ...describeTimeSuffixes(sourceVariant, targetVariant),
    ...match.notes,
  ];
  if (untouched) notes.push(describeSpelling(source, target));
  return { score, notes, cents: sourceVariant.cents, codeDropped: sourceVariant.codeDropped, negate: false };
}

/** `list_price` for `price`: the target's words end (or start) the source's. Weak: a decision at most. */
function containment(
  source: readonly string[],
  target: readonly string[],
): { cost: number; notes: readonly string[] } | undefined {
  if (target.length === 0 || target.length >= source.length) return undefined;
  if (target.length === 1 && GENERIC_WORDS.has(target[0] as string)) return undefined;
  const tail = source.slice(source.length - target.length);
  const head = source.slice(0, target.length);
  const matches = (part: readonly string[]) => part.every((word, i) => word === target[i]);
  if (!matches(tail) && !matches(head)) return undefined;
  return {
    cost: CONTAINMENT_COST,
    notes: [`${source.join('_')} contains ${target.join('_')} among other words`],
  };
}

/** `total_cents` for `amount`: cents may be the amount the target means, but only a person can tell. */
function centsAsAmount(
  source: Variant,
  target: Variant,
): { cost: number; notes: readonly string[] } | undefined {
  if (!source.cents || target.words.length !== 1 || target.words[0] !== 'amount') return undefined;
  return { cost: CENTS_AS_AMOUNT_COST, notes: [`${source.words.join('_')} in cents may be the amount`] };
}

/** `discontinued` for `active`: a flag of the opposite meaning, to be negated. */
function matchOpposites(target: ColumnReading, source: ColumnReading): NameMatch | undefined {
  const opposite = target.flagWords.some((word) =>
    source.flagWords.some((other) => areOpposites(word, other)),
  );
  if (!opposite) return undefined;
  const notes = [`${source.column.name} means the opposite of ${target.column.name}`];
  return { score: OPPOSITE_SCORE, notes, cents: false, codeDropped: false, negate: true };
}

/** Scores are kept to two decimals, so they compare and print the same everywhere. */
export function round(value: number): number {
  return Math.round(value * 100) / 100;
}
