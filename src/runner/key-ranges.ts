// Batch boundaries of a source table: a keyset walk along the batch key's index cuts the table into key
// ranges of `batchSize` rows, which the runner records, claims and copies one by one, so a batch can be
// retried or resumed on its own.

import type pg from 'pg';
import type { CatalogColumn } from '../catalog/types.js';
import { embedExpression } from '../spec/expression.js';
import type { QualifiedName } from '../spec/types.js';
import { quoteIdentifier, quoteQualifiedName } from '../util/sql.js';

/**
 * One value per key column, as PostgreSQL prints it as text (the type's output function). Text reads
 * back through a cast to the column's type, and it can be stored in `_ferry` whatever the key's types.
 */
export type KeyValue = readonly string[];

/**
 * The rows whose key is greater than `low` and at most `high`; `null` leaves that side open. The first
 * range of a table has no `low` and the last no `high`, so rows inserted later land in the last batch.
 */
export interface KeyRange {
  readonly low: KeyValue | null;
  readonly high: KeyValue | null;
}

export interface KeyRangeOptions {
  readonly table: QualifiedName;
  /** The batch key's columns in key order, as introspected (their `type` is used for casts). */
  readonly key: readonly CatalogColumn[];
  /** The migration's `where`: only rows that satisfy it are counted into batches. */
  readonly where?: string;
  readonly batchSize: number;
  /** Cover only the first `limitRows` rows (a dry run's --limit): the last range is closed there. */
  readonly limitRows?: number;
  /** Start after this key instead of at the beginning (the end of the batches already recorded). */
  readonly after?: KeyValue;
}

/**
 * Cuts `table` into ranges of `batchSize` rows by its key, in key order: `(null, b1], (b1, b2], …, (bn, null)`.
 * An empty table gives the one range `(null, null)`.
 *
 * Each step asks for the row `batchSize` places after the last boundary:
 * `SELECT key FROM t WHERE (k1, k2) > ($1, $2) ORDER BY k1, k2 OFFSET batchSize - 1 LIMIT 2`. OFFSET is
 * usually a trap, but not here: the row comparison starts an index scan right after the previous
 * boundary, so a step reads only the batch's own index entries (plus one), and the whole walk reads the
 * index once. The second row fetched only says that more rows follow: when it is missing, the last
 * rows go to the open last range instead of a range of their own followed by an empty one, so a table
 * of n rows gives ceil(n / batchSize) ranges (at least one) in as many queries.
 *
 * Keys compare the way the key's index and `ORDER BY` compare them: text by the column's collation
 * (a cast parameter or literal carries the default collation, which yields to the column's). The batch
 * SELECT uses the same comparison (see keyComparison), so each row falls in exactly one range.
 *
 * Values are printed in the session's settings (DateStyle, TimeZone, extra_float_digits): the session
 * that copies the ranges must read them back the same way.
 *
 * @example
 * const ranges = await planKeyRanges(source, {
 *   table: { schema: 'legacy', name: 'dispatch_order' },
 *   key: sourceTable.columns.filter((column) => column.name === 'id'),
 *   batchSize: 10_000,
 * });
 * // → [{ low: null, high: ['10000'] }, { low: ['10000'], high: ['20000'] }, …, { low: ['1990000'], high: null }]
 */
export async function planKeyRanges(client: pg.ClientBase, options: KeyRangeOptions): Promise<KeyRange[]> {
  assertWalkable(options);
  return walkKeyRanges(options, (low, size) => nextBoundary(client, options, low, size));
}

/**
 * The walk behind planKeyRanges, on any engine: `nextBoundary(low, size)` gives the key `size` rows
 * after `low`, or undefined when fewer rows than that follow it (the open last range takes them).
 */
export async function walkKeyRanges(
  options: Pick<KeyRangeOptions, 'batchSize' | 'limitRows' | 'after'>,
  nextBoundary: (low: KeyValue | null, size: number) => Promise<KeyValue | undefined>,
): Promise<KeyRange[]> {
  const ranges: KeyRange[] = [];
  let low: KeyValue | null = options.after ?? null;
  let left = options.limitRows ?? Number.POSITIVE_INFINITY;
  for (;;) {
    const size = Math.min(options.batchSize, left);
    const high = await nextBoundary(low, size);
    if (high === undefined) {
      ranges.push({ low, high: null });
      return ranges;
    }
    ranges.push({ low, high });
    left -= size;
    if (left <= 0) return ranges;
    low = high;
  }
}

/**
 * The largest key after `after` (from the beginning when null) among the rows that pass the `where`;
 * undefined when there is none. One backward step along the key's index.
 *
 * @example
 * await lastKeyAfter(source, { table, key, batchSize: 1 }, ['110000']); // → ['118734']
 */
export async function lastKeyAfter(
  client: pg.ClientBase,
  options: Omit<KeyRangeOptions, 'batchSize' | 'limitRows' | 'after'>,
  after: KeyValue | null,
): Promise<KeyValue | undefined> {
  const columns = options.key.map((column) => quoteIdentifier(column.name));
  const conditions: string[] = [];
  if (after !== null)
    conditions.push(
      keyComparison(
        options.key,
        '>',
        options.key.map((_, i) => `$${i + 1}`),
      ),
    );
  if (options.where !== undefined) conditions.push(embedExpression(options.where));
  const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
  const result = await client.query<string[]>({
    text:
      `SELECT ${columns.join(', ')} FROM ${quoteQualifiedName(options.table)}${where} ` +
      `ORDER BY ${columns.map((column) => `${column} DESC`).join(', ')} LIMIT 1`,
    values: after === null ? [] : [...after],
    rowMode: 'array',
    types: SERVER_TEXT,
  });
  return result.rows[0];
}

/**
 * `"k" > $1::bigint` for a one-column key, `("k1", "k2") > ($1::bigint, $2::text)` for a composite one:
 * a row comparison, which orders like `ORDER BY k1, k2` and which a btree index on the key can serve.
 * `operands` are SQL text, one per key column (parameters or literals), cast here to the column's type.
 */
export function keyComparison(
  key: readonly Pick<CatalogColumn, 'name' | 'type'>[],
  operator: '>' | '>=' | '<=',
  operands: readonly string[],
  /** What is compared, as SQL per key column (a qualified or translated value); the key's own columns when absent. */
  columns: readonly string[] = key.map((column) => quoteIdentifier(column.name)),
): string {
  // The catalog's type is printed by the server (format_type), quoted where needed: safe to splice.
  const values = key.map((column, index) => `${operands[index]}::${column.type}`);
  if (key.length === 1) return `${columns[0]} ${operator} ${values[0]}`;
  return `(${columns.join(', ')}) ${operator} (${values.join(', ')})`;
}

/** Reads every value as the server's text, not as a JavaScript Date or number that could round. */
export const SERVER_TEXT: pg.CustomTypesConfig = {
  getTypeParser: () => (value: string) => value,
};

async function nextBoundary(
  client: pg.ClientBase,
  options: KeyRangeOptions,
  after: KeyValue | null,
  size: number,
): Promise<KeyValue | undefined> {
  const result = await client.query<string[]>({
    text: boundarySql(options, after !== null, size),
    values: after === null ? [] : [...after],
    rowMode: 'array',
    types: SERVER_TEXT,
  });
  // Without a row after it, the would-be boundary is the table's last row: the open last range takes it.
  if (result.rows.length < 2) return undefined;
  return result.rows[0];
}

function boundarySql(options: KeyRangeOptions, afterBoundary: boolean, size: number): string {
  const columns = options.key.map((column) => quoteIdentifier(column.name)).join(', ');
  const conditions: string[] = [];
  if (afterBoundary) {
    const parameters = options.key.map((_, index) => `$${index + 1}`);
    conditions.push(keyComparison(options.key, '>', parameters));
  }
  if (options.where !== undefined) conditions.push(embedExpression(options.where));
  const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
  // size is a positive integer (batchSize and limitRows are checked), so the OFFSET is a plain number.
  return (
    `SELECT ${columns} FROM ${quoteQualifiedName(options.table)}${where} ` +
    `ORDER BY ${columns} OFFSET ${size - 1} LIMIT 2`
  );
}

function assertWalkable(options: KeyRangeOptions): void {
  if (!Number.isSafeInteger(options.batchSize) || options.batchSize < 1) {
    throw new RangeError(`batch size must be a positive integer, not ${options.batchSize}`);
  }
  if (
    options.limitRows !== undefined &&
    (!Number.isSafeInteger(options.limitRows) || options.limitRows < 1)
  ) {
    throw new RangeError(`a row limit must be a positive integer, not ${options.limitRows}`);
  }
  if (options.key.length === 0) throw new RangeError('a batch key needs at least one column');
  // A NULL key compares as unknown, so its row would fall in no range and silently never move.
  const nullable = options.key.filter((column) => column.nullable).map((column) => column.name);
  if (nullable.length > 0) {
    throw new RangeError(
      `batch key column(s) ${nullable.join(', ')} of ${options.table.schema}.${options.table.name} ` +
        'may be NULL; a batch key must be NOT NULL',
    );
  }
}
