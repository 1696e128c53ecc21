// Refs whose parent row was not migrated (orphans), per onOrphan: `fail` pauses naming the rows,
// `skip` leaves exactly them out, `null` writes NULL for exactly them. On the shop example, whose
// customers and orders get new keys, refs must come out translated through the key mappings; on an
// inline project, a ref to a parent that kept its keys is checked on the staged path when the target
// has no foreign key to do it.

import { appendFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectRowsAgree } from '../support/checksums.js';
import { expectApplyFinished, runFerry } from '../support/cli.js';
import { buildWorkload, inlineWorkload, SHOP_FILES, type Workload } from '../support/workload.js';

let workload: Workload;

afterEach(async () => {
  await workload?.drop();
});

const ferry = (args: string[]) => runFerry(args, { cwd: workload.projectDir, env: workload.env });

const appendSpec = (file: string, yaml: string) => appendFile(join(workload.projectDir, 'specs', file), yaml);

interface PausedReason {
  batch: number;
  sqlstate: string;
  constraint?: string;
  offending: { key: string[]; sqlstate: string; message: string; constraint?: string; detail?: string }[];
}

async function phases(): Promise<Record<string, string>> {
  const rows = await workload.target.query<{ migration: string; phase: string }>(
    'SELECT migration, phase FROM _ferry.migration_control ORDER BY migration',
  );
  return Object.fromEntries(rows.map((row) => [row.migration, row.phase]));
}

async function pausedReason(migration: string): Promise<PausedReason> {
  const [row] = await workload.target.query<{ reason: PausedReason }>(
    'SELECT paused_reason AS reason FROM _ferry.migration_control WHERE migration = $1',
    [migration],
  );
  return (row as { reason: PausedReason }).reason;
}

/** Per migration, per batch: rows loaded and rows skipped. */
async function batchOutcomes(migration: string): Promise<[number, number][]> {
  const rows = await workload.target.query<{ rows: number; skipped: number }>(
    `SELECT rows::int, skipped::int FROM _ferry.migration_batches WHERE migration = $1 AND status = 'done' ORDER BY batch_no`,
    [migration],
  );
  return rows.map((row) => [row.rows, row.skipped]);
}

async function mappingCounts(): Promise<Record<string, number>> {
  const rows = await workload.target.query<{ migration: string; n: number }>(
    'SELECT migration, count(*)::int AS n FROM _ferry.migration_mappings GROUP BY migration ORDER BY migration',
  );
  return Object.fromEntries(rows.map((row) => [row.migration, row.n]));
}

describe('onOrphan on the shop example (keys: generate)', () => {
  /** Customers 3, 13 and 23 stay behind; their orders are the orphans. */
  const KEPT_CUSTOMER = 'c.cust_id % 10 <> 3';
  /** Orders 1 + (g·7) mod 30 ∈ {3, 13, 23} ⟺ g ≡ 6 (mod 10): 6, 16, …, 116, five or two per batch of 50. */
  const ORPHANED_ORDERS = [6, 16, 26, 36, 46, 56, 66, 76, 86, 96, 106, 116];
  const orderNumber = (id: number) => `SO-${String(10400 + id).padStart(6, '0')}`;

  async function buildShop(label: string, filterCustomers = true): Promise<void> {
    workload = await buildWorkload(label, SHOP_FILES);
    if (filterCustomers) await appendSpec('customers.yaml', 'where: "cust_id % 10 <> 3"\n');
    await appendSpec('orders.yaml', 'batch: { size: 50 }\n');
    // New keys differ from the old ones, so a ref written untranslated cannot pass for translated.
    await workload.target.query(`
      ALTER TABLE shop.customers ALTER COLUMN id RESTART WITH 1000;
      ALTER TABLE shop.orders ALTER COLUMN id RESTART WITH 5000;
    `);
  }

  /**
   * Every migrated customer, order and order line, each ref compared through the rows' own values:
   * `kept` says (in SQL over legacy_shop.customers c) which customers the target holds, and with
   * orders 'kept' only their orders were migrated.
   */
  async function expectRefsTranslated(
    kept: string,
    orders: 'all' | 'kept',
    firstOrderId = 5000,
  ): Promise<void> {
    const ordersWhere =
      orders === 'all'
        ? ''
        : `WHERE EXISTS (SELECT FROM legacy_shop.customers c WHERE c.cust_id = o.cust_id AND ${kept})`;
    const [ids] = await workload.target.query<{ customers: number; orders: number }>(
      'SELECT (SELECT min(id) FROM shop.customers)::int AS customers, (SELECT min(id) FROM shop.orders)::int AS orders',
    );
    expect(ids).toEqual({ customers: 1000, orders: firstOrderId });
    await expectRowsAgree(
      workload,
      'customers',
      `SELECT cust_name, lower(trim(email)), created_on FROM legacy_shop.customers c WHERE ${kept}`,
      'SELECT name, email, signed_up_on FROM shop.customers',
    );
    await expectRowsAgree(
      workload,
      'customer mappings',
      `SELECT cust_id::text, lower(trim(email)) FROM legacy_shop.customers c WHERE ${kept}`,
      `SELECT m.source_key->>0, c.email FROM _ferry.migration_mappings m
       JOIN shop.customers c ON c.id = (m.target_key->>0)::bigint WHERE m.migration = 'customers'`,
    );
    await expectRowsAgree(
      workload,
      "orders' customers",
      `SELECT o.order_no, lower(trim(c.email)) FROM legacy_shop.orders o
       LEFT JOIN legacy_shop.customers c ON c.cust_id = o.cust_id AND ${kept} ${ordersWhere}`,
      'SELECT o.order_number, c.email FROM shop.orders o LEFT JOIN shop.customers c ON c.id = o.customer_id',
    );
    await expectRowsAgree(
      workload,
      'order mappings',
      `SELECT o.order_id::text, o.order_no FROM legacy_shop.orders o ${ordersWhere}`,
      `SELECT m.source_key->>0, o.order_number FROM _ferry.migration_mappings m
       JOIN shop.orders o ON o.id = (m.target_key->>0)::bigint WHERE m.migration = 'orders'`,
    );
    await expectRowsAgree(
      workload,
      "order lines' orders",
      `SELECT o.order_no, l.line_no, l.prod_id, l.qty FROM legacy_shop.order_lines l
       JOIN legacy_shop.orders o ON o.order_id = l.order_id WHERE l.qty > 0 ${ordersWhere.replace('WHERE', 'AND')}`,
      `SELECT o.order_number, l.line_number, l.product_id, l.quantity FROM shop.order_lines l
       JOIN shop.orders o ON o.id = l.order_id`,
    );
  }

  it('fail pauses naming the orphaned orders, and resumes once their customers exist', async () => {
    await buildShop('orphans_fail');
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const paused = await ferry(['apply']);
    expect(paused.exitCode).toBe(3);
    expect(paused.stdout).toContain('3 of 6 migrations done');
    expect(await phases()).toEqual({
      categories: 'done',
      customers: 'done',
      orders: 'paused',
      products: 'done',
    });
    const reason = await pausedReason('orders');
    const constraint = 'ref customer_id → customers';
    expect({ batch: reason.batch, sqlstate: reason.sqlstate, constraint: reason.constraint }).toEqual({
      batch: 1,
      sqlstate: '23503',
      constraint,
    });
    expect(reason.offending.map((row) => [row.key, row.sqlstate, row.constraint])).toEqual(
      [6, 16, 26, 36, 46].map((id) => [[String(id)], '23503', constraint]),
    );
    // Order 6 belongs to customer 1 + 42 mod 30 = 13.
    expect(reason.offending[0]?.detail).toBe(
      'Key (customer_id)=(13) is not among the migrated rows of customers.',
    );
    expect(await workload.target.query('SELECT count(*)::int AS n FROM shop.orders')).toEqual([{ n: 0 }]);
    expect(await mappingCounts()).toEqual({ customers: 27 });

    // Give the orphaned orders customers that were migrated.
    await workload.source.query('UPDATE legacy_shop.orders SET cust_id = cust_id + 1 WHERE cust_id % 10 = 3');
    const resumed = await ferry(['apply']);
    expectApplyFinished(resumed, 6);
    expect(Object.values(await phases())).toEqual(Array(6).fill('done'));
    // The paused batch drew keys 5000–5049 before it rolled back; sequences do not roll back.
    await expectRefsTranslated(KEPT_CUSTOMER, 'all', 5050);
    expect(await mappingCounts()).toEqual({ customers: 27, orders: 120 });
    await expectRowsAgree(
      workload,
      'payments',
      'SELECT pay_id, order_no, (amt_cents / 100.0)::numeric(10,2) FROM legacy_shop.payments',
      'SELECT id, order_number, amount FROM shop.payments',
    );
  });

  it('skip leaves out exactly the orphaned rows and counts them', async () => {
    await buildShop('orphans_skip');
    await appendSpec('orders.yaml', 'onOrphan: skip\n');
    // The lines of skipped orders are orphans in turn.
    await appendSpec('order_lines.yaml', 'onOrphan: skip\n');
    // Payments name orders by number under a foreign key; those of skipped orders would pause.
    await rm(join(workload.projectDir, 'specs', 'payments.yaml'));
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const first = await ferry(['apply']);
    expectApplyFinished(first, 5);
    expect(await batchOutcomes('orders')).toEqual([
      [45, 5],
      [45, 5],
      [18, 2],
    ]);
    const [lines] = await workload.source.query<{ kept: number; orphaned: number }>(
      `SELECT count(*) FILTER (WHERE o.cust_id % 10 <> 3)::int AS kept, count(*) FILTER (WHERE o.cust_id % 10 = 3)::int AS orphaned
       FROM legacy_shop.order_lines l JOIN legacy_shop.orders o USING (order_id) WHERE l.qty > 0`,
    );
    expect(lines).toEqual({ kept: 222, orphaned: 18 });
    expect(await batchOutcomes('order_lines')).toEqual([[222, 18]]);
    const missing = await workload.source.query<{ order_no: string }>(
      `SELECT order_no FROM legacy_shop.orders o
       WHERE NOT EXISTS (SELECT FROM legacy_shop.customers c WHERE c.cust_id = o.cust_id AND ${KEPT_CUSTOMER})
       ORDER BY order_id`,
    );
    expect(missing.map((row) => row.order_no)).toEqual(ORPHANED_ORDERS.map(orderNumber));
    await expectRefsTranslated(KEPT_CUSTOMER, 'kept');
    expect(await mappingCounts()).toEqual({ customers: 27, orders: 108 });

    const second = await ferry(['apply']);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).not.toContain('committed');
    expect(await batchOutcomes('orders')).toEqual([
      [45, 5],
      [45, 5],
      [18, 2],
    ]);
    await expectRefsTranslated(KEPT_CUSTOMER, 'kept');
  });

  it('null writes NULL for exactly the orphaned rows', async () => {
    await buildShop('orphans_null');
    await workload.target.query('ALTER TABLE shop.orders ALTER COLUMN customer_id DROP NOT NULL');
    // Quoted: a bare null is YAML's null, not the word.
    await appendSpec('orders.yaml', 'onOrphan: "null"\n');
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const first = await ferry(['apply']);
    expectApplyFinished(first, 6);
    const nulls = await workload.target.query<{ order_number: string }>(
      'SELECT order_number FROM shop.orders WHERE customer_id IS NULL ORDER BY order_number',
    );
    expect(nulls.map((row) => row.order_number)).toEqual(ORPHANED_ORDERS.map(orderNumber));
    expect(await batchOutcomes('orders')).toEqual([
      [50, 0],
      [50, 0],
      [20, 0],
    ]);
    await expectRefsTranslated(KEPT_CUSTOMER, 'all');
    expect(await mappingCounts()).toEqual({ customers: 27, orders: 120 });
  });

  it('a customer rejected by a violation leaves its orders orphaned, and skip leaves them out', async () => {
    await buildShop('orphans_rejected', false);
    await appendSpec('customers.yaml', 'batch: { size: 10 }\nonError: reject\n');
    await appendSpec('orders.yaml', 'onOrphan: skip\n');
    await appendSpec('order_lines.yaml', 'onOrphan: skip\n');
    await rm(join(workload.projectDir, 'specs', 'payments.yaml'));
    // Customer 17's address, normalized, is customer 4's: the second in key order is refused.
    await workload.source.query(
      'UPDATE legacy_shop.customers SET email = upper(c4.email) FROM legacy_shop.customers c4 WHERE c4.cust_id = 4 AND customers.cust_id = 17',
    );
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const first = await ferry(['apply']);
    expectApplyFinished(first, 5);
    expect(
      await workload.target.query(
        'SELECT migration, batch_no, source_key, sqlstate, constraint_name, row FROM _ferry.migration_rejects',
      ),
    ).toEqual([
      {
        migration: 'customers',
        batch_no: 2,
        source_key: ['17'],
        sqlstate: '23505',
        constraint_name: 'customers_email_key',
        row: {
          name: 'Hugo Yilmaz',
          email: 'elif.nowak@post.example',
          country: 'PL',
          signed_up_on: '2020-04-26',
        },
      },
    ]);
    expect(
      await workload.target.query(
        `SELECT sum(rows)::int AS rows, sum(rejected)::int AS rejected FROM _ferry.migration_batches WHERE migration = 'customers'`,
      ),
    ).toEqual([{ rows: 29, rejected: 1 }]);
    // Customer 17's orders: 1 + (7·g) mod 30 = 17 ⟺ g ≡ 28 (mod 30).
    expect(await batchOutcomes('orders')).toEqual([
      [49, 1],
      [48, 2],
      [19, 1],
    ]);
    const kept = 'c.cust_id <> 17';
    await expectRefsTranslated(kept, 'kept');
    expect(await mappingCounts()).toEqual({ customers: 29, orders: 116 });
  });
});

describe('onOrphan fail on a parent that kept its keys, without a foreign key on the target', () => {
  const SOURCE_SQL = `
CREATE SCHEMA legacy;
CREATE TABLE legacy.parents (id int PRIMARY KEY, name text NOT NULL, active boolean NOT NULL);
INSERT INTO legacy.parents SELECT g, 'parent ' || g, g NOT IN (62, 75, 88, 240) FROM generate_series(1, 300) g;
CREATE TABLE legacy.children (id int PRIMARY KEY, parent_id int, label text);
INSERT INTO legacy.children
SELECT g, g, CASE WHEN g IN (70, 120) THEN NULL ELSE 'child ' || g END FROM generate_series(1, 300) g;
`;
  // No foreign key: only ferry can tell that a parent row is missing.
  const TARGET_SQL = `
CREATE SCHEMA app;
CREATE TABLE app.parents (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE app.children (id int PRIMARY KEY, parent_id int, label text NOT NULL);
`;
  const specs = (onError: 'pause' | 'reject') => ({
    'ferry.yaml': `version: 1\nsource: { url: "\${env:FERRY_SOURCE_URL}" }\ntarget: { url: "\${env:FERRY_TARGET_URL}" }\n`,
    'parents.yaml': `migration: parents\nfrom: legacy.parents\nto: app.parents\ncolumns:\n  id: id\n  name: name\nwhere: "active"\n`,
    'children.yaml': `migration: children\nfrom: legacy.children\nto: app.children\ncolumns:\n  id: id\n  parent_id: { ref: parents }\n  label: label\nbatch: { size: 50 }\nonOrphan: fail\nonError: ${onError}\n`,
  });
  const CONSTRAINT = 'ref parent_id → parents';
  const CHILDREN = [
    'SELECT id, parent_id, label FROM legacy.children',
    'SELECT id, parent_id, label FROM app.children',
  ] as const;

  it('pauses naming the orphans, then the next violation, and resumes once both are fixed', async () => {
    workload = await inlineWorkload({
      label: 'orphans_kept',
      sourceSql: SOURCE_SQL,
      targetSql: TARGET_SQL,
      specs: specs('pause'),
    });
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const first = await ferry(['apply']);
    expect(first.exitCode).toBe(3);
    let reason = await pausedReason('children');
    expect([reason.batch, reason.sqlstate, reason.constraint]).toEqual([2, '23503', CONSTRAINT]);
    expect(reason.offending.map((row) => [row.key, row.sqlstate, row.constraint, row.detail])).toEqual(
      [62, 75, 88].map((id) => [
        [String(id)],
        '23503',
        CONSTRAINT,
        `Key (parent_id)=(${id}) is not among the migrated rows of parents.`,
      ]),
    );
    expect(await workload.target.query('SELECT count(*)::int AS n FROM app.children')).toEqual([{ n: 50 }]);

    // With the orphans fixed, the same batch meets its NOT NULL violation, found by bisecting.
    await workload.source.query('UPDATE legacy.children SET parent_id = 1 WHERE id IN (62, 75, 88, 240)');
    expect((await ferry(['apply'])).exitCode).toBe(3);
    reason = await pausedReason('children');
    expect(reason.batch).toBe(2);
    expect(reason.offending.map((row) => [row.key, row.sqlstate, row.constraint ?? null])).toEqual([
      [['70'], '23502', null],
    ]);

    await workload.source.query(`UPDATE legacy.children SET label = 'fixed' WHERE id IN (70, 120)`);
    const resumed = await ferry(['apply']);
    expect(resumed.stderr).toBe('');
    expect(resumed.exitCode).toBe(0);
    expect(await phases()).toEqual({ children: 'done', parents: 'done' });
    await expectRowsAgree(workload, 'children', ...CHILDREN);
  });

  it('with onError: reject sets the orphans and the other bad rows aside', async () => {
    workload = await inlineWorkload({
      label: 'orphans_kept_reject',
      sourceSql: SOURCE_SQL,
      targetSql: TARGET_SQL,
      specs: specs('reject'),
    });
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const first = await ferry(['apply']);
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    const rejects = () =>
      workload.target.query(
        `SELECT batch_no, source_key, sqlstate, constraint_name, row FROM _ferry.migration_rejects
         ORDER BY batch_no, (source_key->>0)::int`,
      );
    const orphan = (id: number, batch: number) => ({
      batch_no: batch,
      source_key: [String(id)],
      sqlstate: '23503',
      constraint_name: CONSTRAINT,
      row: { id, parent_id: id, label: `child ${id}` },
    });
    const expected = [
      orphan(62, 2),
      {
        batch_no: 2,
        source_key: ['70'],
        sqlstate: '23502',
        constraint_name: null,
        row: { id: 70, parent_id: 70, label: null },
      },
      orphan(75, 2),
      orphan(88, 2),
      {
        batch_no: 3,
        source_key: ['120'],
        sqlstate: '23502',
        constraint_name: null,
        row: { id: 120, parent_id: 120, label: null },
      },
      orphan(240, 5),
    ];
    expect(await rejects()).toEqual(expected);
    const outcomes = () =>
      workload.target.query(
        `SELECT batch_no, rows::int, skipped::int, rejected::int FROM _ferry.migration_batches
         WHERE migration = 'children' ORDER BY batch_no`,
      );
    const counted = [
      { batch_no: 1, rows: 50, skipped: 0, rejected: 0 },
      { batch_no: 2, rows: 46, skipped: 0, rejected: 4 },
      { batch_no: 3, rows: 49, skipped: 0, rejected: 1 },
      { batch_no: 4, rows: 50, skipped: 0, rejected: 0 },
      { batch_no: 5, rows: 49, skipped: 0, rejected: 1 },
      { batch_no: 6, rows: 50, skipped: 0, rejected: 0 },
    ];
    expect(await outcomes()).toEqual(counted);
    const kept = `${CHILDREN[0]} WHERE id NOT IN (62, 70, 75, 88, 120, 240)`;
    await expectRowsAgree(workload, 'children', kept, CHILDREN[1]);

    const second = await ferry(['apply']);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).not.toContain('committed');
    expect(await rejects()).toEqual(expected);
    expect(await outcomes()).toEqual(counted);
  });
});
