// A 200,000-row batch of the reference orders (scale 0.1) streams through a bounded amount of memory,
// and a batch that fails early (its source COPY then drained) leaves the source client usable and the
// target untouched.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogTable } from '../../src/catalog/types.js';
import { referenceWorkload, type Workload } from '../support/workload.js';
import {
  app,
  catalogTable,
  copyMigration,
  copyRange,
  REFERENCE,
  REFERENCE_ORDERS,
  withClients,
} from './fixtures.js';

const ORDER_ROWS = 200_000;
const MEGABYTE = 1024 * 1024;
const orders = REFERENCE_ORDERS;

let workload: Workload;
let sourceOrders: CatalogTable;

beforeAll(async () => {
  workload = await referenceWorkload('runner_memory', '0.1');
  sourceOrders = await catalogTable(workload.source, orders.from);
  const { brackets, caseFiles } = REFERENCE;
  const sourceBrackets = await catalogTable(workload.source, brackets.from);
  const sourceCaseFiles = await catalogTable(workload.source, caseFiles.from);
  await withClients(workload.source, workload.target, async (source, target) => {
    await copyMigration(source, target, brackets, sourceBrackets, 10_000);
    await copyMigration(source, target, caseFiles, sourceCaseFiles, 100_000);
  });
}, 120_000);

afterAll(async () => {
  await workload?.drop();
});

/** Samples the process's resident set while `work` runs and returns how far it rose above the start. */
async function rssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, growth: peak - start };
  } finally {
    clearInterval(sampler);
  }
}

describe('copyBatch at scale', () => {
  it('streams 200,000 orders in one batch without holding them', async () => {
    const started = performance.now();
    const { result, growth } = await rssGrowth(() =>
      withClients(workload.source, workload.target, (source, target) =>
        copyRange(source, target, orders, sourceOrders, { low: null, high: null }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    expect(result.rows).toBe(ORDER_ROWS);
    expect(growth).toBeLessThan(60 * MEGABYTE);
    const [copied] = await workload.target.query('SELECT count(*)::int AS rows FROM app.orders');
    expect(copied).toEqual({ rows: ORDER_ROWS });
    console.info(
      `copyBatch: ${ORDER_ROWS} rows, ${(result.bytes / MEGABYTE).toFixed(1)} MB in ${seconds.toFixed(2)} s ` +
        `(${Math.round(ORDER_ROWS / seconds)} rows/s, ${(result.bytes / MEGABYTE / seconds).toFixed(1)} MB/s), ` +
        `RSS +${(growth / MEGABYTE).toFixed(1)} MB`,
    );
  }, 120_000);

  it('fails a large batch early cleanly: no row kept, the source client answers again', async () => {
    await workload.target.query(
      `CREATE TABLE app.orders_again (LIKE app.orders INCLUDING ALL);
       INSERT INTO app.orders_again VALUES (2000, 1, -1, 'USD', now())`,
    );
    const again = { ...orders, to: app('orders_again') };
    await withClients(workload.source, workload.target, async (source, target) => {
      const error = await copyRange(source, target, again, sourceOrders, { low: null, high: null }).then(
        () => undefined,
        (reason: unknown) => reason as { code?: string; constraint?: string },
      );
      expect(error).toMatchObject({ code: '23505', constraint: 'orders_again_pkey' });
      expect((await source.query('SELECT count(*)::int AS rows FROM legacy.dispatch_order')).rows).toEqual([
        { rows: ORDER_ROWS },
      ]);
      expect((await target.query('SELECT count(*)::int AS rows FROM app.orders_again')).rows).toEqual([
        { rows: 1 },
      ]);
    });
  }, 120_000);
});
