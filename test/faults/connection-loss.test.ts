// Connections lost in the middle of a batch: the test terminates ferry's source or target backend
// (pg_terminate_backend) while it is copying, or SIGKILLs the whole process there. A lost connection
// is retried with backoff inside the same run, which exits 0; a killed run is resumed by the next
// one, which gives back the batch the dead run still held. Either way each batch commits once.

import { describe, expect, it } from 'vitest';
import { expectTablesAgree, REFERENCE_CHECKS, SHOP_CHECKS } from '../support/checksums.js';
import { expectApplyFinished } from '../support/cli.js';
import { buildWorkload, referenceWorkload, SHOP_FILES } from '../support/workload.js';
import { committedLine, type FaultProject, withFaultProject } from './fault-project.js';

/**
 * A source COPY of a batch of 500 orders takes about a second: long enough to be caught in its first
 * half by a poller on a busy machine, and terminated in the middle.
 */
const SLOW_AMOUNT = `amount_cents / 100.0 + length(pg_sleep(0.002)::text)`;

/** The orders of the reference workload and their parents, by checksum of their mapped values. */
const ORDERS = ['orders', 'case_files', 'case_file_tags'] as const;

const RETRY_LINE =
  /^orders: connection lost \(terminating connection due to administrator command\), retry 1 in 250ms$/m;

/** The source's and the target's statement while a batch of orders is copied. */
const COPYING_ORDERS = {
  source: 'COPY (%dispatch_order%) TO STDOUT',
  target: 'COPY "app"."orders"%FROM STDIN',
};

/** A workload of its own for each test, so that they run side by side: 4,000 orders in 8 slow batches. */
async function withSlowOrders(work: (reference: FaultProject) => Promise<void>): Promise<void> {
  await withFaultProject(await referenceWorkload('fault_conn', '0.002'), 'app', async (reference) => {
    await reference.editSpec('orders', (yaml) =>
      yaml.replace('amount: { expr: "amount_cents / 100.0" }', `amount: { expr: "${SLOW_AMOUNT}" }`),
    );
    await reference.setBatchSizes({ orders: 500 });
    await work(reference);
  });
}

/** Exactly one batch of orders was loaded twice: the one the fault hit. */
async function expectOneBatchRedone(reference: FaultProject): Promise<void> {
  const attempts = (await reference.batches('orders')).map((b) => b.attempts).sort();
  expect(attempts).toEqual([1, 1, 1, 1, 1, 1, 1, 2]);
}

describe.concurrent('connection loss in the middle of a batch', () => {
  for (const role of ['source', 'target'] as const) {
    it(
      `the ${role} connection terminated mid-COPY: retried with backoff, the same run finishes`,
      () =>
        withSlowOrders(async (reference) => {
          const apply = reference.startApply();
          await reference.catchStatement(role, COPYING_ORDERS[role], apply, {
            terminate: true,
            startedWithinMs: 500,
          });
          const result = await apply;
          expectApplyFinished(result, 5);
          expect(result.stdout).toMatch(RETRY_LINE);
          await reference.expectAllDone();
          await expectOneBatchRedone(reference);
          await expectTablesAgree(reference.workload, REFERENCE_CHECKS, ORDERS);
        }),
      60_000,
    );
  }

  it(
    'a run SIGKILLed mid-COPY leaves its batch leased; the next apply gives it back and finishes',
    () =>
      withSlowOrders(async (reference) => {
        const apply = reference.startApply();
        await reference.catchStatement('source', COPYING_ORDERS.source, apply, {
          terminate: false,
          startedWithinMs: 500,
        });
        apply.kill('SIGKILL');
        expect((await apply).signal).toBe('SIGKILL');
        await reference.waitForSessionsGone();
        const { running } = await reference.expectLeftByKilledRun(
          'orders',
          'app.orders',
          apply.pid as number,
        );
        expect(running).toHaveLength(1);
        const killedBatch = running[0]?.batchNo as number;

        const resumed = await reference.ferry(['apply']);
        expectApplyFinished(resumed, 5);
        expect(resumed.stdout).toMatch(committedLine('orders', killedBatch));
        expect((await reference.batches('orders')).map((b) => b.status)).toEqual(Array(8).fill('done'));
        await reference.expectRedoneOnce('orders', new Set([killedBatch]));
        await reference.expectAllDone();
        await expectTablesAgree(reference.workload, REFERENCE_CHECKS, ORDERS);
      }),
    60_000,
  );

  it('the target connection terminated while staging generated keys (shop customers): no mapping lost or doubled', async () => {
    await withFaultProject(await buildWorkload('fault_conn_shop', SHOP_FILES), 'shop', async (shop) => {
      // 30 customers in 3 batches of about 0.5 s each: long enough to be caught on a busy machine
      // before order_lines, the other migration that stages, copies anything.
      await shop.editSpec('customers', (yaml) =>
        yaml.replace('"lower(trim(email))"', '"lower(trim(email)) || pg_sleep(0.05)::text"'),
      );
      await shop.setBatchSizes({ customers: 10 });
      const apply = shop.startApply();
      await shop.catchStatement('target', 'COPY "pg_temp".%FROM STDIN', apply, { terminate: true });
      const result = await apply;
      expectApplyFinished(result, 6);
      expect(result.stdout).toMatch(
        /^customers: connection lost \(terminating connection due to administrator command\), retry 1 in 250ms$/m,
      );
      expect((await shop.batches('customers')).map((b) => b.attempts).sort()).toEqual([1, 1, 2]);
      await shop.expectAllDone();
      await shop.expectMappingsExact('customers', 30, 'shop.customers');
      await expectTablesAgree(shop.workload, {
        customers: SHOP_CHECKS.customers,
        // The customer ref alone: the test is about the customers' mappings.
        orders: [
          `SELECT o.order_id, lower(trim(c.email)) FROM legacy_shop.orders o JOIN legacy_shop.customers c USING (cust_id)`,
          `SELECT (m.source_key->>0)::int, c.email
             FROM shop.orders o
             JOIN shop.customers c ON c.id = o.customer_id
             JOIN _ferry.migration_mappings m ON m.migration = 'orders' AND (m.target_key->>0)::bigint = o.id`,
        ],
      });
    });
  }, 60_000);
});
