// The target rows a migration wrote, as one SQL condition over its target table: the rows whose key
// its key mapping holds (keys: generate), or whose carried source key lies in a committed interval
// (keys: preserve). The same condition drives the DELETE and the check for rows that reference them.

import type pg from 'pg';
import type { CatalogColumn } from '../catalog/types.js';
import type { MigrationNode } from '../compiler/plan.js';
import { keyRangePredicate } from '../runner/batch-sql.js';
import { keyComparison, SERVER_TEXT } from '../runner/key-ranges.js';
import { embedExpression } from '../spec/expression.js';
import type { KeyStrategy, QualifiedName } from '../spec/types.js';
import type { KeyRange, KeyValue } from '../state/types.js';
import { quoteIdentifier, quoteLiteral, quoteQualifiedName } from '../util/sql.js';
import type { ComparedColumn, PreserveLayout } from './key-carriers.js';

export interface OwnedRows {
  readonly migration: string;
  readonly keys: KeyStrategy;
  readonly table: QualifiedName;
  /** True for exactly the rows the migration wrote, the table being named `alias` (a plain word). */
  readonly condition: (alias: string) => string;
}

/** A source key interval with both ends known: `low` itself included when `lowInclusive`. */
export interface ClosedInterval {
  readonly low: KeyValue | null;
  readonly lowInclusive: boolean;
  readonly high: KeyValue | null;
}

/**
 * The rows of a `keys: generate` migration: those whose primary key its key mapping holds. The
 * mapping's rows commit with their batch, so it holds exactly the keys of committed batches.
 *
 * @example
 * generatedRows('customers', { schema: 'shop', name: 'customers' }, 'id', keymap).condition('t');
 * // → t."id" IN (SELECT target_key FROM "_ferry"."keymap_customers")
 */
export function generatedRows(
  migration: string,
  table: QualifiedName,
  keyColumn: string,
  mappingTable: QualifiedName,
): OwnedRows {
  return {
    migration,
    keys: 'generate',
    table,
    condition: (alias) =>
      `${alias}.${quoteIdentifier(keyColumn)} IN (SELECT target_key FROM ${quoteQualifiedName(mappingTable)})`,
  };
}

/**
 * The rows of a `keys: preserve` migration: those whose key, read through its carriers, lies in one
 * of `intervals`. A carrier translated through a parent's mapping joins that mapping on the target.
 */
export function preservedRows(
  migration: string,
  table: QualifiedName,
  layout: PreserveLayout,
  intervals: readonly ClosedInterval[],
): OwnedRows {
  return {
    migration,
    keys: 'preserve',
    table,
    condition: (alias) => preservedCondition(layout, intervals, alias),
  };
}

function preservedCondition(
  layout: PreserveLayout,
  intervals: readonly ClosedInterval[],
  alias: string,
): string {
  if (intervals.length === 0) return 'FALSE';
  const compared: string[] = [];
  const types: ComparedColumn[] = [];
  const joins: string[] = [];
  const mappings: string[] = [];
  layout.carriers.forEach((carrier, index) => {
    if (carrier.kind === 'column') {
      compared.push(`${alias}.${quoteIdentifier(carrier.target.name)}`);
      types.push(carrier.target);
      return;
    }
    const mapping = `${alias}_m${index + 1}`;
    mappings.push(`${quoteQualifiedName(carrier.mappingTable)} AS ${mapping}`);
    joins.push(`${mapping}.target_key = ${alias}.${quoteIdentifier(carrier.target)}`);
    compared.push(`${mapping}.source_key_1`);
    types.push(carrier.sourceKey);
  });
  const ranges = intervals.map((interval) => `(${intervalCondition(types, compared, interval)})`);
  const inRange = ranges.length === 1 ? (ranges[0] as string) : `(${ranges.join(' OR ')})`;
  if (mappings.length === 0) return inRange;
  return `EXISTS (SELECT FROM ${mappings.join(', ')} WHERE ${[...joins, inRange].join(' AND ')})`;
}

function intervalCondition(
  types: readonly ComparedColumn[],
  compared: readonly string[],
  interval: ClosedInterval,
): string {
  const conditions: string[] = [];
  if (interval.low !== null) {
    const operator = interval.lowInclusive ? '>=' : '>';
    conditions.push(keyComparison(types, operator, interval.low.map(quoteLiteral), compared));
  }
  if (interval.high !== null) {
    conditions.push(keyComparison(types, '<=', interval.high.map(quoteLiteral), compared));
  }
  return conditions.length === 0 ? 'TRUE' : conditions.join(' AND ');
}

/**
 * `intervals` with their open ends closed at the source's first and last key in them (of the rows
 * the migration's `where` lets through): a batch recorded open, (low, end of table), holds only
 * the rows up to the largest key, and a target row beyond it was not written by ferry. An interval
 * in which the source holds no row any more is dropped.
 */
export async function closeIntervals(
  /** The session source-side SQL runs in, and the relation holding the source table's rows there. */
  source: { readonly sql: pg.ClientBase; readonly relation: string },
  migration: MigrationNode,
  sourceKey: readonly CatalogColumn[],
  intervals: readonly KeyRange[],
): Promise<ClosedInterval[]> {
  const closed: ClosedInterval[] = [];
  for (const interval of intervals) {
    const first =
      interval.low === null ? await sourceKeyEnd(source, migration, sourceKey, interval, 'first') : null;
    const last =
      interval.high === null ? await sourceKeyEnd(source, migration, sourceKey, interval, 'last') : null;
    if (first === undefined || last === undefined) continue;
    closed.push({
      low: first ?? interval.low,
      lowInclusive: first !== null,
      high: last ?? interval.high,
    });
  }
  return closed;
}

/** The first or last source key in `range`, printed as text; undefined when the range is empty. */
async function sourceKeyEnd(
  source: { readonly sql: pg.ClientBase; readonly relation: string },
  migration: MigrationNode,
  key: readonly CatalogColumn[],
  range: KeyRange,
  end: 'first' | 'last',
): Promise<KeyValue | undefined> {
  const columns = key.map((column) => quoteIdentifier(column.name));
  const conditions = [keyRangePredicate(key, range)];
  if (migration.where !== undefined) conditions.push(embedExpression(migration.where));
  const order = columns.map((column) => (end === 'first' ? column : `${column} DESC`)).join(', ');
  const result = await source.sql.query<string[]>({
    text:
      `SELECT ${columns.join(', ')} FROM ${source.relation} ` +
      `WHERE ${conditions.join(' AND ')} ORDER BY ${order} LIMIT 1`,
    rowMode: 'array',
    types: SERVER_TEXT,
  });
  return result.rows[0];
}
