// Incremental apply: after a completed apply, the rows the source gained beyond the loaded keys move
// on the next apply, and only they; a table that was empty at the first apply is loaded once it has
// rows. Checked by checksum against the source, with preserved keys (the reference workload) and
// generated ones (the shop example).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectTablesAgree, REFERENCE_CHECKS, SHOP_CHECKS } from '../support/checksums.js';
import { expectApplyFinished, runFerry } from '../support/cli.js';
import { buildWorkload, referenceWorkload, SHOP_FILES, type Workload } from '../support/workload.js';

async function batches(workload: Workload, migration: string): Promise<{ done: number; rows: number }[]> {
  return workload.target.query(
    `SELECT count(*)::int AS done, coalesce(sum(rows), 0)::int AS rows
       FROM _ferry.migration_batches WHERE migration = $1 AND status = 'done'`,
    [migration],
  );
}

describe('ferry apply after a completed apply (reference workload, preserved keys)', () => {
  let workload: Workload;
  const ferry = (args: string[]) => runFerry(args, { cwd: workload.projectDir, env: workload.env });

  beforeAll(async () => {
    workload = await referenceWorkload('incremental', '0.001');
    // The junction table is empty at the first apply; its rows come back before the second.
    await workload.source.query(
      'CREATE TABLE legacy.saved_tags AS SELECT * FROM legacy.dispatch_casefile_tags; DELETE FROM legacy.dispatch_casefile_tags',
    );
    expect((await ferry(['plan'])).exitCode).toBe(0);
    expectApplyFinished(await ferry(['apply']), 5);
  });

  afterAll(async () => {
    await workload?.drop();
  });

  it('moves only the rows added since, and an empty table once it has rows', async () => {
    const before = await batches(workload, 'orders');
    await workload.source.query(`
      INSERT INTO legacy.dispatch_casefile
        SELECT g, 'CF-NEW-' || g, 1, 'open', date '2024-01-01', NULL, 1 FROM generate_series(5001, 5040) g;
      INSERT INTO legacy.dispatch_order
        SELECT 900000 + g, CASE WHEN g % 2 = 0 THEN 5001 + g % 40 ELSE 1 + g END, g * 7, 'EUR',
               timestamp '2024-02-01' + g * interval '1 minute'
        FROM generate_series(1, 75) g;
      INSERT INTO legacy.dispatch_casefile_tags SELECT * FROM legacy.saved_tags;
      INSERT INTO legacy.dispatch_casefile_tags SELECT g, 1 FROM generate_series(5001, 5040) g;`);
    const second = await ferry(['apply']);
    expectApplyFinished(second, 5);
    await expectTablesAgree(workload, REFERENCE_CHECKS);
    const after = await batches(workload, 'orders');
    expect(after[0]?.done).toBeGreaterThan(before[0]?.done ?? 0);
    expect((after[0]?.rows ?? 0) - (before[0]?.rows ?? 0)).toBe(75);
    const [control] = await workload.target.query<{ rows_loaded: number }>(
      `SELECT rows_loaded::int FROM _ferry.migration_control WHERE migration = 'orders'`,
    );
    expect(control?.rows_loaded).toBe(after[0]?.rows);
    expect((await ferry(['verify'])).exitCode).toBe(0);

    // Nothing new: a third apply commits no batch.
    const third = await ferry(['apply']);
    expect(third.exitCode).toBe(0);
    expect(third.stdout).not.toContain('committed');
    await expectTablesAgree(workload, REFERENCE_CHECKS);
  });
});

describe('ferry apply after a completed apply (shop example, generated keys)', () => {
  let workload: Workload;
  const ferry = (args: string[]) => runFerry(args, { cwd: workload.projectDir, env: workload.env });

  beforeAll(async () => {
    workload = await buildWorkload('incremental_shop', SHOP_FILES);
    expect((await ferry(['plan'])).exitCode).toBe(0);
    expectApplyFinished(await ferry(['apply']), 6);
  });

  afterAll(async () => {
    await workload?.drop();
  });

  it('gives new rows new keys and translates their refs to old and new parents', async () => {
    await workload.source.query(`
      INSERT INTO legacy_shop.customers VALUES
        (90001, 'New One', ' One@Example.com ', 'de', date '2024-03-01'),
        (90002, 'New Two', 'two@example.com', NULL, date '2024-03-02');
      INSERT INTO legacy_shop.orders
        SELECT 90000 + g, 'NEW-' || g, CASE WHEN g % 3 = 0 THEN 90001 WHEN g % 3 = 1 THEN 90002
          ELSE (SELECT min(cust_id) FROM legacy_shop.customers) END,
          timestamp '2024-03-03 10:00' + g * interval '1 hour', 'N'
        FROM generate_series(1, 12) g;`);
    expectApplyFinished(await ferry(['apply']), 6);
    await expectTablesAgree(workload, SHOP_CHECKS);
    expect((await ferry(['verify'])).exitCode).toBe(0);
    const mapped = await workload.target.query<{ migration: string; n: number }>(
      `SELECT migration, count(*)::int AS n FROM _ferry.migration_mappings
        WHERE migration IN ('customers', 'orders') GROUP BY migration ORDER BY migration`,
    );
    const sourceCounts = await workload.source.query<{ customers: number; orders: number }>(
      `SELECT (SELECT count(*)::int FROM legacy_shop.customers) AS customers,
              (SELECT count(*)::int FROM legacy_shop.orders) AS orders`,
    );
    expect(mapped).toEqual([
      { migration: 'customers', n: sourceCounts[0]?.customers },
      { migration: 'orders', n: sourceCounts[0]?.orders },
    ]);
  });
});
