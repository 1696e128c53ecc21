// Claiming batches across workers: concurrent claims never share a batch, an expired lease is
// reclaimed and its old holder can then no longer complete it, and completion commits with the rows.

import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { CLAIM_SQL, claimBatch, renewLease } from '../../src/state/claim-batch.js';
import { completeBatch, failBatch, pauseBatch, requeueBatches } from '../../src/state/finish-batch.js';
import { batchProgress } from '../../src/state/progress.js';
import { recordBatches } from '../../src/state/record-batches.js';
import type { KeyRange } from '../../src/state/types.js';
import { type StateDatabase, stateDatabases } from './state-database.js';

const createDatabase = stateDatabases();

/** `count` ranges over an integer key: (null, 10], (10, 20], …, (…, null]. */
function ranges(count: number): KeyRange[] {
  return Array.from({ length: count }, (_, index) => ({
    low: index === 0 ? null : [String(index * 10)],
    high: index === count - 1 ? null : [String((index + 1) * 10)],
  }));
}

async function claimAll(client: pg.Client, migration: string, worker: string): Promise<number[]> {
  const claimed: number[] = [];
  for (;;) {
    const batch = await claimBatch(client, { migration, worker, leaseSeconds: 60 });
    if (!batch) return claimed;
    claimed.push(batch.batchNo);
  }
}

async function expireLease(database: StateDatabase, migration: string, batchNo: number): Promise<void> {
  await database.query(
    `update _ferry.migration_batches set lease_until = now() - interval '1 second'
     where migration = $1 and batch_no = $2`,
    [migration, batchNo],
  );
}

async function batchRow(database: StateDatabase, migration: string, batchNo: number) {
  const [row] = await database.query(
    `select status, worker, attempts, rows::int as rows, last_error, lease_until is null as unleased
     from _ferry.migration_batches where migration = $1 and batch_no = $2`,
    [migration, batchNo],
  );
  return row;
}

describe('claimBatch', () => {
  it('never hands one batch to two workers claiming at the same time', async () => {
    const database = await createDatabase('state_claim_race');
    const [first, second] = [await database.connect(), await database.connect()];
    for (let round = 0; round < 30; round++) {
      const migration = `race_${round}`;
      await recordBatches(first, migration, ranges(20));

      const [mine, theirs] = await Promise.all([
        claimAll(first, migration, 'worker-a'),
        claimAll(second, migration, 'worker-b'),
      ]);

      const all = [...mine, ...theirs].sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
      const attempts = await database.query(
        'select distinct attempts from _ferry.migration_batches where migration = $1',
        [migration],
      );
      expect(attempts).toEqual([{ attempts: 1 }]);
    }
  });

  it('claims in batch order, with the range and a lease, and nothing once all are taken', async () => {
    const database = await createDatabase('state_claim_order');
    const client = await database.connect();
    await recordBatches(client, 'orders', ranges(2));

    const first = await claimBatch(client, { migration: 'orders', worker: 'w1', leaseSeconds: 60 });
    const second = await claimBatch(client, { migration: 'orders', worker: 'w1', leaseSeconds: 60 });

    expect(first).toMatchObject({ batchNo: 1, attempt: 1, worker: 'w1', range: { low: null, high: ['10'] } });
    expect(second).toMatchObject({ batchNo: 2, range: { low: ['10'], high: null } });
    expect(first?.leaseUntil.getTime()).toBeGreaterThan(Date.now() + 50_000);
    expect(await claimBatch(client, { migration: 'orders', worker: 'w2', leaseSeconds: 60 })).toBeUndefined();
    expect(
      await claimBatch(client, { migration: 'unknown', worker: 'w2', leaseSeconds: 60 }),
    ).toBeUndefined();
  });

  it('reclaims a batch whose lease expired, and refuses the old holder its completion', async () => {
    const database = await createDatabase('state_claim_expired');
    const [slow, fresh] = [await database.connect(), await database.connect()];
    await recordBatches(slow, 'orders', ranges(1));
    const lost = await claimBatch(slow, { migration: 'orders', worker: 'slow', leaseSeconds: 60 });
    expect(
      await claimBatch(fresh, { migration: 'orders', worker: 'fresh', leaseSeconds: 60 }),
    ).toBeUndefined();

    await expireLease(database, 'orders', 1);
    const taken = await claimBatch(fresh, { migration: 'orders', worker: 'fresh', leaseSeconds: 60 });

    expect(taken).toMatchObject({ batchNo: 1, worker: 'fresh', attempt: 2 });
    if (!lost || !taken) throw new Error('both claims should have succeeded');
    await slow.query('begin');
    const refused = completeBatch(slow, { ...lost, rows: 10 });
    await expect(refused).rejects.toMatchObject({ code: 'state.lease-lost' });
    await expect(refused).rejects.toThrow(
      /no longer leased to worker "slow" \(attempt 1\): worker "fresh" holds it/,
    );
    await slow.query('rollback');
    expect(await renewLease(slow, lost, 60)).toBeUndefined();
    expect(await failBatch(slow, lost, 'too slow')).toBe(false);

    await completeBatch(fresh, { ...taken, rows: 10 });
    expect(await batchRow(database, 'orders', 1)).toMatchObject({
      status: 'done',
      worker: 'fresh',
      rows: 10,
    });
  });

  it('refuses a stale lease even when the same worker name claimed the batch again', async () => {
    const database = await createDatabase('state_claim_same_name');
    const client = await database.connect();
    await recordBatches(client, 'orders', ranges(1));
    const stale = await claimBatch(client, { migration: 'orders', worker: 'pod-0', leaseSeconds: 60 });
    await expireLease(database, 'orders', 1);
    const current = await claimBatch(client, { migration: 'orders', worker: 'pod-0', leaseSeconds: 60 });
    if (!stale || !current) throw new Error('both claims should have succeeded');

    await expect(completeBatch(client, { ...stale, rows: 1 })).rejects.toMatchObject({
      code: 'state.lease-lost',
    });
    await completeBatch(client, { ...current, rows: 1 });
  });

  it('keeps other workers off a batch whose completion is committing, even past its lease', async () => {
    const database = await createDatabase('state_claim_committing');
    const [owner, other] = [await database.connect(), await database.connect()];
    await recordBatches(owner, 'orders', ranges(1));
    const batch = await claimBatch(owner, { migration: 'orders', worker: 'owner', leaseSeconds: 60 });
    if (!batch) throw new Error('the claim should have succeeded');
    await expireLease(database, 'orders', 1);

    await owner.query('begin');
    await completeBatch(owner, { ...batch, rows: 5 });
    expect(
      await claimBatch(other, { migration: 'orders', worker: 'other', leaseSeconds: 60 }),
    ).toBeUndefined();
    await owner.query('commit');

    expect(await batchRow(database, 'orders', 1)).toMatchObject({ status: 'done', worker: 'owner', rows: 5 });
    expect(
      await claimBatch(other, { migration: 'orders', worker: 'other', leaseSeconds: 60 }),
    ).toBeUndefined();
  });

  it('finds the next claimable batch through the partial index, however many are done', async () => {
    const database = await createDatabase('state_claim_index');
    const client = await database.connect();
    await client.query(`
      insert into _ferry.migration_control (migration) values ('big');
      insert into _ferry.migration_batches (migration, batch_no, status, rows)
      select 'big', n, case when n <= 20000 then 'done' else 'pending' end, 1
      from generate_series(1, 20010) n;
      analyze _ferry.migration_batches`);

    await client.query(`prepare claim (text, text, float8) as ${CLAIM_SQL}`);
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`explain execute claim ('big', 'w', 60)`);

    expect(rows.map((row) => row['QUERY PLAN']).join('\n')).toContain('migration_batches_claimable');
  });
});

describe('completeBatch', () => {
  it('commits with the transaction that loads the rows, and not when it rolls back', async () => {
    const database = await createDatabase('state_complete_rollback');
    const client = await database.connect();
    await recordBatches(client, 'orders', ranges(1));
    const batch = await claimBatch(client, { migration: 'orders', worker: 'w', leaseSeconds: 60 });
    if (!batch) throw new Error('the claim should have succeeded');

    await client.query('begin');
    await completeBatch(client, { ...batch, rows: 7 });
    await client.query('rollback');

    expect(await batchRow(database, 'orders', 1)).toMatchObject({
      status: 'running',
      worker: 'w',
      rows: null,
    });

    await client.query('begin');
    await completeBatch(client, { ...batch, rows: 7 });
    await client.query('commit');

    expect(await batchRow(database, 'orders', 1)).toMatchObject({ status: 'done', rows: 7, unleased: true });
    await expect(completeBatch(client, { ...batch, rows: 7 })).rejects.toThrow(/it is done/);
  });
});

describe('failBatch, pauseBatch and requeueBatches', () => {
  it('stop batches with their reason until they are requeued', async () => {
    const database = await createDatabase('state_stop');
    const client = await database.connect();
    await recordBatches(client, 'orders', ranges(3));
    const claim = () => claimBatch(client, { migration: 'orders', worker: 'w', leaseSeconds: 60 });
    const [one, two] = [await claim(), await claim()];
    if (!one || !two) throw new Error('the claims should have succeeded');

    expect(await failBatch(client, one, 'source unreachable')).toBe(true);
    expect(await pauseBatch(client, two, 'orders_customer_fk: key (customer_id)=(17) is not present')).toBe(
      true,
    );

    expect(await batchRow(database, 'orders', 1)).toMatchObject({
      status: 'failed',
      last_error: 'source unreachable',
    });
    expect(await batchRow(database, 'orders', 2)).toMatchObject({ status: 'paused', unleased: true });
    expect((await claim())?.batchNo).toBe(3);
    expect(await claim()).toBeUndefined();
    expect(await batchProgress(client, 'orders')).toEqual([
      {
        migration: 'orders',
        batches: 3,
        pending: 0,
        running: 1,
        done: 0,
        paused: 1,
        failed: 1,
        rows: 0,
        skipped: 0,
        rejected: 0,
      },
    ]);

    expect(await requeueBatches(client, 'orders')).toBe(2);

    const again = await claim();
    expect(again).toMatchObject({ batchNo: 1, attempt: 2 });
    expect(await pauseBatch(client, one, 'stale lease')).toBe(false);
  });

  it('renews a lease while it is held', async () => {
    const database = await createDatabase('state_renew');
    const client = await database.connect();
    await recordBatches(client, 'orders', ranges(1));
    const batch = await claimBatch(client, { migration: 'orders', worker: 'w', leaseSeconds: 1 });
    if (!batch) throw new Error('the claim should have succeeded');

    const until = await renewLease(client, batch, 600);

    expect(until?.getTime()).toBeGreaterThan(Date.now() + 500_000);
  });
});
