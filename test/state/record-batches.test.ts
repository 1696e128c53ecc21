// Recording a migration's batches: once, idempotently, replaced only while no row has moved, and
// refused with `state.ranges-changed` once some have.

import { describe, expect, it } from 'vitest';
import { claimBatch } from '../../src/state/claim-batch.js';
import { completeBatch } from '../../src/state/finish-batch.js';
import { assertRangesTile, sameRanges } from '../../src/state/key-ranges.js';
import { recordBatches } from '../../src/state/record-batches.js';
import type { KeyRange } from '../../src/state/types.js';
import { stateDatabases } from './state-database.js';

const createDatabase = stateDatabases();

/** A composite key with values that need care in JSON and SQL alike. */
const RANGES: KeyRange[] = [
  { low: null, high: ['2024-01-01', 'o\'brien "x"'] },
  { low: ['2024-01-01', 'o\'brien "x"'], high: ['2024-06-30', 'zoë'] },
  { low: ['2024-06-30', 'zoë'], high: null },
];

const OTHER_RANGES: KeyRange[] = [
  { low: null, high: ['2024-03-01', 'm'] },
  { low: ['2024-03-01', 'm'], high: null },
];

const BATCHES_SQL = `
select batch_no, key_low, key_high, status
from _ferry.migration_batches
where migration = $1
order by batch_no`;

describe('recordBatches', () => {
  it('records the ranges as batches numbered from 1, once', async () => {
    const database = await createDatabase('state_record');
    const client = await database.connect();

    expect(await recordBatches(client, 'orders', RANGES)).toEqual({ change: 'created', batches: 3 });
    const recorded = await database.query(BATCHES_SQL, ['orders']);
    expect(await recordBatches(client, 'orders', RANGES)).toEqual({ change: 'unchanged', batches: 3 });

    expect(recorded).toEqual([
      { batch_no: 1, key_low: null, key_high: ['2024-01-01', 'o\'brien "x"'], status: 'pending' },
      {
        batch_no: 2,
        key_low: ['2024-01-01', 'o\'brien "x"'],
        key_high: ['2024-06-30', 'zoë'],
        status: 'pending',
      },
      { batch_no: 3, key_low: ['2024-06-30', 'zoë'], key_high: null, status: 'pending' },
    ]);
    expect(await database.query(BATCHES_SQL, ['orders'])).toEqual(recorded);
    expect(await database.query('select migration, phase from _ferry.migration_control')).toEqual([
      { migration: 'orders', phase: 'pending' },
    ]);
  });

  it('lets workers of one run record the same ranges at the same time', async () => {
    const database = await createDatabase('state_record_race');
    const [first, second] = [await database.connect(), await database.connect()];
    for (let round = 0; round < 10; round++) {
      const migration = `race_${round}`;
      const results = await Promise.all([
        recordBatches(first, migration, RANGES),
        recordBatches(second, migration, RANGES),
      ]);
      expect(results.map((result) => result.change).sort()).toEqual(['created', 'unchanged']);
    }
  });

  it('replaces the ranges while no batch has loaded rows', async () => {
    const database = await createDatabase('state_record_replace');
    const client = await database.connect();
    await recordBatches(client, 'orders', RANGES);
    const abandoned = await claimBatch(client, { migration: 'orders', worker: 'gone', leaseSeconds: 60 });
    await database.query(`update _ferry.migration_batches set lease_until = now() - interval '1 minute'`);

    expect(await recordBatches(client, 'orders', OTHER_RANGES)).toEqual({ change: 'replaced', batches: 2 });

    expect((await database.query(BATCHES_SQL, ['orders'])).map((row) => row.status)).toEqual([
      'pending',
      'pending',
    ]);
    if (!abandoned) throw new Error('the claim should have succeeded');
    await expect(completeBatch(client, { ...abandoned, rows: 1 })).rejects.toMatchObject({
      code: 'state.lease-lost',
    });
  });

  it('refuses other ranges once a batch is done', async () => {
    const database = await createDatabase('state_record_done');
    const client = await database.connect();
    await recordBatches(client, 'orders', RANGES);
    const batch = await claimBatch(client, { migration: 'orders', worker: 'w', leaseSeconds: 60 });
    if (!batch) throw new Error('the claim should have succeeded');
    await completeBatch(client, { ...batch, rows: 100 });

    const refused = recordBatches(client, 'orders', OTHER_RANGES);

    await expect(refused).rejects.toMatchObject({ code: 'state.ranges-changed' });
    await expect(refused).rejects.toThrow(/migration "orders" .* \(of 3: 1 done\)/);
    expect(await database.query(BATCHES_SQL, ['orders'])).toHaveLength(3);
    expect(await recordBatches(client, 'orders', RANGES)).toEqual({ change: 'unchanged', batches: 3 });
  });

  it('refuses other ranges while a batch is being loaded under a live lease', async () => {
    const database = await createDatabase('state_record_running');
    const client = await database.connect();
    await recordBatches(client, 'orders', RANGES);
    await claimBatch(client, { migration: 'orders', worker: 'w', leaseSeconds: 60 });

    await expect(recordBatches(client, 'orders', OTHER_RANGES)).rejects.toThrow(/\(of 3: 1 being loaded\)/);
  });
});

describe('assertRangesTile', () => {
  it('accepts ranges that cover the key space in order, and no ranges at all', () => {
    expect(() => assertRangesTile(RANGES)).not.toThrow();
    expect(() => assertRangesTile([{ low: null, high: null }])).not.toThrow();
    expect(() => assertRangesTile([])).not.toThrow();
  });

  it('rejects gaps, overlaps and closed ends', () => {
    const gap: KeyRange[] = [
      { low: null, high: ['10'] },
      { low: ['20'], high: null },
    ];
    expect(() => assertRangesTile(gap)).toThrow(/range 2 does not start where range 1 ends/);
    expect(() => assertRangesTile([{ low: ['1'], high: null }])).toThrow(/does not start at the beginning/);
    expect(() => assertRangesTile([{ low: null, high: ['9'] }])).toThrow(/does not reach the end/);
  });

  it('compares ranges value by value', () => {
    expect(sameRanges(RANGES, structuredClone(RANGES))).toBe(true);
    expect(sameRanges(RANGES, OTHER_RANGES)).toBe(false);
    expect(sameRanges([{ low: null, high: ['1', '2'] }], [{ low: null, high: ['1'] }])).toBe(false);
  });
});
