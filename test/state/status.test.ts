// What `ferry status` reads back per migration, with batch times fixed in SQL: phase, batches, rows,
// and a rate and ETA that count parallel batches once and the idle time between runs not at all.

import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { setMigrationPhase } from '../../src/state/control.js';
import { recordBatches } from '../../src/state/record-batches.js';
import { withRunLock } from '../../src/state/run-lock.js';
import { readStatus } from '../../src/state/status.js';
import type { KeyRange, MigrationPhase } from '../../src/state/types.js';
import { stateDatabases } from './state-database.js';

const createDatabase = stateDatabases();

/** `count` contiguous key ranges: (null, 1], (1, 2], …, (count - 1, null). */
function ranges(count: number): KeyRange[] {
  return Array.from({ length: count }, (_, i) => ({
    low: i === 0 ? null : [String(i)],
    high: i === count - 1 ? null : [String(i + 1)],
  }));
}

interface BatchTimes {
  readonly batchNo: number;
  readonly status: 'done' | 'running' | 'paused';
  readonly rows?: number;
  /** Times of 2024-05-01 in UTC, `hh:mm:ss`. */
  readonly started: string;
  readonly finished?: string;
  readonly leaseUntil?: string;
}

const at = (time: string) => `2024-05-01T${time}Z`;

/** A migration with `batches` recorded batches, some of them set to the given statuses and times. */
async function migration(
  client: pg.ClientBase,
  name: string,
  phase: MigrationPhase,
  batches: number,
  times: readonly BatchTimes[],
): Promise<void> {
  await recordBatches(client, name, ranges(batches));
  await setMigrationPhase(client, name, phase);
  for (const batch of times) {
    await client.query(
      `update _ferry.migration_batches
          set status = $3, rows = $4, worker = 'test/1', started_at = $5, finished_at = $6, lease_until = $7
        where migration = $1 and batch_no = $2`,
      [
        name,
        batch.batchNo,
        batch.status,
        batch.rows ?? null,
        at(batch.started),
        batch.finished === undefined ? null : at(batch.finished),
        batch.leaseUntil === undefined ? null : at(batch.leaseUntil),
      ],
    );
  }
}

describe('readStatus', () => {
  it('reads an unknown target as empty', async () => {
    const database = await createDatabase('status_empty', { upgraded: false });
    expect(await readStatus(await database.connect())).toEqual([]);
  });

  it('gives each migration its rate over the time batches loaded, and an ETA while loading', async () => {
    const database = await createDatabase('status_rate');
    const client = await database.connect();
    // Two workers side by side from 12:00:00 to 12:00:20, then a second run after an hour's pause.
    // The batch running since 13:00:10 counts until now (13:00:20); the one whose lease expired, never.
    await migration(client, 'orders', 'loading', 10, [
      { batchNo: 1, status: 'done', rows: 1000, started: '12:00:00', finished: '12:00:10' },
      { batchNo: 2, status: 'done', rows: 1000, started: '12:00:00', finished: '12:00:10' },
      { batchNo: 3, status: 'done', rows: 1000, started: '12:00:10', finished: '12:00:20' },
      { batchNo: 4, status: 'done', rows: 1000, started: '12:00:12', finished: '12:00:18' },
      { batchNo: 5, status: 'done', rows: 1000, started: '13:00:00', finished: '13:00:10' },
      { batchNo: 6, status: 'running', started: '13:00:10', leaseUntil: '13:10:10' },
      { batchNo: 7, status: 'running', started: '12:30:00', leaseUntil: '12:40:00' },
    ]);
    await migration(client, 'brackets', 'done', 2, [
      { batchNo: 1, status: 'done', rows: 3000, started: '11:00:00', finished: '11:00:02' },
      { batchNo: 2, status: 'done', rows: 2000, started: '11:00:02', finished: '11:00:04' },
    ]);
    await migration(client, 'tags', 'paused', 3, [
      { batchNo: 1, status: 'done', rows: 100, started: '11:00:00', finished: '11:00:02.5' },
      { batchNo: 2, status: 'paused', started: '11:00:02.5', finished: '11:00:03' },
    ]);
    await migration(client, 'case_files', 'loading', 4, []);

    // No apply holds the run lock: nothing is loading, so nothing gets an ETA.
    const stopped = await readStatus(client, { now: new Date(at('13:00:20')) });
    expect(stopped.find((s) => s.migration === 'orders')).toMatchObject({
      rowsPerSecond: 125,
      etaSeconds: null,
    });
    const status = await withRunLock(client, 'apply', () =>
      readStatus(client, { now: new Date(at('13:00:20')) }),
    );
    const pace = status.map((s) => [
      s.migration,
      s.phase,
      s.batches.done,
      s.rows,
      s.rowsPerSecond,
      s.etaSeconds,
    ]);
    expect(pace).toEqual([
      ['brackets', 'done', 2, 5000, 1250, 0],
      ['case_files', 'loading', 0, 0, null, null],
      // 5,000 rows while loading for 20 + 10 + 10 s: 125 rows/s; 5 of 10 batches left at 8 s a batch.
      ['orders', 'loading', 5, 5000, 125, 40],
      // Waiting for a person, not for batches: no ETA.
      ['tags', 'paused', 1, 100, 40, null],
    ]);
  });
});
