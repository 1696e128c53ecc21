// Finds the source rows a batch cannot take. The batch's keys are read from the source, and the range
// is loaded again in halves inside savepoints, left to right: a half that loads stays, a half that
// fails is split until single rows remain. Loading in key order means a row that clashes with an
// earlier row of the same batch (a duplicate of a unique value) is the one named, as a real apply
// would meet it. k bad rows among n cost about k·log2(n) loads of shrinking size.

import type pg from 'pg';
import { quoteIdentifier } from '../util/sql.js';
import type { BatchLayout } from './batch-layout.js';
import { rangeSelectSql } from './batch-sql.js';
import { type KeyRange, type KeyValue, SERVER_TEXT } from './key-ranges.js';
import type { LoadResult } from './staged-load.js';
import { asViolation, BatchViolation, type OffendingRow } from './violation.js';

export interface Bisection {
  readonly layout: BatchLayout;
  readonly source: pg.ClientBase;
  /** Inside a transaction that the caller commits (onError reject) or rolls back (a pause). */
  readonly target: pg.ClientBase;
  readonly range: KeyRange;
  /** Loads one sub-range into the open transaction. */
  readonly load: (range: KeyRange) => Promise<LoadResult>;
  /** Stop once this many offending rows are found (a pause names a few; reject needs them all). */
  readonly limit: number;
}

export interface BisectionResult {
  /** What the sub-ranges that loaded wrote; they are in the caller's transaction. */
  readonly loaded: LoadResult;
  readonly offending: readonly OffendingRow[];
  /** False when the search stopped at `limit` before the end of the batch. */
  readonly complete: boolean;
}

/**
 * Loads what loads of `range` and names the rows that do not, each with its own violation.
 *
 * @example
 * await target.query('BEGIN');
 * const { offending } = await bisectBatch({ layout, source, target, range, load, limit: 20 });
 * await target.query('ROLLBACK');
 */
export async function bisectBatch(bisection: Bisection): Promise<BisectionResult> {
  const { target } = bisection;
  // Deferred constraints would otherwise only speak at COMMIT, for the whole batch at once.
  await target.query('SET CONSTRAINTS ALL IMMEDIATE');
  const keys = await rangeKeys(bisection);
  const totals = { rows: 0, skipped: 0, rejected: 0 };
  const offending: OffendingRow[] = [];
  const subRange = (lo: number, hi: number): KeyRange => ({
    low: lo === 0 ? bisection.range.low : (keys[lo - 1] as KeyValue),
    high: hi === keys.length ? bisection.range.high : (keys[hi - 1] as KeyValue),
  });
  // Intervals of key positions [lo, hi), taken left to right.
  const pending: [number, number][] = keys.length === 0 ? [] : [[0, keys.length]];
  while (pending.length > 0 && offending.length < bisection.limit) {
    const [lo, hi] = pending.shift() as [number, number];
    await target.query('SAVEPOINT ferry_try');
    try {
      const loaded = await bisection.load(subRange(lo, hi));
      await target.query('RELEASE SAVEPOINT ferry_try');
      totals.rows += loaded.rows;
      totals.skipped += loaded.skipped;
      totals.rejected += loaded.rejected;
    } catch (error) {
      await target.query('ROLLBACK TO SAVEPOINT ferry_try');
      await target.query('RELEASE SAVEPOINT ferry_try');
      const row = offendingRow(error, keys[lo] as KeyValue);
      if (!row) throw error;
      if (hi - lo === 1) offending.push(row);
      else {
        const middle = lo + Math.floor((hi - lo) / 2);
        pending.unshift([lo, middle], [middle, hi]);
      }
    }
  }
  return { loaded: totals, offending, complete: pending.length === 0 };
}

/** The single row's violation, or undefined when the error is not the data's fault. */
function offendingRow(error: unknown, key: KeyValue): OffendingRow | undefined {
  if (error instanceof BatchViolation) {
    const first = error.offending[0];
    return first ? { ...first, key } : { key, ...error.violation };
  }
  const violation = asViolation(error);
  if (!violation) return undefined;
  return {
    key,
    sqlstate: violation.sqlstate,
    message: violation.message,
    ...(violation.constraint ? { constraint: violation.constraint } : {}),
    ...(violation.detail ? { detail: violation.detail } : {}),
  };
}

/** The batch key of every source row in the range, in key order, as the server prints them. */
async function rangeKeys(bisection: Bisection): Promise<KeyValue[]> {
  const { layout } = bisection;
  const columns = layout.sourceKey.map((column) => quoteIdentifier(column.name));
  const result = await bisection.source.query<string[]>({
    text: rangeSelectSql(layout, bisection.range, columns),
    rowMode: 'array',
    types: SERVER_TEXT,
  });
  return result.rows;
}
