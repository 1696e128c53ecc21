// Shared pieces of the runner tests: a resolved migration written in a few lines, a table's catalog
// entry from a real database, a check that key ranges split a table into disjoint, complete parts, and
// a table copied range by range, one target transaction per batch, as the runner does it.

import type pg from 'pg';
import { expect } from 'vitest';
import type { CatalogColumn, CatalogTable } from '../../src/catalog/types.js';
import type { ColumnPlan, MigrationNode } from '../../src/compiler/plan.js';
import type { SourceScope } from '../../src/runner/batch-sql.js';
import {
  batchKeyColumns,
  batchSelectSql,
  keyRangePredicate,
  targetColumnList,
} from '../../src/runner/batch-sql.js';
import { copyBatch } from '../../src/runner/copy-batch.js';
import { type KeyRange, planKeyRanges } from '../../src/runner/key-ranges.js';
import type { QualifiedName } from '../../src/spec/types.js';
import { quoteQualifiedName } from '../../src/util/sql.js';
import { introspectDatabase, type TestDatabase } from '../support/database.js';

const HERE = { file: 'specs/test.yaml', line: 1, column: 1 };

/** A column's source: a source column name, `{ expr }`, or `{ omit: true }`. */
export type ColumnSource = string | { readonly expr: string } | { readonly omit: true };

/** A resolved migration from `from` to `to` whose columns are listed in target order. */
export function migration(
  from: QualifiedName,
  to: QualifiedName,
  columns: Readonly<Record<string, ColumnSource>>,
  extra: Partial<Pick<MigrationNode, 'where' | 'batch' | 'fixups'>> = {},
): MigrationNode {
  return {
    name: to.name,
    from,
    to,
    keys: 'preserve',
    columns: Object.entries(columns).map(([target, source]) => columnPlan(target, source)),
    onError: 'pause',
    onOrphan: 'fail',
    batch: { size: 1000 },
    fixups: [],
    specHash: 'test',
    location: HERE,
    locations: { from: HERE, to: HERE },
    ...extra,
  };
}

function columnPlan(target: string, source: ColumnSource): ColumnPlan {
  const origin = { kind: 'declared' as const };
  if (typeof source === 'string') return { target, from: source, origin };
  if ('expr' in source) return { target, expr: source.expr, origin };
  return { target, omit: true, origin };
}

/** The table as ferry's introspection sees it. */
export async function catalogTable(database: TestDatabase, name: QualifiedName): Promise<CatalogTable> {
  const catalog = await introspectDatabase(database);
  const table = catalog.tables.find((t) => t.schema === name.schema && t.name === name.name);
  if (!table) throw new Error(`${name.schema}.${name.name} is not in the catalog`);
  return table;
}

/** The named columns of `table`, in the order given. */
export function columnsOf(table: CatalogTable, names: readonly string[]): CatalogColumn[] {
  return names.map((name) => {
    const column = table.columns.find((c) => c.name === name);
    if (!column) throw new Error(`${table.name} has no column ${name}`);
    return column;
  });
}

/**
 * Asserts that every row matching `where` falls in exactly one of `ranges` (by the batch SELECT's own
 * predicate) and returns the number of rows in each range.
 */
export async function expectPartition(
  database: TestDatabase,
  table: QualifiedName,
  key: readonly CatalogColumn[],
  ranges: readonly KeyRange[],
  where = 'TRUE',
): Promise<number[]> {
  const predicates = ranges.map((range) => keyRangePredicate(key, range));
  const perRange = predicates.map((predicate, index) => `count(*) FILTER (WHERE ${predicate}) AS r${index}`);
  const hits = predicates.map((predicate) => `(${predicate})::int`).join(' + ');
  const [row] = await database.query<Record<string, string>>(
    `SELECT count(*) AS total, count(*) FILTER (WHERE ${hits} <> 1) AS misplaced, ${perRange.join(', ')}
       FROM ${quoteQualifiedName(table)} WHERE ${where}`,
  );
  if (!row) throw new Error('no count');
  expect(Number(row.misplaced), 'rows in no range or in several ranges').toBe(0);
  const counts = ranges.map((_, index) => Number(row[`r${index}`]));
  expect(counts.reduce((sum, count) => sum + count, 0)).toBe(Number(row.total));
  return counts;
}

/** Runs `work` with a client of each database. */
export function withClients<T>(
  source: TestDatabase,
  target: TestDatabase,
  work: (source: pg.Client, target: pg.Client) => Promise<T>,
): Promise<T> {
  return source.withClient((sourceClient) =>
    target.withClient((targetClient) => work(sourceClient, targetClient)),
  );
}

/** Copies one range inside a target transaction that commits, or rolls back and rethrows. */
export async function copyRange(
  source: pg.ClientBase,
  target: pg.ClientBase,
  node: MigrationNode,
  sourceTable: CatalogTable,
  range: KeyRange,
): Promise<{ rows: number; bytes: number }> {
  await target.query('BEGIN');
  try {
    const result = await copyBatch({
      source,
      target,
      selectSql: batchSelectSql(scope(node, sourceTable), range),
      targetTable: node.to,
      targetColumns: targetColumnList(node),
    });
    await target.query('COMMIT');
    return result;
  } catch (error) {
    await target.query('ROLLBACK');
    throw error;
  }
}

/** Plans `node`'s ranges and copies them one by one; returns the rows copied and the number of batches. */
export async function copyMigration(
  source: pg.ClientBase,
  target: pg.ClientBase,
  node: MigrationNode,
  sourceTable: CatalogTable,
  batchSize: number,
): Promise<{ rows: number; batches: number }> {
  const ranges = await planKeyRanges(source, {
    table: node.from,
    key: batchKeyColumns(node, sourceTable),
    batchSize,
    ...(node.where === undefined ? {} : { where: node.where }),
  });
  let rows = 0;
  for (const range of ranges) rows += (await copyRange(source, target, node, sourceTable, range)).rows;
  return { rows, batches: ranges.length };
}

export const legacy = (name: string): QualifiedName => ({ schema: 'legacy', name });
export const app = (name: string): QualifiedName => ({ schema: 'app', name });

/** The reference workload's migrations as their specs declare them, with every column written out. */
export const REFERENCE = {
  brackets: migration(legacy('dispatch_bracket'), app('brackets'), {
    id: 'id',
    name: 'bracket_name',
    min_weight: 'min_weight',
    max_weight: 'max_weight',
    created_at: 'created_at',
  }),
  caseFiles: migration(legacy('dispatch_casefile'), app('case_files'), {
    id: 'id',
    case_number: 'case_number',
    bracket_id: 'bracket_id',
    status: 'status',
    opened_on: 'opened_on',
    notes: 'notes',
    active: { expr: 'is_active <> 0' },
  }),
  orderColumns: {
    id: 'id',
    case_file_id: 'casefile_id',
    amount: { expr: 'amount_cents / 100.0' },
    currency: 'currency',
    placed_at: 'placed_at',
  } as const,
};
export const REFERENCE_ORDERS = migration(legacy('dispatch_order'), app('orders'), REFERENCE.orderColumns);

/** A migration's source as batch SQL reads it: the source table itself. */
export function scope(migration: MigrationNode, sourceTable: CatalogTable): SourceScope {
  return { migration, sourceTable, sourceRelation: quoteQualifiedName(migration.from) };
}
