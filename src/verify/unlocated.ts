// Target rows that name no source row: under keys: generate, rows without an entry in the key mapping
// (a copy written under a new key, a row inserted by hand); under keys: preserve, rows whose key
// columns are NULL. Named by the target's primary key, and where a mapped row holds the very same
// values, as a copy of that row's source key.

import type pg from 'pg';
import type { Comparison } from './comparison.js';
import type { RowProblem } from './types.js';

/**
 * The first `limit` unlocated target rows, in target key order.
 *
 * @example
 * await unlocatedRows(target, comparison, 20); // → [{ kind: 'unmapped', targetKey: ['1001'], copyOf: ['7'] }]
 */
export async function unlocatedRows(
  target: pg.ClientBase,
  comparison: Comparison,
  limit: number,
): Promise<RowProblem[]> {
  const fingerprint = (alias: string) =>
    `md5(ARRAY[${comparison.columns.map((_, i) => `${alias}.v${i + 1}`).join(', ')}]::text[]::text)`;
  // A hash join on the rows' fingerprints: one scan of the table, however many copies there are.
  const { rows } = await target.query<{ tkey: string[] | null; copy_of: string[] | null }>(
    `WITH r AS (${comparison.targetRows}),
          u AS (SELECT r.tkey, ${fingerprint('r')} AS fingerprint FROM r WHERE r.cat = 'unlocated' ORDER BY r.tkey LIMIT ${limit})
     SELECT DISTINCT ON (u.tkey) u.tkey, c.key AS copy_of
     FROM u LEFT JOIN r c ON c.cat <> 'unlocated' AND ${fingerprint('c')} = u.fingerprint
     ORDER BY u.tkey, c.key`,
  );
  return rows.map((row) => ({
    kind: 'unmapped',
    targetKey: row.tkey,
    ...(row.copy_of ? { copyOf: row.copy_of } : {}),
  }));
}
