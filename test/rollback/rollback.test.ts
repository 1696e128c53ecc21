// `ferry rollback` on the reference workload (kept keys) and the shop example (generated keys): it
// deletes exactly the rows ferry committed, children before parents, resets their state so that the
// next apply loads them afresh, refuses (changing nothing) while rows it would leave behind reference
// rows it would delete, and as a dry run shows what it would delete and leaves everything as it was.

import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doneIntervals } from '../../src/rollback/intervals.js';
import { runLockKey } from '../../src/state/index.js';
import { expectTablesAgree, REFERENCE_CHECKS, SHOP_CHECKS } from '../support/checksums.js';
import { expectApplyFinished, runFerry } from '../support/cli.js';
import type { TestDatabase } from '../support/database.js';
import { buildWorkload, referenceWorkload, SHOP_FILES, type Workload } from '../support/workload.js';

interface RollbackJson {
  ok: boolean;
  dryRun: boolean;
  migrations: Array<{
    migration: string;
    table: string;
    rowsDeleted: number;
    batchesDone: number;
    inSpecs: boolean;
  }>;
  rowsDeleted: number;
  diagnostics?: Array<{ code: string; message: string }>;
}

const REFERENCE_TABLES = ['brackets', 'tags', 'case_files', 'orders', 'case_file_tags'];

/** Rows per table, and every `_ferry` table ferry's state lives in, as one comparable snapshot. */
async function snapshot(
  target: TestDatabase,
  schema: string,
  tables: readonly string[],
): Promise<Record<string, string>> {
  const state = ['migration_control', 'migration_batches', 'migration_log'].map((t) => `_ferry.${t}`);
  const keymaps = await target.query<{ name: string }>(
    `SELECT '_ferry.' || relname AS name FROM pg_class WHERE relnamespace = '_ferry'::regnamespace AND relname LIKE 'keymap\\_%' AND relkind = 'r'`,
  );
  const result: Record<string, string> = {};
  for (const table of [...tables.map((t) => `${schema}.${t}`), ...state, ...keymaps.map((k) => k.name)]) {
    const [row] = await target.query<{ rows: number; hash: string }>(
      `SELECT count(*)::int AS rows, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS hash FROM ${table} t`,
    );
    result[table] = `${row?.rows}:${row?.hash}`;
  }
  return result;
}

async function counts(
  target: TestDatabase,
  schema: string,
  tables: readonly string[],
): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await target.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.${table}`);
    result[table] = row?.n ?? -1;
  }
  return result;
}

async function controlRows(target: TestDatabase): Promise<string[]> {
  const rows = await target.query<{ migration: string }>(
    'SELECT migration FROM _ferry.migration_control ORDER BY 1',
  );
  return rows.map((r) => r.migration);
}

describe('done batches coalesce into intervals', () => {
  it('follows the bounds, not the batch numbers, and splits at batches not done', () => {
    const batch = (
      batchNo: number,
      low: string | null,
      high: string | null,
      status: 'done' | 'paused' = 'done',
    ) => ({
      batchNo,
      range: { low: low === null ? null : [low], high: high === null ? null : [high] },
      status,
    });
    // Batch 4 is the second half of a halved batch 2: numbered last, in the middle of the key space.
    expect(
      doneIntervals([batch(1, null, '10'), batch(2, '10', '15'), batch(3, '20', null), batch(4, '15', '20')]),
    ).toEqual([{ low: null, high: null }]);
    expect(
      doneIntervals([
        batch(1, null, '10'),
        batch(2, '10', '20', 'paused'),
        batch(3, '20', '30'),
        batch(4, '30', '40'),
      ]),
    ).toEqual([
      { low: null, high: ['10'] },
      { low: ['20'], high: ['40'] },
    ]);
  });
});

describe('ferry rollback, keys kept (reference workload)', () => {
  let workload: Workload;
  const ferry = (args: string[]) => runFerry(args, { cwd: workload.projectDir, env: workload.env });

  beforeAll(async () => {
    workload = await referenceWorkload('rollback', '0.001');
    // Orders in four batches, so that their rows come back from several coalesced ranges.
    const orders = join(workload.projectDir, 'specs', 'orders.yaml');
    await writeFile(orders, `${await readFile(orders, 'utf8')}batch: { size: 500 }\n`);
    expect((await ferry(['plan'])).exitCode).toBe(0);
    expectApplyFinished(await ferry(['apply']), 5);
  });

  afterAll(async () => {
    await workload?.drop();
  });

  it('refuses to take case files from under the orders and tags that still reference them, deleting nothing', async () => {
    const before = await snapshot(workload.target, 'app', REFERENCE_TABLES);
    const refused = await ferry(['rollback', '--select', 'case_files']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('error[rollback.referenced]: cannot roll back `case_files`');
    expect(refused.stderr).toContain('rows of "app"."case_file_tags" that this rollback leaves in place');
    expect(refused.stderr).toContain(
      'through foreign key "case_file_tags_case_file_id_fkey" (ON DELETE NO ACTION)',
    );
    expect(refused.stderr).toContain(
      '(ON DELETE NO ACTION):\n    (case_file_id, tag_id)=(1, 2) → (case_file_id)=(1)\n    (case_file_id, tag_id)=(1, 3) → (case_file_id)=(1)\n',
    );
    // The first 20 rows, and word that there are more.
    expect(refused.stderr).toContain('(case_file_id, tag_id)=(10, 21) → (case_file_id)=(10)\n    and more\n');
    expect(refused.stderr).toContain(
      'roll back `case_file_tags` in the same run: `ferry rollback --select case_files+`',
    );
    expect(await snapshot(workload.target, 'app', REFERENCE_TABLES)).toEqual(before);
  });

  it('names a row inserted by hand that references a row it would delete, and deletes nothing', async () => {
    await workload.target.query(
      `INSERT INTO app.orders (id, case_file_id, amount, currency, placed_at) VALUES (900001, 7, 1, 'EUR', now())`,
    );
    const before = await snapshot(workload.target, 'app', REFERENCE_TABLES);
    const refused = await ferry(['rollback', '--select', 'case_files+', '--json']);
    expect(refused.exitCode).toBe(1);
    const json = JSON.parse(refused.stdout) as RollbackJson;
    expect(json.diagnostics?.[0]?.code).toBe('rollback.referenced');
    expect(json.diagnostics?.[0]?.message).toContain(
      'rows of "app"."orders" that this rollback leaves in place reference rows of "app"."case_files" it would delete, through foreign key "orders_case_file_id_fkey" (ON DELETE NO ACTION):\n    (id)=(900001) → (case_file_id)=(7)',
    );
    expect(await snapshot(workload.target, 'app', REFERENCE_TABLES)).toEqual(before);
    await workload.target.query('DELETE FROM app.orders WHERE id = 900001');
  });

  it('as a dry run reports what it would delete and leaves the target and _ferry as they were', async () => {
    const before = await snapshot(workload.target, 'app', REFERENCE_TABLES);
    const dry = await ferry(['rollback', '--dry-run', '--json']);
    expect(dry.exitCode).toBe(0);
    const json = JSON.parse(dry.stdout) as RollbackJson;
    expect(json).toMatchObject({ ok: true, dryRun: true, rowsDeleted: 1569 + 500 + 1000 + 2000 + 1998 });
    // Children before parents.
    expect(json.migrations.map((m) => [m.migration, m.rowsDeleted, m.batchesDone])).toEqual([
      ['orders', 2000, 4],
      ['case_file_tags', 1998, 1],
      ['case_files', 1000, 1],
      ['tags', 500, 1],
      ['brackets', 1569, 1],
    ]);
    expect(await snapshot(workload.target, 'app', REFERENCE_TABLES)).toEqual(before);
  });

  it('refuses while an apply holds the run lock, or while a bulk load left constraints dropped', async () => {
    await workload.target.withClient(async (holder) => {
      await holder.query('SELECT pg_advisory_lock($1::int8)', [runLockKey('apply')]);
      const locked = await ferry(['rollback']);
      expect(locked.exitCode).toBe(1);
      expect(locked.stderr).toContain('error[state.locked]');
    });
    await workload.target.query(
      `INSERT INTO _ferry.deferred_ddl (run_id, table_schema, table_name, kind, object_name, restore_sql, restore_order)
       VALUES (gen_random_uuid(), 'app', 'orders', 'index', 'orders_placed_idx', ARRAY['CREATE INDEX orders_placed_idx ON app.orders (placed_at)'], 1)`,
    );
    const pending = await ferry(['rollback']);
    expect(pending.exitCode).toBe(1);
    expect(pending.stderr).toContain('error[rollback.bulk-pending]');
    expect(pending.stderr).toContain('app.orders');
    await workload.target.query('DELETE FROM _ferry.deferred_ddl');
    await expectTablesAgree(workload, REFERENCE_CHECKS);
  });

  it('takes back one migration alone, and after a paused apply exactly its committed batches', async () => {
    const rolledBack = await ferry(['rollback', '--select', 'orders']);
    expect(rolledBack.stderr).toBe('');
    expect(rolledBack.exitCode).toBe(0);
    expect(rolledBack.stdout).toMatch(
      /^migration +table +rows deleted +batches reset\norders +app\.orders +2,000 +4\n/,
    );
    expect(rolledBack.stdout).toContain('✓ rolled back 1 migration: 2,000 rows deleted');
    expect((await counts(workload.target, 'app', ['orders'])).orders).toBe(0);
    expect(await controlRows(workload.target)).toEqual(['brackets', 'case_file_tags', 'case_files', 'tags']);
    await expectTablesAgree(workload, REFERENCE_CHECKS, ['brackets', 'tags', 'case_files', 'case_file_tags']);
    const [logged] = await workload.target.query<{ event: string; rows: number }>(
      `SELECT event, (data->>'rowsDeleted')::int AS rows FROM _ferry.migration_log WHERE migration = 'orders' ORDER BY id DESC LIMIT 1`,
    );
    expect(logged).toEqual({ event: 'migration-rolled-back', rows: 2000 });

    await workload.target.query('ALTER TABLE app.orders ADD CONSTRAINT early_orders CHECK (id <= 1200)');
    expect((await ferry(['plan'])).exitCode).toBe(0);
    expect((await ferry(['apply', '--workers', '1'])).exitCode).toBe(3);
    // Batches (…, 500] and (500, 1000] are done, (1000, 1500] paused: a row in that range is not ferry's.
    expect((await counts(workload.target, 'app', ['orders'])).orders).toBe(1000);
    await workload.target.query(
      `INSERT INTO app.orders (id, case_file_id, amount, currency, placed_at) VALUES (1100, 7, 1, 'EUR', now())`,
    );
    const partial = await ferry(['rollback', '--select', 'orders', '--json']);
    expect(partial.exitCode).toBe(0);
    const json = JSON.parse(partial.stdout) as RollbackJson;
    expect(json.migrations.map((m) => [m.migration, m.rowsDeleted, m.batchesDone])).toEqual([
      ['orders', 1000, 2],
    ]);
    expect(await workload.target.query('SELECT id::int FROM app.orders')).toEqual([{ id: 1100 }]);
    expect(await controlRows(workload.target)).toEqual(['brackets', 'case_file_tags', 'case_files', 'tags']);
    await workload.target.query(
      'DELETE FROM app.orders; ALTER TABLE app.orders DROP CONSTRAINT early_orders',
    );
  }, 120_000);

  it('takes back everything but rows it did not write, and a fresh apply agrees with the source', async () => {
    expect((await ferry(['plan'])).exitCode).toBe(0);
    // Brackets ferry did not write: below and above every key the source has.
    await workload.target.query(
      `INSERT INTO app.brackets (id, name, created_at) VALUES (-5, 'hand-made low', now()), (5000, 'hand-made high', now())`,
    );
    const rolledBack = await ferry(['rollback']);
    expect(rolledBack.exitCode).toBe(0);
    expect(rolledBack.stdout).toContain('✓ rolled back 4 migrations: 5,067 rows deleted');
    expect(await counts(workload.target, 'app', REFERENCE_TABLES)).toEqual({
      brackets: 2,
      tags: 0,
      case_files: 0,
      orders: 0,
      case_file_tags: 0,
    });
    expect(await controlRows(workload.target)).toEqual([]);
    expect(await workload.target.query('SELECT count(*)::int AS n FROM _ferry.migration_batches')).toEqual([
      { n: 0 },
    ]);
    // The index that served the lookups from the unindexed app.orders.case_file_id did not outlive it.
    expect(await workload.target.query(`SELECT indexname FROM pg_indexes WHERE schemaname = 'app'`)).toEqual(
      expect.not.arrayContaining([
        expect.objectContaining({ indexname: expect.stringMatching(/^ferry_rollback_/) }),
      ]),
    );
    await workload.target.query('DELETE FROM app.brackets');
    expectApplyFinished(await ferry(['apply']), 5);
    await expectTablesAgree(workload, REFERENCE_CHECKS);
  }, 120_000);
});

const SHOP_TABLES = ['categories', 'products', 'customers', 'orders', 'order_lines', 'payments'];

describe('ferry rollback, keys generated (shop example)', () => {
  let workload: Workload;
  const ferry = (args: string[]) => runFerry(args, { cwd: workload.projectDir, env: workload.env });
  const spec = (name: string) => join(workload.projectDir, 'specs', name);
  const removed = ['orders.yaml', 'order_lines.yaml', 'payments.yaml'];

  beforeAll(async () => {
    workload = await buildWorkload('rollback_shop', SHOP_FILES);
    expect((await ferry(['plan'])).exitCode).toBe(0);
    expectApplyFinished(await ferry(['apply']), 6);
  });

  afterAll(async () => {
    await workload?.drop();
  });

  it('finds rows through key mappings, also of a migration no longer in the specs', async () => {
    // order_lines keeps its keys, but its key's order_id is a generated key: found through orders' mapping.
    const lines = await ferry(['rollback', '--select', 'order_lines,payments', '--json']);
    expect(lines.exitCode).toBe(0);
    const [sourceLines] = await workload.source.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM legacy_shop.order_lines WHERE qty > 0',
    );
    const [sourcePayments] = await workload.source.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM legacy_shop.payments',
    );
    expect(
      (JSON.parse(lines.stdout) as RollbackJson).migrations.map((m) => [m.migration, m.rowsDeleted]),
    ).toEqual([
      ['payments', sourcePayments?.n],
      ['order_lines', sourceLines?.n],
    ]);

    for (const name of removed) await rename(spec(name), `${spec(name)}.off`);
    expect((await ferry(['plan'])).exitCode).toBe(0);
    // A migration that kept its keys and is gone from the specs: its rows cannot be told from others.
    await workload.target.query(
      `INSERT INTO _ferry.migration_control (migration, phase, target_table, key_columns) VALUES ('legacy_notes', 'done', '"shop"."categories"', '{cat_id}');
       INSERT INTO _ferry.migration_batches (migration, batch_no, status, rows) VALUES ('legacy_notes', 1, 'done', 3)`,
    );
    const before = await snapshot(workload.target, 'shop', SHOP_TABLES);
    const refused = await ferry(['rollback', '--select', 'orders,legacy_notes']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(
      'error[rollback.unsupported]: `legacy_notes` kept its source keys and it is no longer in the specs',
    );
    expect(await snapshot(workload.target, 'shop', SHOP_TABLES)).toEqual(before);
    await workload.target.query(`DELETE FROM _ferry.migration_control WHERE migration = 'legacy_notes'`);

    const orders = await ferry(['rollback', '--select', 'orders']);
    expect(orders.exitCode).toBe(0);
    expect(orders.stdout).toMatch(/\norders +shop\.orders +[\d,]+ +\d+ {2}\(no longer in the specs\)\n/);
    expect(await counts(workload.target, 'shop', ['orders', 'order_lines', 'payments'])).toEqual({
      orders: 0,
      order_lines: 0,
      payments: 0,
    });
    expect(await workload.target.query('SELECT count(*)::int AS n FROM _ferry.keymap_orders')).toEqual([
      { n: 0 },
    ]);

    for (const name of removed) await rename(`${spec(name)}.off`, spec(name));
    expect((await ferry(['plan'])).exitCode).toBe(0);
    expectApplyFinished(await ferry(['apply']), 6);
    await expectTablesAgree(workload, SHOP_CHECKS);
  }, 120_000);

  it('takes back every migration but a customer it did not write, and a fresh apply agrees', async () => {
    await workload.target.query(
      `INSERT INTO shop.customers (name, email, country, signed_up_on) VALUES ('Walk-in', 'walk-in@example.com', 'DE', '2024-01-01')`,
    );
    const rolledBack = await ferry(['rollback']);
    expect(rolledBack.exitCode).toBe(0);
    expect(rolledBack.stdout).toContain('✓ rolled back 6 migrations');
    expect(await counts(workload.target, 'shop', SHOP_TABLES)).toEqual({
      categories: 0,
      products: 0,
      customers: 1,
      orders: 0,
      order_lines: 0,
      payments: 0,
    });
    expect(await controlRows(workload.target)).toEqual([]);
    expect(
      await workload.target.query(
        'SELECT (SELECT count(*) FROM _ferry.keymap_customers)::int AS customers, (SELECT count(*) FROM _ferry.keymap_orders)::int AS orders',
      ),
    ).toEqual([{ customers: 0, orders: 0 }]);
    expectApplyFinished(await ferry(['apply']), 6);
    await expectTablesAgree(workload, SHOP_CHECKS);
  }, 120_000);
});
