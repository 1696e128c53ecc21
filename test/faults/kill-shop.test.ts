// SIGKILL, then resume, on the shop example: customers and orders get new keys (staged, mapped in
// `_ferry.keymap_*`), orders and order lines translate their refs through those mappings. A run that
// dies mid-batch must leave neither target rows nor mappings of that batch, and the resumed run must
// end with one mapping per source row, every ref pointing at the right parent.

import { describe, expect, it } from 'vitest';
import { expectTablesAgree, SHOP_CHECKS } from '../support/checksums.js';
import { buildWorkload, SHOP_FILES } from '../support/workload.js';
import {
  committedLine,
  expectLayersBefore,
  type FaultProject,
  type KillPoint,
  type KillScene,
  killEachThenResume,
  killThenResume,
  withFaultProject,
} from './fault-project.js';

/** A shop of its own for each test, so that the tests run side by side; the tables in many batches. */
async function withShop(work: (project: FaultProject, scene: KillScene) => Promise<void>): Promise<void> {
  await withFaultProject(await buildWorkload('fault_shop', SHOP_FILES), 'shop', async (project) => {
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
        await expectTablesAgree(project.workload, SHOP_CHECKS);
        await project.expectMappingsExact('customers', 30, 'shop.customers');
        await project.expectMappingsExact('orders', 120, 'shop.orders');
      },
    });
  });
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
      withShop((project, scene) =>
        killEachThenResume(project, scene, customers, () =>
          expectMappedAsLoaded(project, 'customers', 'shop.customers'),
        ),
      ),
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
      withShop((project, scene) =>
        killEachThenResume(project, scene, orders, () =>
          expectMappedAsLoaded(project, 'orders', 'shop.orders'),
        ),
      ),
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
        await killEachThenResume(project, scene, children);
        const resumed = await killThenResume(project, scene, { point: 'layer-started', hit: 3 }, () =>
          expectLayersBefore(
            project,
            scene,
            ['categories', 'customers', 'products', 'orders'],
            ['order_lines', 'payments'],
          ),
        );
        expect(resumed.stdout).not.toMatch(committedLine('orders', 1));
        expect(resumed.stdout).toMatch(committedLine('order_lines', 1));

        await project.expectNothingLeft(scene.migrations);
        await scene.verify();
      }),
    180_000,
  );
});
