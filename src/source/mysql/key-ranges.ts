// Batch boundaries of a MySQL table: the same keyset walk as for a PostgreSQL source (see
// runner/key-ranges.ts), in MySQL's SQL. Keys are kept as the text MySQL prints, which is what the
// reader sends back as parameters, so each row falls in exactly one range under MySQL's own ordering
// (its collation for text keys).

import type mysql from 'mysql2/promise';
import type { CatalogColumn } from '../../catalog/types.js';
import {
  type KeyRange,
  type KeyRangeOptions,
  type KeyValue,
  walkKeyRanges,
} from '../../runner/key-ranges.js';
import type { QualifiedName } from '../../spec/types.js';
import { quoteMysqlIdentifier, quoteMysqlTable } from './identifiers.js';

/**
 * `k > ?` for a one-column key; for a composite key the expanded form
 * `k1 > ? OR (k1 = ? AND k2 > ?)`, which every MySQL and MariaDB version turns into index ranges
 * (row-constructor comparisons are not optimized everywhere). Returns the SQL and the order in which
 * the key's values fill its placeholders.
 */
export function mysqlKeyComparison(
  key: readonly Pick<CatalogColumn, 'name'>[],
  operator: '>' | '<=',
): { readonly sql: string; readonly valueOrder: readonly number[] } {
  const names = key.map((column) => quoteMysqlIdentifier(column.name));
  const strict = operator === '>' ? '>' : '<';
  const alternatives: string[] = [];
  const valueOrder: number[] = [];
  for (let i = 0; i < names.length; i++) {
    const equal = names.slice(0, i).map((name, j) => {
      valueOrder.push(j);
      return `${name} = ?`;
    });
    const last = i === names.length - 1;
    valueOrder.push(i);
    alternatives.push([...equal, `${names[i]} ${last ? operator : strict} ?`].join(' AND '));
  }
  const sql =
    alternatives.length === 1 ? (alternatives[0] as string) : alternatives.map((a) => `(${a})`).join(' OR ');
  return { sql, valueOrder };
}

/** `(low, high]` of `range` as a WHERE condition (empty for the whole table) and its parameters. */
export function mysqlRangeCondition(
  key: readonly Pick<CatalogColumn, 'name'>[],
  range: KeyRange,
): { readonly sql: string; readonly values: string[] } {
  const parts: string[] = [];
  const values: string[] = [];
  for (const [bound, operator] of [
    [range.low, '>'],
    [range.high, '<='],
  ] as const) {
    if (bound === null) continue;
    const comparison = mysqlKeyComparison(key, operator);
    parts.push(`(${comparison.sql})`);
    for (const index of comparison.valueOrder) values.push(bound[index] as string);
  }
  return { sql: parts.join(' AND '), values };
}

/**
 * Cuts a MySQL table into ranges of `batchSize` rows by its key: `(null, b1], …, (bn, null)`, one
 * query per range. A migration's `where` does not take part: for a MySQL source it is a PostgreSQL
 * expression evaluated on the target, so a batch holds up to `batchSize` rows before it.
 */
export async function planMysqlKeyRanges(
  connection: mysql.Connection,
  options: Omit<KeyRangeOptions, 'where'>,
): Promise<KeyRange[]> {
  return walkKeyRanges(options, (low, size) =>
    nextBoundary(connection, options.table, options.key, low, size),
  );
}

/** The largest key after `after` (from the beginning when null); undefined when there is none. */
export async function mysqlLastKeyAfter(
  connection: mysql.Connection,
  table: QualifiedName,
  key: readonly CatalogColumn[],
  after: KeyValue | null,
): Promise<KeyValue | undefined> {
  const names = key.map((column) => quoteMysqlIdentifier(column.name));
  const condition = mysqlRangeCondition(key, { low: after, high: null });
  const [rows] = await connection.query<mysql.RowDataPacket[]>({
    sql:
      `SELECT ${names.join(', ')} FROM ${quoteMysqlTable(table)}` +
      `${condition.sql ? ` WHERE ${condition.sql}` : ''} ORDER BY ${names.map((n) => `${n} DESC`).join(', ')} LIMIT 1`,
    values: condition.values,
    rowsAsArray: true,
  });
  const row = rows[0] as unknown as unknown[] | undefined;
  return row?.map(keyText);
}

async function nextBoundary(
  connection: mysql.Connection,
  table: QualifiedName,
  key: readonly CatalogColumn[],
  after: KeyValue | null,
  size: number,
): Promise<KeyValue | undefined> {
  const names = key.map((column) => quoteMysqlIdentifier(column.name)).join(', ');
  const condition = mysqlRangeCondition(key, { low: after, high: null });
  // The row `size` places on, and one more to tell that rows follow (see runner/key-ranges.ts).
  const [rows] = await connection.query<mysql.RowDataPacket[]>({
    sql:
      `SELECT ${names} FROM ${quoteMysqlTable(table)}${condition.sql ? ` WHERE ${condition.sql}` : ''} ` +
      `ORDER BY ${names} LIMIT ${size - 1}, 2`,
    values: condition.values,
    rowsAsArray: true,
  });
  if (rows.length < 2) return undefined;
  return (rows[0] as unknown as unknown[]).map(keyText);
}

/** Keys are stored as text; a Buffer (a BINARY key) as its bytes read as UTF-8 would not survive. */
function keyText(value: unknown): string {
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  return String(value);
}
