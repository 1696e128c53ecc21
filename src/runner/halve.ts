// A batch the server could not finish in time or in memory is cut in two at its middle source key,
// and each half is loaded on its own; halving repeats until the pieces fit. Other errors are not
// retried this way: a violation is the data's fault, not the batch's size.

import type pg from 'pg';
import { quoteIdentifier } from '../util/sql.js';
import type { BatchLayout } from './batch-layout.js';
import { rangeSelectSql } from './batch-sql.js';
import { type KeyRange, type KeyValue, SERVER_TEXT } from './key-ranges.js';

/** query_canceled by statement_timeout, and out_of_memory. */
const TOO_BIG = new Set(['57014', '53200']);

/**
 * True for an error that a smaller batch can avoid: a statement timeout or the server running out
 * of memory (a cancel by a person, also 57014, reads differently and is not retried).
 *
 * @example
 * isBatchTooBig(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })); // → true
 */
export function isBatchTooBig(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  if (typeof e?.code !== 'string' || !TOO_BIG.has(e.code)) return false;
  return e.code === '53200' || (typeof e.message === 'string' && /statement timeout/i.test(e.message));
}

/**
 * The source key that cuts `range` into two halves of about equal rows, or undefined for a range of
 * fewer than two rows, which cannot be cut.
 *
 * @example
 * const middle = await middleKey(source, layout, batch.range); // → ['5000']
 */
export async function middleKey(
  source: pg.ClientBase,
  layout: BatchLayout,
  range: KeyRange,
): Promise<KeyValue | undefined> {
  const keys = layout.sourceKey.map((column) => quoteIdentifier(column.name));
  const select = rangeSelectSql(layout, range, keys);
  const { rows: counted } = await source.query<{ rows: string }>(
    `SELECT count(*) AS rows FROM (${select}) t`,
  );
  const rows = Number(counted[0]?.rows ?? 0);
  if (rows < 2) return undefined;
  const { rows: middle } = await source.query<string[]>({
    text: `${select} OFFSET ${Math.floor(rows / 2) - 1} LIMIT 1`,
    rowMode: 'array',
    types: SERVER_TEXT,
  });
  return middle[0];
}
