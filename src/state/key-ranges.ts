// Checks on the key ranges a migration is cut into. The ranges must tile the whole key space, in
// order: a gap would leave source rows silently unmigrated, an overlap would load them twice.

import { errorDiagnostic, FerryError } from '../errors.js';
import type { KeyRange, KeyValue } from './types.js';

/**
 * Throws `internal` unless `ranges` start open, end open, and each range begins exactly where the
 * previous one ended. Bounds are compared as recorded; ordering keys is the source's business. A
 * `prefix` (a dry run's sample of the first rows) may end before the end of the table.
 *
 * @example
 * assertRangesTile([{ low: null, high: ['100'] }, { low: ['100'], high: null }]); // fine
 * assertRangesTile([{ low: null, high: ['100'] }, { low: ['200'], high: null }]); // throws: a gap
 */
export function assertRangesTile(
  ranges: readonly KeyRange[],
  options: { readonly prefix?: boolean } = {},
): void {
  const problem = tilingProblem(ranges, options.prefix === true);
  if (problem === undefined) return;
  throw new FerryError(
    errorDiagnostic('internal', `batch key ranges do not cover the source exactly once: ${problem}`),
  );
}

function tilingProblem(ranges: readonly KeyRange[], prefix: boolean): string | undefined {
  if (ranges.length === 0) return undefined;
  if (ranges[0]?.low !== null) return 'the first range does not start at the beginning';
  if (!prefix && ranges.at(-1)?.high !== null) return 'the last range does not reach the end';
  for (let index = 1; index < ranges.length; index++) {
    const previous = ranges[index - 1]?.high ?? null;
    const low = ranges[index]?.low ?? null;
    if (previous === null || low === null || !sameKey(previous, low)) {
      return `range ${index + 1} does not start where range ${index} ends`;
    }
  }
  return undefined;
}

/** True when both lists hold the same ranges in the same order. */
export function sameRanges(a: readonly KeyRange[], b: readonly KeyRange[]): boolean {
  return a.length === b.length && a.every((range, index) => sameRange(range, b[index]));
}

function sameRange(a: KeyRange, b: KeyRange | undefined): boolean {
  return b !== undefined && sameBound(a.low, b.low) && sameBound(a.high, b.high);
}

function sameBound(a: KeyValue | null, b: KeyValue | null): boolean {
  if (a === null || b === null) return a === b;
  return sameKey(a, b);
}

/** True when both keys hold the same values, column by column. */
export function sameKey(a: KeyValue, b: KeyValue): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
