// How well a source column's name says it holds a target column's value: exact, normalized, without
// the table's name as a prefix, an is_/has_ prefix, a _cents or _cd suffix, a date suffix, synonyms.

import { compareWords } from './compare-words.js';
import { areOpposites } from './synonyms.js';
import { abbreviationOf, compact, singular, splitWords } from './words.js';

/** One side of the comparison: a column, its table's words (without app prefix), whether it holds times. */
export interface NamedColumn {
  readonly name: string;
  readonly tableName: string;
  readonly tableWords: readonly string[];
  readonly temporal: boolean;
}

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

interface Variant {
  readonly words: readonly string[];
  readonly cost: number;
  readonly notes: readonly string[];
  readonly cents: boolean;
  readonly codeDropped: boolean;
  /** The date/time suffix read off the name (`dt`), described once both sides are known. */
  readonly timeSuffix?: string;
}

type Transform = (variant: Variant, column: NamedColumn) => Variant | undefined;

const BOOLEAN_PREFIXES = ['is', 'has', 'can', 'was', 'should', 'allow'];
const FLAG_SUFFIXES = ['yn', 'flag', 'flg', 'ind', 'bool'];
const TIME_SUFFIXES = ['at', 'on', 'dt', 'date', 'ts', 'time', 'timestamp', 'datetime', 'tm', 'stamp'];
const GLUED_TIME_SUFFIXES = ['date', 'time', 'on', 'at', 'dt', 'ts'];
const CODE_SUFFIXES = ['cd', 'code'];
const CONTAINMENT_COST = 0.35;
const CENTS_AS_AMOUNT_COST = 0.2;
const OPPOSITE_SCORE = 0.6;
/** Words too generic to match on their own when they end a longer name (`parent_id` is not `id`). */
const GENERIC_WORDS = new Set(['id', 'key', 'no', 'number', 'code', 'type', 'name', 'date', 'at', 'on']);

function changed(variant: Variant, words: readonly string[], cost: number, note: string): Variant {
  return { ...variant, words, cost: variant.cost + cost, notes: [...variant.notes, note] };
}

const stripTableName: Transform = (variant, column) => {
  const table = column.tableWords;
  const forms = [table, [...table.slice(0, -1), singular(table.at(-1) ?? '')]];
  const words = variant.words;
  for (const form of forms) {
    if (words.length > form.length && form.every((word, i) => words[i] === word)) {
      return changed(
        variant,
        words.slice(form.length),
        0.1,
        `${column.name} carries its table's name as a prefix`,
      );
    }
    if (words.length > 1 && words[0] === compact(form)) {
      return changed(variant, words.slice(1), 0.1, `${column.name} carries its table's name as a prefix`);
    }
  }
  const first = words[0];
  // Only a one-word table is abbreviated this way (cat_ for categories); `order_` in order_lines is a
  // reference to orders, not the table's own name.
  if (table.length !== 1 || first === undefined || words.length < 2) return undefined;
  if (abbreviationOf(first, singular(table[0] as string)) === undefined) return undefined;
  return changed(variant, words.slice(1), 0.15, `${first}_ abbreviates the table name ${column.tableName}`);
};

const stripBooleanPrefix: Transform = (variant, column) => {
  const [first, ...rest] = variant.words;
  if (first === undefined || rest.length === 0 || !BOOLEAN_PREFIXES.includes(first)) return undefined;
  return changed(variant, rest, 0.1, `${column.name} is the flag ${rest.join('_')} with an ${first}_ prefix`);
};

function stripSuffix(suffixes: readonly string[], cost: number, describe: (column: NamedColumn) => string) {
  return (variant: Variant, column: NamedColumn): Variant | undefined => {
    const last = variant.words.at(-1);
    if (last === undefined || variant.words.length < 2 || !suffixes.includes(last)) return undefined;
    return changed(variant, variant.words.slice(0, -1), cost, describe(column));
  };
}

const stripFlagSuffix = stripSuffix(FLAG_SUFFIXES, 0.1, (c) => `${c.name} is a flag (its suffix says so)`);
const stripTimeSuffix: Transform = (variant, column) => {
  const last = variant.words.at(-1);
  if (!column.temporal || last === undefined) return undefined;
  const rest = variant.words.slice(0, -1);
  if (rest.length > 0 && TIME_SUFFIXES.includes(last)) {
    return { ...variant, words: rest, cost: variant.cost + 0.05, timeSuffix: last };
  }
  // Run together, as in createdon or modifieddate: a little less certain than a separate word.
  const glued = GLUED_TIME_SUFFIXES.find(
    (suffix) => last.endsWith(suffix) && last.length - suffix.length >= 4,
  );
  if (glued === undefined) return undefined;
  const words = [...rest, last.slice(0, -glued.length)];
  return { ...variant, words, cost: variant.cost + 0.1, timeSuffix: glued };
};

function describeTimeSuffixes(source: Variant, target: Variant): string[] {
  const suffixes = [source.timeSuffix, target.timeSuffix].flatMap((suffix) =>
    suffix === undefined ? [] : [`_${suffix}`],
  );
  if (suffixes.length === 0) return [];
  if (suffixes.length === 1) return [`${suffixes[0]} only marks a date or time`];
  return suffixes[0] === suffixes[1]
    ? [`both end in the date/time suffix ${suffixes[0]}`]
    : [`${suffixes[0]} and ${suffixes[1]} both mark a date or time`];
}

const stripCents: Transform = (variant, column) => {
  const words = variant.words;
  if (words.at(-1) !== 'cents' || words.length < 2) return undefined;
  const keep = words.at(-2) === 'in' && words.length > 2 ? words.slice(0, -2) : words.slice(0, -1);
  return { ...changed(variant, keep, 0.1, `${column.name} holds the amount in cents`), cents: true };
};

const stripCode: Transform = (variant, column) => {
  const stripped = stripSuffix(CODE_SUFFIXES, 0.2, (c) => `${c.name} holds codes`)(variant, column);
  return stripped && { ...stripped, codeDropped: true };
};

const SOURCE_TRANSFORMS: readonly Transform[] = [
  stripTableName,
  stripBooleanPrefix,
  stripCents,
  stripCode,
  stripFlagSuffix,
  stripTimeSuffix,
];
const TARGET_TRANSFORMS: readonly Transform[] = [
  stripTableName,
  stripBooleanPrefix,
  stripFlagSuffix,
  stripTimeSuffix,
];

/** The name as written and every reading the transforms allow, each with what it cost. */
function variants(column: NamedColumn, transforms: readonly Transform[]): Variant[] {
  let result: Variant[] = [
    { words: splitWords(column.name), cost: 0, notes: [], cents: false, codeDropped: false },
  ];
  for (const transform of transforms) {
    result = result.flatMap((variant) => {
      const next = transform(variant, column);
      return next ? [variant, next] : [variant];
    });
  }
  return result;
}

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
export function matchNames(target: NamedColumn, source: NamedColumn): NameMatch | undefined {
  if (target.name === source.name) {
    return { score: 1, notes: ['same name'], cents: false, codeDropped: false, negate: false };
  }
  let best: NameMatch | undefined;
  const targetVariants = variants(target, TARGET_TRANSFORMS);
  for (const sourceVariant of variants(source, SOURCE_TRANSFORMS)) {
    for (const targetVariant of targetVariants) {
      const match = compareVariants(sourceVariant, targetVariant, source, target);
      if (match && (!best || match.score > best.score)) best = match;
    }
  }
  return best ?? matchOpposites(target, source);
}

function compareVariants(
  sourceVariant: Variant,
  targetVariant: Variant,
  source: NamedColumn,
  target: NamedColumn,
): NameMatch | undefined {
  const match =
    compareWords(sourceVariant.words, targetVariant.words) ??
    containment(sourceVariant.words, targetVariant.words) ??
    centsAsAmount(sourceVariant, targetVariant);
  if (!match) return undefined;
  const untouched = sourceVariant.cost === 0 && targetVariant.cost === 0 && match.cost === 0;
  const spelling = untouched ? spellingCost(source.name, target.name) : 0;
  const score = round(1 - sourceVariant.cost - targetVariant.cost - match.cost - spelling);
  if (score <= 0) return undefined;
  const notes = [
    ...sourceVariant.notes,
    ...targetVariant.notes,
    ...describeTimeSuffixes(sourceVariant, targetVariant),
    ...match.notes,
  ];
  if (untouched) notes.push(describeSpelling(source.name, target.name));
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
function matchOpposites(target: NamedColumn, source: NamedColumn): NameMatch | undefined {
  const core = (column: NamedColumn) =>
    variants(column, [stripBooleanPrefix, stripFlagSuffix])
      .map((v) => v.words)
      .filter((words) => words.length === 1)
      .map((words) => words[0] as string);
  for (const targetWord of core(target)) {
    for (const sourceWord of core(source)) {
      if (!areOpposites(targetWord, sourceWord)) continue;
      const notes = [`${source.name} means the opposite of ${target.name}`];
      return { score: OPPOSITE_SCORE, notes, cents: false, codeDropped: false, negate: true };
    }
  }
  return undefined;
}

export function round(value: number): number {
  return Math.round(value * 100) / 100;
}
