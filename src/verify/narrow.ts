// Segments whose fingerprints differ are cut finer (256 ways by the next hex digits of the key's md5)
// and compared again, both sides at once, until they are small enough to fetch: then their rows
// name the source keys at fault. Each step is one query per side for all segments of that step, so
// the work grows with the number of differences, not with the size of the table.

import {
  type Aggregate,
  DIGITS_PER_LEVEL,
  differingSegments,
  fetchSegments,
  MAX_PREFIX,
  narrowerSegments,
  type Segments,
  type Side,
} from './aggregates.js';
import type { ComparedColumn } from './comparison.js';
import { diffRows } from './row-diff.js';
import type { RowProblem } from './types.js';

/** A segment with at most this many rows on either side is fetched and compared row by row. */
const FETCH_ROWS = 100;

/** Segments fetched per migration at most; the rest is reported as differing but not examined. */
const MAX_FETCHED = 200;

/** Segments cut finer per step at most, so a column wrong in every row stays cheap to report. */
const MAX_NARROWED = 64;

export interface NarrowResult {
  readonly problems: readonly RowProblem[];
  readonly nulledOrphans: number;
  /** Differing segments left unexamined (the limits above). */
  readonly unexamined: number;
}

/**
 * Finds the rows behind the differing segments of the first level.
 *
 * @example
 * const result = await narrowDifferences(sides, comparison.columns, { source: s.segments, target: t.segments });
 */
export async function narrowDifferences(
  sides: { readonly source: Side; readonly target: Side },
  columns: readonly ComparedColumn[],
  first: { readonly source: Segments; readonly target: Segments },
): Promise<NarrowResult> {
  const problems: RowProblem[] = [];
  let nulledOrphans = 0;
  let unexamined = 0;
  let fetched = 0;
  let level = { ...first, digits: DIGITS_PER_LEVEL };
  let differing = differingSegments(level.source, level.target);
  while (differing.length > 0) {
    const small = differing.filter(
      (p) => level.digits >= MAX_PREFIX || largest(level.source.get(p), level.target.get(p)) <= FETCH_ROWS,
    );
    const large = differing.filter((p) => !small.includes(p));
    const toFetch = small.slice(0, Math.max(0, MAX_FETCHED - fetched));
    unexamined += small.length - toFetch.length;
    if (toFetch.length > 0) {
      fetched += toFetch.length;
      const [sourceRows, targetRows] = await Promise.all([
        fetchSegments(sides.source, columns.length, toFetch, level.digits),
        fetchSegments(sides.target, columns.length, toFetch, level.digits),
      ]);
      const diff = await diffRows(sides.target.client, columns, sourceRows, targetRows);
      problems.push(...diff.problems);
      nulledOrphans += diff.nulledOrphans;
    }
    const toNarrow = fetched >= MAX_FETCHED ? [] : large.slice(0, MAX_NARROWED);
    unexamined += large.length - toNarrow.length;
    if (toNarrow.length === 0) break;
    const digits = level.digits + DIGITS_PER_LEVEL;
    const [source, target] = await Promise.all([
      narrowerSegments(sides.source, columns.length, toNarrow, digits),
      narrowerSegments(sides.target, columns.length, toNarrow, digits),
    ]);
    level = { source, target, digits };
    differing = differingSegments(source, target);
  }
  return { problems, nulledOrphans, unexamined };
}

function largest(a: Aggregate | undefined, b: Aggregate | undefined): number {
  return Math.max(a?.rows ?? 0, b?.rows ?? 0);
}
