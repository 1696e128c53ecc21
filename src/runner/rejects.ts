// onError: reject sets the rows a batch cannot take aside in `_ferry.migration_rejects`, in the
// batch's own transaction: each with its source key, the values ferry mapped from it (by target
// column), and the server's verdict, so it can be fixed at the source and replayed.

import type pg from 'pg';
import { embedExpression } from '../spec/expression.js';
import { jsonObjectSql, quoteIdentifier, quoteLiteral } from '../util/sql.js';
import type { BatchLayout } from './batch-layout.js';
import { asViolation, type OffendingRow } from './violation.js';

const INSERT_SQL = `
insert into _ferry.migration_rejects (migration, batch_no, source_key, row, sqlstate, constraint_name, message, detail)
select $1, $2, r.key, r.row, r.sqlstate, r.constraint_name, r.message, r.detail
from jsonb_to_recordset($3::jsonb)
  as r(key jsonb, row jsonb, sqlstate text, constraint_name text, message text, detail text)`;

/**
 * Records `offending` as rejects of batch `batchNo`, reading their mapped values from the source.
 *
 * @example
 * await recordRejects({ source, target, layout, batchNo: 7, offending });
 */
export async function recordRejects(options: {
  readonly source: pg.ClientBase;
  readonly target: pg.ClientBase;
  readonly layout: BatchLayout;
  readonly batchNo: number;
  readonly offending: readonly OffendingRow[];
}): Promise<void> {
  const { layout, offending } = options;
  if (offending.length === 0) return;
  const rows = await mappedRows(options.source, layout, offending);
  const records = offending.map((row) => ({
    key: row.key,
    row: rows.get(JSON.stringify(row.key)) ?? null,
    sqlstate: row.sqlstate,
    constraint_name: row.constraint ?? null,
    message: row.message,
    detail: row.detail ?? null,
  }));
  await options.target.query(INSERT_SQL, [layout.migration.name, options.batchNo, JSON.stringify(records)]);
}

/**
 * The rows' mapped values by target column, keyed by their source key as JSON. A row whose values the
 * source cannot compute (its expression fails on it, as a cast of bad text does) has none: it is
 * found by halving the rows, and recorded without them.
 */
async function mappedRows(
  source: pg.ClientBase,
  layout: BatchLayout,
  offending: readonly OffendingRow[],
): Promise<Map<string, unknown>> {
  try {
    return await selectMappedRows(source, layout, offending);
  } catch (error) {
    if (!asViolation(error)) throw error;
    if (offending.length === 1) return new Map();
    const middle = Math.ceil(offending.length / 2);
    const left = await mappedRows(source, layout, offending.slice(0, middle));
    const right = await mappedRows(source, layout, offending.slice(middle));
    return new Map([...left, ...right]);
  }
}

async function selectMappedRows(
  source: pg.ClientBase,
  layout: BatchLayout,
  offending: readonly OffendingRow[],
): Promise<Map<string, unknown>> {
  const key = layout.sourceKey;
  const columns = key.map((column) => quoteIdentifier(column.name));
  const tuple = (values: readonly string[]) =>
    `(${values.map((value, i) => `${quoteLiteral(value)}::${(key[i] as (typeof key)[number]).type}`).join(', ')})`;
  const mapped = jsonObjectSql(layout.columns.map((c) => [quoteLiteral(c.target), c.source]));
  const conditions = [`(${columns.join(', ')}) IN (${offending.map((row) => tuple(row.key)).join(', ')})`];
  if (layout.migration.where !== undefined) conditions.push(embedExpression(layout.migration.where));
  const { rows } = await source.query<{ key: string[]; row: unknown }>(
    `SELECT ARRAY[${columns.map((c) => `${c}::text`).join(', ')}] AS key, ${mapped} AS row ` +
      `FROM ${layout.sourceRelation} WHERE ${conditions.join(' AND ')}`,
  );
  return new Map(rows.map((row) => [JSON.stringify(row.key), row.row]));
}
