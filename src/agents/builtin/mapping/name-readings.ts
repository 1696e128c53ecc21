// The readings of one column name the matcher compares: as written, without its table's name, without
// an is_/has_ prefix, a _cents, _cd, _yn or date suffix, each reading with what it costs to accept.

import { abbreviationOf, compact, singular, splitWords } from './words.js';

/** One side of the comparison: a column, its table's words (without app prefix), whether it holds times. */
export interface NamedColumn {
  readonly name: string;
  readonly tableName: string;
  readonly tableWords: readonly string[];
  readonly temporal: boolean;
}

/** Every reading of a column's name, computed once per column and compared with many others. */
export interface ColumnReading {
  readonly column: NamedColumn;
  /** Readings when the column is the source of a value. */
  readonly asSource: readonly Variant[];
  /** Readings when the column is the target of a value. */
  readonly asTarget: readonly Variant[];
  /** The one word a flag name comes down to without is_ or _yn (`active` for `is_active`). */
  readonly flagWords: readonly string[];
}

export interface Variant {
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

export function describeTimeSuffixes(source: Variant, target: Variant): string[] {
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

function readVariants(column: NamedColumn, transforms: readonly Transform[]): Variant[] {
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

/** Reads a column's name every way the matcher may compare it. */
export function readColumn(column: NamedColumn): ColumnReading {
  const flagWords = readVariants(column, [stripBooleanPrefix, stripFlagSuffix])
    .filter((variant) => variant.words.length === 1)
    .map((variant) => variant.words[0] as string);
  return {
    column,
    asSource: readVariants(column, SOURCE_TRANSFORMS),
    asTarget: readVariants(column, TARGET_TRANSFORMS),
    flagWords,
  };
}
