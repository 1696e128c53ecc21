// incremental: { cursor }: a source column that grows whenever a row changes. The changes since the
// previous apply are the rows whose cursor lies in a window (mark, now]; they are written again by
// refresh batches, cut by key like any batch.

import type pg from 'pg';
import type { CatalogColumn } from '../catalog/types.js';
import { embedExpression } from '../spec/expression.js';
import type { CursorWindow } from '../state/types.js';
import { quoteIdentifier, quoteLiteral } from '../util/sql.js';
import type { BatchLayout } from './batch-layout.js';
import { SERVER_TEXT } from './key-ranges.js';

/**
 * The source condition of a cursor window, with its bounds as literals cast to the column's type.
 *
 * @example
 * cursorCondition(updatedAt, { low: '2026-11-01 00:00:00', high: '2026-11-24 17:03:12' });
 * // → "updated_at" > '2026-11-01 00:00:00'::timestamp without time zone AND "updated_at" <= '2026-11-24 17:03:12'::timestamp without time zone
 */
export function cursorCondition(column: CatalogColumn, window: CursorWindow): string {
  const name = quoteIdentifier(column.name);
  // The catalog's type is printed by the server (format_type), quoted where needed: safe to splice.
  const high = `${name} <= ${quoteLiteral(window.high)}::${column.type}`;
  return window.low === null ? high : `${name} > ${quoteLiteral(window.low)}::${column.type} AND ${high}`;
}

/**
 * The largest cursor value among the migration's source rows now, as the server prints it; null
 * when no row has one.
 */
export async function currentCursor(source: pg.ClientBase, layout: BatchLayout): Promise<string | null> {
  const cursor = layout.cursor;
  if (!cursor) return null;
  const { where } = layout.migration;
  const { rows } = await source.query<{ max: string | null }>({
    text:
      `SELECT max(${quoteIdentifier(cursor.name)}) AS max FROM ${layout.sourceRelation}` +
      (where === undefined ? '' : ` WHERE ${embedExpression(where)}`),
    types: SERVER_TEXT,
  });
  return rows[0]?.max ?? null;
}

/** True when the source's cursor went past `mark` (any value counts when there is no mark yet). */
export async function cursorMoved(
  source: pg.ClientBase,
  cursor: CatalogColumn,
  mark: string | null,
  now: string,
): Promise<boolean> {
  if (mark === null) return true;
  const { rows } = await source.query<{ moved: boolean }>(
    `SELECT $1::${cursor.type} > $2::${cursor.type} AS moved`,
    [now, mark],
  );
  return rows[0]?.moved === true;
}
