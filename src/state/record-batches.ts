// Records the batches a migration is cut into, once. Every worker of a run calls this with the same
// ranges and all but the first find them recorded; ranges that change after rows moved are refused.

import type pg from 'pg';
import { inTransaction } from '../db/transaction.js';
import { errorDiagnostic, FerryError } from '../errors.js';
import { assertRangesTile, sameRanges } from './key-ranges.js';
import type { BatchStatus, KeyRange, KeyValue } from './types.js';

/** Batches reference their migration's control row; a first run creates it. */
const ENSURE_CONTROL_SQL = `
insert into _ferry.migration_control (migration)
values ($1)
on conflict (migration) do nothing`;

/** Serializes concurrent recordBatches calls for one migration. */
const LOCK_CONTROL_SQL = `
select migration
from _ferry.migration_control
where migration = $1
for no key update`;

/**
 * The recorded batches, locked: until this transaction ends, claims skip them and a completion waits,
 * so the statuses read here cannot change underneath the decision.
 */
const RECORDED_SQL = `
select batch_no, key_low, key_high, status, coalesce(lease_until > now(), false) as leased
from _ferry.migration_batches
where migration = $1
order by batch_no
for update`;

const DELETE_SQL = 'delete from _ferry.migration_batches where migration = $1';

/** $2 is a JSON array of {low, high}; batch numbers follow its order from 1. */
const INSERT_SQL = `
insert into _ferry.migration_batches (migration, batch_no, key_low, key_high)
select $1,
       given.batch_no::int,
       nullif(given.value -> 'low', 'null'::jsonb),
       nullif(given.value -> 'high', 'null'::jsonb)
from jsonb_array_elements($2::jsonb) with ordinality as given (value, batch_no)`;

interface RecordedRow {
  readonly batch_no: number;
  readonly key_low: KeyValue | null;
  readonly key_high: KeyValue | null;
  readonly status: BatchStatus;
  readonly leased: boolean;
}

export interface RecordBatchesResult {
  /** created: first recorded now; unchanged: already recorded so; replaced: new ranges before any row moved. */
  readonly change: 'created' | 'unchanged' | 'replaced';
  readonly batches: number;
}

/**
 * Records `ranges` as the batches of `migration`, numbered from 1 in order. Idempotent: the same ranges
 * again change nothing. Different ranges replace the recorded ones only while no batch is done or
 * being loaded under a live lease; otherwise they throw `state.ranges-changed`, because rows already
 * loaded belong to the old ranges. Runs its own transaction: call it on a client that is not in one.
 *
 * @example
 * await recordBatches(client, 'orders', [
 *   { low: null, high: ['10000'] },
 *   { low: ['10000'], high: null },
 * ]); // { change: 'created', batches: 2 }
 */
export async function recordBatches(
  client: pg.ClientBase,
  migration: string,
  ranges: readonly KeyRange[],
  options: { readonly prefix?: boolean } = {},
): Promise<RecordBatchesResult> {
  assertRangesTile(ranges, options);
  return inTransaction(client, async () => {
    const result = await recordLocked(client, migration, ranges);
    return result;
  });
}

async function recordLocked(
  client: pg.ClientBase,
  migration: string,
  ranges: readonly KeyRange[],
): Promise<RecordBatchesResult> {
  await client.query(ENSURE_CONTROL_SQL, [migration]);
  await client.query(LOCK_CONTROL_SQL, [migration]);
  const { rows } = await client.query<RecordedRow>(RECORDED_SQL, [migration]);
  const recorded = rows.map((row) => ({ low: row.key_low, high: row.key_high }));
  if (sameRanges(recorded, ranges)) return { change: 'unchanged', batches: rows.length };
  assertNothingStarted(migration, rows);
  if (rows.length > 0) await client.query(DELETE_SQL, [migration]);
  await client.query(INSERT_SQL, [migration, JSON.stringify(ranges)]);
  return { change: rows.length > 0 ? 'replaced' : 'created', batches: ranges.length };
}

function assertNothingStarted(migration: string, rows: readonly RecordedRow[]): void {
  const done = rows.filter((row) => row.status === 'done').length;
  const loading = rows.filter((row) => row.status === 'running' && row.leased).length;
  if (done === 0 && loading === 0) return;
  const started = [done > 0 ? `${done} done` : '', loading > 0 ? `${loading} being loaded` : '']
    .filter(Boolean)
    .join(', ');
  throw new FerryError(
    errorDiagnostic(
      'state.ranges-changed',
      `the batches of migration "${migration}" were recorded with other key ranges, and some have started (of ${rows.length}: ${started})`,
      {
        hint: `rows already loaded belong to the recorded ranges: apply with the batch plan they were loaded with (the committed ferry.lock), or roll the migration back (ferry rollback --select ${migration}) and apply again`,
      },
    ),
  );
}
