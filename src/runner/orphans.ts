// Refs whose parent row was not migrated (orphans), found set-based on the target: in a batch's
// staging table at load time, and in the set-aside values of the fix-up step.

import type pg from 'pg';
import { quoteIdentifier, quoteLiteral, quoteQualifiedName } from '../util/sql.js';
import type { LayoutColumn, RefTranslation } from './batch-layout.js';
import { BatchViolation, type OffendingRow } from './violation.js';

/** How many offending rows a pause names; the message says when there are more. */
export const OFFENDING_ROWS_SHOWN = 20;

export type RefColumn = LayoutColumn & { readonly ref: RefTranslation };

/**
 * `s.c3 IS NOT NULL AND NOT EXISTS (…)`: the row's ref names a parent row that was not migrated.
 *
 * @example
 * orphanCondition('s', 'c3', { kind: 'mapping', parent: 'customers', table }); // → s.c3 IS NOT NULL AND NOT EXISTS (SELECT FROM "_ferry"."keymap_customers" p WHERE p.source_key_1 = s.c3)
 */
export function orphanCondition(row: string, column: string, ref: RefTranslation): string {
  const { lookup } = refColumns(ref);
  return (
    `${row}.${column} IS NOT NULL AND NOT EXISTS ` +
    `(SELECT FROM ${quoteQualifiedName(ref.table)} p WHERE p.${lookup} = ${row}.${column})`
  );
}

/** The parent table's column a ref's value is looked up by, and the column that holds its translation. */
function refColumns(ref: RefTranslation): { readonly lookup: string; readonly value: string } {
  if (ref.kind === 'mapping') return { lookup: 'source_key_1', value: 'target_key' };
  const column = quoteIdentifier(ref.column);
  return { lookup: column, value: column };
}

/**
 * A ref translated by a join on the target: `LEFT JOIN <parent> j_c3 ON …` and the SQL of the
 * translated value, NULL where no migrated parent row matches.
 *
 * @example
 * refJoin('s', 'c3', ref); // → { join: 'LEFT JOIN "_ferry"."keymap_customers" j_c3 ON j_c3.source_key_1 = s.c3', value: 'j_c3.target_key' }
 */
export function refJoin(
  row: string,
  column: string,
  ref: RefTranslation,
): { readonly join: string; readonly value: string } {
  const alias = `j_${column}`;
  const { lookup, value } = refColumns(ref);
  return {
    join: `LEFT JOIN ${quoteQualifiedName(ref.table)} ${alias} ON ${alias}.${lookup} = ${row}.${column}`,
    value: `${alias}.${value}`,
  };
}

export interface OrphanSearch {
  /** The table (SQL) whose rows hold the refs' values in the columns named by each `stage`. */
  readonly table: string;
  /** Its columns holding the source key, in key order. */
  readonly keyColumns: readonly string[];
  readonly refs: readonly RefColumn[];
}

/**
 * Throws a BatchViolation naming the first orphaned rows, by source key, when there are any.
 *
 * @example
 * await refuseOrphans(target, { table: 'pg_temp.ferry_stage', keyColumns: ['k1'], refs }, 'orders');
 */
export async function refuseOrphans(
  target: pg.ClientBase,
  search: OrphanSearch,
  what: string,
): Promise<void> {
  if (search.refs.length === 0) return;
  const order = search.keyColumns.map((_, i) => `o${i + 1}`).join(', ');
  const selects = search.refs.map(
    (column) =>
      `SELECT ${search.keyColumns.map((k, i) => `s.${k} AS o${i + 1}`).join(', ')}, ` +
      `ARRAY[${search.keyColumns.map((k) => `s.${k}::text`).join(', ')}] AS key, ` +
      `${quoteLiteral(column.target)} AS "column", s.${column.stage}::text AS value, ${quoteLiteral(column.ref.parent)} AS parent ` +
      `FROM ${search.table} s WHERE ${orphanCondition('s', column.stage, column.ref)}`,
  );
  const { rows } = await target.query<{ key: string[]; column: string; value: string; parent: string }>(
    `SELECT key, "column", value, parent FROM (${selects.join(' UNION ALL ')}) o ORDER BY ${order} LIMIT ${OFFENDING_ROWS_SHOWN + 1}`,
  );
  if (rows.length === 0) return;
  const offending: OffendingRow[] = rows.slice(0, OFFENDING_ROWS_SHOWN).map((row) => ({
    key: row.key,
    sqlstate: '23503',
    message: orphanMessage(row.column, row.parent),
    constraint: orphanConstraint(row.column, row.parent),
    detail: `Key (${row.column})=(${row.value}) is not among the migrated rows of ${row.parent}.`,
  }));
  const first = offending[0] as OffendingRow;
  const count = rows.length > OFFENDING_ROWS_SHOWN ? `more than ${OFFENDING_ROWS_SHOWN}` : `${rows.length}`;
  throw new BatchViolation(
    {
      sqlstate: '23503',
      message: `${count} row(s) of ${what} reference parent rows that were not migrated`,
      ...(first.constraint ? { constraint: first.constraint } : {}),
      ...(first.detail ? { detail: first.detail } : {}),
    },
    offending,
  );
}

/** The pseudo-constraint an orphan violates: the ref itself, as the spec declares it. */
export function orphanConstraint(column: string, parent: string): string {
  return `ref ${column} → ${parent}`;
}

export function orphanMessage(column: string, parent: string): string {
  return `${column} references a row of \`${parent}\` that was not migrated`;
}
