// A migration's recorded phase and fields, its batch progress, and the event log.

import { describe, expect, it } from 'vitest';
import { claimBatch } from '../../src/state/claim-batch.js';
import { readMigrationControl, setMigrationPhase } from '../../src/state/control.js';
import { completeBatch } from '../../src/state/finish-batch.js';
import { logEvent } from '../../src/state/log.js';
import { batchProgress } from '../../src/state/progress.js';
import { recordBatches } from '../../src/state/record-batches.js';
import { stateDatabases } from './state-database.js';

const createDatabase = stateDatabases();

const RUN_ID = '0b7e4d2c-5f1a-4c3e-9a8b-1d2e3f4a5b6c';

describe('setMigrationPhase', () => {
  it('creates the row, keeps fields not given, and clears those given as null', async () => {
    const database = await createDatabase('state_phase');
    const client = await database.connect();

    const loading = await setMigrationPhase(client, 'orders', 'loading', {
      specHash: 'sha256:spec',
      mappingHash: 'sha256:mapping',
      sourceTable: '"legacy"."orders"',
      targetTable: '"app"."orders"',
      keyColumns: ['id'],
      runId: RUN_ID,
      gitSha: 'abc123',
    });
    expect(loading).toMatchObject({
      migration: 'orders',
      phase: 'loading',
      specHash: 'sha256:spec',
      keyColumns: ['id'],
      runId: RUN_ID,
      rowsLoaded: 0,
      finishedAt: null,
    });
    expect(loading.startedAt).toBeInstanceOf(Date);

    const done = await setMigrationPhase(client, 'orders', 'done', { rowsLoaded: 5000, gitSha: null });

    expect(done).toMatchObject({
      phase: 'done',
      specHash: 'sha256:spec',
      targetTable: '"app"."orders"',
      rowsLoaded: 5000,
      gitSha: null,
      startedAt: loading.startedAt,
    });
    expect(done.finishedAt).toBeInstanceOf(Date);
    expect(await readMigrationControl(client)).toEqual([done]);
  });

  it('keeps a pause reason only while paused, and restarts the clock from pending', async () => {
    const database = await createDatabase('state_phase_paused');
    const client = await database.connect();
    const reason = { constraint: 'orders_customer_fk', sourceKeys: [['17'], ['23']] };

    const paused = await setMigrationPhase(client, 'orders', 'paused', { pausedReason: reason });
    expect(paused.pausedReason).toEqual(reason);
    expect((await setMigrationPhase(client, 'orders', 'loading')).pausedReason).toBeNull();

    const reset = await setMigrationPhase(client, 'orders', 'pending');
    expect(reset).toMatchObject({ phase: 'pending', startedAt: null, finishedAt: null });
    expect(await readMigrationControl(client, 'elsewhere')).toEqual([]);
  });

  it('refuses a phase the schema does not know', async () => {
    const database = await createDatabase('state_phase_check');
    await expect(
      database.query(`insert into _ferry.migration_control (migration, phase) values ('x', 'finished')`),
    ).rejects.toThrow(/migration_control_phase_check/);
  });
});

describe('batchProgress', () => {
  it('counts batches per status and the rows of done ones, per migration', async () => {
    const database = await createDatabase('state_progress');
    const client = await database.connect();
    await recordBatches(client, 'orders', [
      { low: null, high: ['5'] },
      { low: ['5'], high: null },
    ]);
    await recordBatches(client, 'tags', [{ low: null, high: null }]);
    const batch = await claimBatch(client, { migration: 'orders', worker: 'w', leaseSeconds: 60 });
    if (!batch) throw new Error('the claim should have succeeded');
    await completeBatch(client, { ...batch, rows: 1234, skipped: 5, rejected: 2 });

    const none = { running: 0, paused: 0, failed: 0 };
    expect(await batchProgress(client)).toEqual([
      { migration: 'orders', batches: 2, pending: 1, done: 1, ...none, rows: 1234, skipped: 5, rejected: 2 },
      { migration: 'tags', batches: 1, pending: 1, done: 0, ...none, rows: 0, skipped: 0, rejected: 0 },
    ]);
    expect(await batchProgress(client, 'tags')).toHaveLength(1);
  });
});

describe('logEvent', () => {
  it('appends events in order, with their data as JSON', async () => {
    const database = await createDatabase('state_log');
    const client = await database.connect();

    const first = await logEvent(client, { event: 'run-started', runId: RUN_ID, data: { gitSha: 'abc' } });
    const second = await logEvent(client, { event: 'migration-paused', runId: RUN_ID, migration: 'orders' });
    const third = await logEvent(client, { event: 'note', data: 'plain text' });

    expect(second).toBeGreaterThan(first);
    expect(third).toBeGreaterThan(second);
    expect(
      await database.query(
        'select run_id::text, migration, event, data from _ferry.migration_log order by id',
      ),
    ).toEqual([
      { run_id: RUN_ID, migration: null, event: 'run-started', data: { gitSha: 'abc' } },
      { run_id: RUN_ID, migration: 'orders', event: 'migration-paused', data: {} },
      { run_id: null, migration: null, event: 'note', data: 'plain text' },
    ]);
  });
});
