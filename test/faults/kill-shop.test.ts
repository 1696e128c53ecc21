// SIGKILL, then resume, on the shop example: customers and orders get new keys (staged, mapped in
// `_ferry.keymap_*`), orders and order lines translate their refs through those mappings. A run that
// dies mid-batch must leave neither target rows nor mappings of that batch, and the resumed run must
// end with one mapping per source row, every ref pointing at the right parent.

import { describe, expect, it } from 'vitest';
import { buildWorkload, SHOP_FILES } from '../support/workload.js';
import {
  type Checks,
  committedLine,
  FaultProject,
  type KillPoint,
  type KillScene,
  killThenResume,
} from './fault-project.js';

/** Generated keys differ from the source's: rows are compared by source key through the mapping. */
const CHECKS: Checks = {
  categories: [`SELECT cat_id, cat_name FROM legacy_shop.categories`, `SELECT id, name FROM shop.categories`],
  products: [
    `SELECT prod_id, upper(sku), prod_name, cat_id, (list_price_cents / 100.0)::numeric(10,2), discontinued <> 'Y'
       FROM legacy_shop.products`,
    `SELECT id, sku, name, category_id, price, active FROM shop.products`,
  ],
  customers: [
    `SELECT cust_id, cust_name, lower(trim(email)), upper(country_cd), created_on FROM legacy_shop.customers`,
    `SELECT (m.source_key->>0)::int, c.name, c.email, c.country, c.signed_up_on
       FROM shop.customers c
       JOIN _ferry.migration_mappings m ON m.migration = 'customers' AND (m.target_key->>0)::bigint = c.id`,
  ],
  // The customer ref compared by the customer's e-mail address (unique on both sides).
  orders: [
    `SELECT o.order_id, o.order_no, lower(trim(c.email)), o.order_dt AT TIME ZONE 'Europe/Berlin',
            CASE o.status WHEN 'N' THEN 'new' WHEN 'P' THEN 'paid' WHEN 'S' THEN 'shipped' WHEN 'C' THEN 'cancelled' END
       FROM legacy_shop.orders o JOIN legacy_shop.customers c USING (cust_id)`,
    `SELECT (m.source_key->>0)::int, o.order_number, c.email, o.ordered_at, o.status
       FROM shop.orders o
       JOIN shop.customers c ON c.id = o.customer_id
       JOIN _ferry.migration_mappings m ON m.migration = 'orders' AND (m.target_key->>0)::bigint = o.id`,
  ],
  // The order ref compared by the order's number (unique on both sides).
  order_lines: [
    `SELECT o.order_no, l.line_no, l.prod_id, l.qty, (l.unit_price_cents / 100.0)::numeric(10,2)
       FROM legacy_shop.order_lines l JOIN legacy_shop.orders o USING (order_id) WHERE l.qty > 0`,
    `SELECT o.order_number, l.line_number, l.product_id, l.quantity, l.unit_price
       FROM shop.order_lines l JOIN shop.orders o ON o.id = l.order_id`,
  ],
  payments: [
    `SELECT pay_id, order_no, (amt_cents / 100.0)::numeric(10,2),
            CASE pay_method WHEN 'CC' THEN 'card' WHEN 'PP' THEN 'paypal' WHEN 'BT' THEN 'bank_transfer' END,
            paid_ts AT TIME ZONE 'Europe/Berlin'
       FROM legacy_shop.payments`,
    `SELECT id, order_number, amount, method, paid_at FROM shop.payments`,
  ],
};

/** A shop of its own for each test, so that the tests run side by side; the tables in many batches. */
async function withShop(work: (project: FaultProject, scene: KillScene) => Promise<void>): Promise<void> {
  const project = new FaultProject(await buildWorkload('fault_shop', SHOP_FILES), 'shop');
  try {
    await project.setBatchSizes({ customers: 5, orders: 10, order_lines: 20 });
    await work(project, {
      tables: {
        customers: { table: 'shop.customers', batches: 6 },
        orders: { table: 'shop.orders', batches: 12 },
        order_lines: { table: 'shop.order_lines', batches: 12 },
        payments: { table: 'shop.payments', batches: 1 },
      },
      migrations: 6,
      verify: async () => {
        await project.expectTablesAgree(CHECKS);
        await project.expectMappingsExact('customers', 30, 'shop.customers');
        await project.expectMappingsExact('orders', 120, 'shop.orders');
      },
    });
  } finally {
    await project.workload.drop();
  }
}

/** What the dead run left of a keys: generate migration: a mapping for each target row, no more. */
async function expectMappedAsLoaded(project: FaultProject, migration: string, table: string): Promise<void> {
  await project.expectMappingsExact(migration, await project.count('target', table), table);
}

describe.concurrent('SIGKILL and resume with generated keys (shop)', () => {
  const customers: KillPoint[] = [
    { point: 'migration-prepared', migration: 'customers' },
    { point: 'batch-loaded', migration: 'customers', hit: 2 },
    { point: 'batch-completed', migration: 'customers', hit: 6 },
  ];
  it(
    'customers, whose keys are generated: killed after preparing, mid-batch, and before its last COMMIT',
    () =>
      withShop(async (project, scene) => {
        for (const kill of customers)
          await killThenResume(project, scene, kill, () =>
            expectMappedAsLoaded(project, 'customers', 'shop.customers'),
          );
      }),
    180_000,
  );

  const orders: KillPoint[] = [
    { point: 'batch-loaded', migration: 'orders', hit: 1 },
    { point: 'batch-completed', migration: 'orders', hit: 5 },
    { point: 'batch-committed', migration: 'orders', hit: 12 },
  ];
  it(
    'orders, generated keys whose customer ref is translated: killed at the first, a middle and the last batch',
    () =>
      withShop(async (project, scene) => {
        for (const kill of orders)
          await killThenResume(project, scene, kill, () =>
            expectMappedAsLoaded(project, 'orders', 'shop.orders'),
          );
      }),
    180_000,
  );

  const children: KillPoint[] = [
    { point: 'batch-loaded', migration: 'order_lines', hit: 4 },
    { point: 'batch-committed', migration: 'order_lines', hit: 8 },
    { point: 'batch-completed', migration: 'payments', hit: 1 },
  ];
  it(
    'order lines and payments, children of the generated keys, and the last layer',
    () =>
      withShop(async (project, scene) => {
        for (const kill of children) await killThenResume(project, scene, kill);
        const resumed = await killThenResume(project, scene, { point: 'layer-started', hit: 3 }, async () => {
          for (const name of ['categories', 'customers', 'products', 'orders'])
            expect(await project.phase(name), name).toBe('done');
          expect(await project.count('target', 'shop.order_lines')).toBe(0);
          expect(await project.count('target', 'shop.payments')).toBe(0);
        });
        expect(resumed.stdout).not.toMatch(committedLine('orders', 1));
        expect(resumed.stdout).toMatch(committedLine('order_lines', 1));

        const again = await project.ferry(['apply']);
        expect(again.exitCode).toBe(0);
        expect(again.stdout).not.toContain('committed');
        await scene.verify();
      }),
    180_000,
  );
});
