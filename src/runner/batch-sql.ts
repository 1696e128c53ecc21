// The SELECT that reads one batch on a PostgreSQL source: one mapped value per written target column,
// for the rows of one key range. It runs inside `COPY (…) TO STDOUT`, which takes no bind parameters,
// so the range's bounds are written as quoted literals cast to the key's types.

import type { CatalogColumn, CatalogTable } from '../catalog/types.js';
import type { ColumnPlan, MigrationNode } from '../compiler/plan.js';
import { embedExpression } from '../spec/expression.js';
import { quoteIdentifier, quoteLiteral } from '../util/sql.js';
import { type KeyRange, keyComparison } from './key-ranges.js';

/**
 * The SELECT for one batch, its values in the order of targetColumnList(migration).
 *
 * @example
 * const sql = batchSelectSql(layout, { low: ['1000'], high: ['2000'] });
 * // SELECT "id", "casefile_id", (
 * // amount_cents / 100.0
 * // ), "currency", "placed_at" FROM "legacy"."dispatch_order"
 * // WHERE "id" > '1000'::bigint AND "id" <= '2000'::bigint ORDER BY "id"
 */
export function batchSelectSql(source: SourceScope, range: RangeSelection): string {
  const values = writtenColumns(source.migration).map((column) => columnValue(source.migration, column));
  return rangeSelectSql(source, range, values);
}

/**
 * A value of a batch SELECT as the target takes it. COPY hands each value over as text, which the
 * target parses as its column's type; where source-side SQL runs in the target session itself (rows
 * move by INSERT … SELECT, see copy-batch.ts) the value is converted by an explicit cast instead:
 * the conversion `plan` tried every value with (compiler/source-checks.ts). A cast to the type the
 * value already has costs nothing.
 */
export function targetValue(value: string, type: string, withinTarget: boolean): string {
  return withinTarget ? `CAST(${value} AS ${type})` : value;
}

/** What source-side SQL of one migration reads: its table's columns, under the relation it reads them from. */
export interface SourceScope {
  readonly migration: MigrationNode;
  readonly sourceTable: CatalogTable;
  /** The relation in FROM (see BatchLayout.sourceRelation). */
  readonly sourceRelation: string;
}

/**
 * The whole of a relation that holds exactly the rows of one staged range (see SourceReader.stagesRange):
 * no key conditions to test, and no sort, since the reader staged the rows in key order and a scan of
 * the freshly filled table returns them so. A sort of a whole batch would spill to disk.
 */
export const STAGED_RANGE = 'staged';

/** A key range of the source relation, or all of a staged range's relation. */
export type RangeSelection = KeyRange | typeof STAGED_RANGE;

/**
 * A SELECT of `values` (SQL over the source table's columns) for the rows of one key range that pass
 * the migration's `where`, in key order.
 *
 * @example
 * rangeSelectSql(layout, { low: null, high: ['10'] }, ['"id"']);
 * // → SELECT "id" FROM "legacy"."dispatch_order" WHERE "id" <= '10'::bigint ORDER BY "id"
 */
export function rangeSelectSql(
  { migration, sourceTable, sourceRelation }: SourceScope,
  range: RangeSelection,
  values: readonly string[],
  /** More conditions over the source table, such as a refresh batch's cursor window. */
  also: readonly string[] = [],
): string {
  const key = batchKeyColumns(migration, sourceTable);
  const whole = range === STAGED_RANGE;
  const conditions = [...(whole ? [] : rangeConditions(key, range)), ...also];
  if (migration.where !== undefined) conditions.push(embedExpression(migration.where));
  const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
  const order = whole ? '' : ` ORDER BY ${key.map((column) => quoteIdentifier(column.name)).join(', ')}`;
  return `SELECT ${values.join(', ')} FROM ${sourceRelation}${where}${order}`;
}

/**
 * The target columns a batch writes, in the order batchSelectSql produces their values; `omit`ted
 * columns are left to the target's defaults.
 *
 * @example
 * targetColumnList(orders); // → ['id', 'case_file_id', 'amount', 'currency', 'placed_at']
 */
export function targetColumnList(migration: MigrationNode): string[] {
  return writtenColumns(migration).map((column) => column.target);
}

/**
 * The batch key's columns on the source: the plan's `batch.key`, else the source's primary key.
 *
 * @example
 * batchKeyColumns(orders, sourceTable).map((column) => column.type); // → ['bigint']
 */
export function batchKeyColumns(migration: MigrationNode, sourceTable: CatalogTable): CatalogColumn[] {
  const names = migration.batch.key ?? sourceTable.primaryKey;
  if (names === undefined || names.length === 0) {
    throw new Error(
      `${migration.name}: the source table has no primary key; declare batch.key in the spec to batch it`,
    );
  }
  return names.map((name) => {
    const column = sourceTable.columns.find((candidate) => candidate.name === name);
    if (!column) throw new Error(`${migration.name}: batch key column ${name} is not in the source table`);
    return column;
  });
}

/**
 * The WHERE condition that selects `range`, with its bounds as literals; `TRUE` for the whole table.
 *
 * @example
 * keyRangePredicate(key, { low: ['1000'], high: null }); // → "id" > '1000'::bigint
 */
export function keyRangePredicate(key: readonly CatalogColumn[], range: KeyRange): string {
  const conditions = rangeConditions(key, range);
  return conditions.length === 0 ? 'TRUE' : conditions.join(' AND ');
}

function rangeConditions(key: readonly CatalogColumn[], range: KeyRange): string[] {
  const conditions: string[] = [];
  if (range.low !== null) conditions.push(keyComparison(key, '>', literals(key, range.low)));
  if (range.high !== null) conditions.push(keyComparison(key, '<=', literals(key, range.high)));
  return conditions;
}

function literals(key: readonly CatalogColumn[], values: readonly string[]): string[] {
  if (values.length !== key.length) {
    throw new Error(`a key range has ${values.length} value(s) for a key of ${key.length} column(s)`);
  }
  return values.map(quoteLiteral);
}

/** The columns a batch writes: every planned column but the `omit`ted ones. */
export function writtenColumns(migration: MigrationNode): ColumnPlan[] {
  return migration.columns.filter((column) => column.omit !== true);
}

function columnValue(migration: MigrationNode, column: ColumnPlan): string {
  // Fix-up columns (self-references, broken cycles) are loaded as NULL and filled in after the table.
  if (migration.fixups.includes(column.target)) return 'NULL';
  return sourceValue(migration, column);
}

/**
 * The SQL over the source table that yields a column's value as the spec maps it: the `expr`, or the
 * quoted source column.
 *
 * @example
 * sourceValue(orders, { target: 'case_file_id', from: 'casefile_id', origin }); // → "casefile_id"
 */
export function sourceValue(migration: MigrationNode, column: ColumnPlan): string {
  if (column.expr !== undefined) return embedExpression(column.expr);
  if (column.from !== undefined) return quoteIdentifier(column.from);
  throw new Error(
    `${migration.name}.${column.target} has no source column or expression: resolve the plan first`,
  );
}
