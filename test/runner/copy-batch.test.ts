// Batches streamed from a real source into a real target: the reference workload's parents and orders
// compared by checksum, failures on either side that leave no partial batch and both clients usable,
// and identifiers that would break unquoted SQL.

import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogTable } from '../../src/catalog/types.js';
import type { MigrationNode } from '../../src/compiler/plan.js';
import { batchKeyColumns, batchSelectSql, targetColumnList } from '../../src/runner/batch-sql.js';
import { copyBatch } from '../../src/runner/copy-batch.js';
import { planKeyRanges } from '../../src/runner/key-ranges.js';
import type { QualifiedName } from '../../src/spec/types.js';
import { referenceWorkload, type Workload } from '../support/workload.js';
import {
  app,
  catalogTable,
  copyMigration,
  copyRange,
  migration,
  REFERENCE,
  REFERENCE_ORDERS,
  scope,
  withClients,
} from './fixtures.js';

const { brackets, caseFiles, orderColumns } = REFERENCE;
const orders = REFERENCE_ORDERS;

let workload: Workload;
let sourceOrders: CatalogTable;

beforeAll(async () => {
  workload = await referenceWorkload('runner_copy');
  sourceOrders = await catalogTable(workload.source, orders.from);
  const sourceBrackets = await catalogTable(workload.source, brackets.from);
  const sourceCaseFiles = await catalogTable(workload.source, caseFiles.from);
  await withClients(workload.source, workload.target, async (source, target) => {
    await copyMigration(source, target, brackets, sourceBrackets, 500);
    await copyMigration(source, target, caseFiles, sourceCaseFiles, 300);
  });
  await workload.target.query(
    `CREATE TABLE app.orders_again (LIKE app.orders INCLUDING ALL,
       CONSTRAINT orders_again_case_file_fkey FOREIGN KEY (case_file_id) REFERENCES app.case_files (id))`,
  );
});

afterAll(async () => {
  await workload?.drop();
});

/** md5 of the mapped order rows in id order, computed by the server. */
const SOURCE_CHECKSUM = `SELECT count(*) AS rows, md5(string_agg(concat_ws('|', id, casefile_id,
    (amount_cents / 100.0)::numeric(12,2), currency, placed_at::timestamptz), E'\\n' ORDER BY id)) AS sum
  FROM legacy.dispatch_order`;
const TARGET_CHECKSUM = `SELECT count(*) AS rows, md5(string_agg(concat_ws('|', id, case_file_id, amount,
    currency, placed_at), E'\\n' ORDER BY id)) AS sum
  FROM app.orders`;

/** The `pg` error a failed batch rejected with, for its fields. */
async function failure(work: Promise<unknown>): Promise<pg.DatabaseError> {
  const error = await work.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof Error)) throw new Error('the batch did not fail');
  return error as pg.DatabaseError;
}

/** Copies the orders range (1000, 2000] into app.orders_again with `node`'s mapping; rolls back on failure. */
async function copyIntoOrdersAgain(
  node: MigrationNode,
): Promise<{ error: pg.DatabaseError; after: unknown }> {
  return withClients(workload.source, workload.target, async (source, target) => {
    const error = await failure(
      copyRange(source, target, { ...node, to: app('orders_again') }, sourceOrders, {
        low: ['1000'],
        high: ['2000'],
      }),
    );
    // Both connections answer again: nothing is left half-way in a COPY.
    const [sourceAlive, targetAlive] = await Promise.all([
      source.query('SELECT 1 AS one'),
      target.query('SELECT count(*)::int AS rows FROM app.orders_again WHERE amount >= 0'),
    ]);
    expect(sourceAlive.rows).toEqual([{ one: 1 }]);
    return { error, after: targetAlive.rows[0] };
  });
}

describe('copyBatch', () => {
  it('copies the reference orders range by range with the same checksum as the source', async () => {
    const { rows, batches } = await withClients(workload.source, workload.target, (source, target) =>
      copyMigration(source, target, orders, sourceOrders, 250),
    );
    expect(batches).toBe(8);
    expect(rows).toBe(2000);
    const [expected] = await workload.source.query(SOURCE_CHECKSUM);
    const [actual] = await workload.target.query(TARGET_CHECKSUM);
    expect(actual).toEqual(expected);
    expect(actual?.rows).toBe('2000');
  });

  it('counts the bytes of COPY text it moved', async () => {
    await workload.target.query('TRUNCATE app.orders_again');
    const result = await withClients(workload.source, workload.target, async (source, target) => {
      await target.query('BEGIN');
      try {
        return await copyBatch({
          source,
          target,
          selectSql: batchSelectSql(scope(orders, sourceOrders), { low: null, high: ['10'] }),
          targetTable: app('orders_again'),
          targetColumns: targetColumnList(orders),
        });
      } finally {
        await target.query('ROLLBACK');
      }
    });
    const [text] = await workload.source.query<{ bytes: number }>(
      `SELECT sum(octet_length(concat_ws(E'\\t', id, casefile_id, amount_cents / 100.0, currency, placed_at)) + 1)::int
         AS bytes FROM legacy.dispatch_order WHERE id <= 10`,
    );
    expect(result).toEqual({ rows: 10, bytes: text?.bytes });
  });

  it('rejects a duplicate key with the constraint, and the rolled-back batch leaves no row', async () => {
    await workload.target.query(
      `TRUNCATE app.orders_again;
       INSERT INTO app.orders_again VALUES (1500, 1, -1, 'USD', now())`,
    );
    const { error, after } = await copyIntoOrdersAgain(orders);
    expect(error.code).toBe('23505');
    expect(error.constraint).toBe('orders_again_pkey');
    expect(error.detail).toBe('Key (id)=(1500) already exists.');
    expect(after).toEqual({ rows: 0 });
  });

  it('rejects a row without its parent with the foreign key, and leaves no row', async () => {
    await workload.target.query('TRUNCATE app.orders_again');
    const orphaning = migration(orders.from, orders.to, {
      ...orderColumns,
      case_file_id: { expr: 'CASE WHEN id = 1777 THEN -1 ELSE casefile_id END' },
    });
    const { error, after } = await copyIntoOrdersAgain(orphaning);
    expect(error.code).toBe('23503');
    expect(error.constraint).toBe('orders_again_case_file_fkey');
    expect(error.detail).toContain('(case_file_id)=(-1)');
    expect(after).toEqual({ rows: 0 });
  });

  it('rejects a failing source expression with its error, and the target takes no row', async () => {
    await workload.target.query('TRUNCATE app.orders_again');
    const dividing = migration(orders.from, orders.to, {
      ...orderColumns,
      amount: { expr: '100 / (id - 1500)' },
    });
    const { error, after } = await copyIntoOrdersAgain(dividing);
    expect(error.code).toBe('22012');
    expect(after).toEqual({ rows: 0 });
  });

  it('rejects a target table that does not exist, and the source client answers again', async () => {
    const error = await withClients(workload.source, workload.target, async (source, target) => {
      const rejected = await failure(
        copyBatch({
          source,
          target,
          selectSql: batchSelectSql(scope(orders, sourceOrders), { low: null, high: null }),
          targetTable: app('no_such_table'),
          targetColumns: targetColumnList(orders),
        }),
      );
      expect((await source.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      return rejected;
    });
    expect(error.code).toBe('42P01');
  });

  it('quotes hostile table and column names exactly', async () => {
    const weird: QualifiedName = { schema: 'public', name: 'We;ird "Table"' };
    const ddl = `CREATE TABLE public."We;ird ""Table""" ("Select" integer PRIMARY KEY, "x y" text, "ünï" text)`;
    await workload.source.query(
      `${ddl};
       INSERT INTO public."We;ird ""Table""" VALUES
         (1, E'tab\\there', E'back\\\\slash'), (2, E'new\\nline', 'it''s'), (3, E'\\\\N', NULL),
         (4, '', 'ünï 🙂'), (5, 'x";DROP TABLE x;--', E'carriage\\rreturn')`,
    );
    await workload.target.query(ddl.replace(')', ", omitted text NOT NULL DEFAULT 'kept')"));
    const node = migration(
      weird,
      weird,
      { Select: 'Select', 'x y': 'x y', ünï: 'ünï', omitted: { omit: true } },
      { batch: { size: 2 } },
    );
    const sourceTable = await catalogTable(workload.source, weird);
    expect(batchKeyColumns(node, sourceTable).map((column) => column.name)).toEqual(['Select']);
    const { rows, batches } = await withClients(workload.source, workload.target, (source, target) =>
      copyMigration(source, target, node, sourceTable, 2),
    );
    expect({ rows, batches }).toEqual({ rows: 5, batches: 3 });
    const read = 'SELECT "Select", "x y", "ünï" FROM public."We;ird ""Table""" ORDER BY "Select"';
    expect(await workload.target.query(read)).toEqual(await workload.source.query(read));
    expect(await workload.target.query('SELECT DISTINCT omitted FROM public."We;ird ""Table"""')).toEqual([
      { omitted: 'kept' },
    ]);
    expect(
      await workload.source.withClient((client) =>
        planKeyRanges(client, { table: weird, key: batchKeyColumns(node, sourceTable), batchSize: 2 }),
      ),
    ).toEqual([
      { low: null, high: ['2'] },
      { low: ['2'], high: ['4'] },
      { low: ['4'], high: null },
    ]);
  });
});
