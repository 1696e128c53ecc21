// The end of a migration's key space, where an incremental apply picks up. A migration's last batch
// is recorded open, (low, end of table); when it is loaded it is closed at the largest key it read,
// so that rows the source gains later lie beyond every recorded batch and are appended as new
// batches by the next apply: rows move exactly once however often apply runs.

import type pg from 'pg';
import { inTransaction } from '../db/transaction.js';
import { errorDiagnostic, FerryError } from '../errors.js';
import { assertRangesTile, sameKey } from './key-ranges.js';
import type { BatchLease, BatchStatus, CursorWindow, KeyRange, KeyValue } from './types.js';

export interface LastBatch {
  readonly batchNo: number;
  readonly range: KeyRange;
  readonly status: BatchStatus;
  /** Rows the batch accounted for: loaded, skipped and rejected. */
  readonly rowsSeen: number;
}

const BATCHES_SQL = `
select batch_no, key_low, key_high, status, coalesce(rows, 0) + skipped + rejected as rows_seen
from _ferry.migration_batches
where migration = $1 and cursor_high is null
order by batch_no`;

interface BatchRow {
  readonly batch_no: number;
  readonly key_low: KeyValue | null;
  readonly key_high: KeyValue | null;
  readonly status: BatchStatus;
  readonly rows_seen: string;
}

/**
 * The batch that ends the migration's key space: the open one, or the one whose end no other batch
 * starts from. Undefined when no batch is recorded.
 *
 * @example
 * const last = await lastBatch(client, 'orders'); // { batchNo: 12, range: { low: ['110000'], high: ['118734'] }, … }
 */
export async function lastBatch(client: pg.ClientBase, migration: string): Promise<LastBatch | undefined> {
  const { rows } = await client.query<BatchRow>(BATCHES_SQL, [migration]);
  const starts = rows.flatMap((row) => (row.key_low === null ? [] : [row.key_low]));
  const last =
    rows.find((row) => row.key_high === null) ??
    rows.find((row) => !starts.some((low) => sameKey(low, row.key_high as KeyValue)));
  if (!last) return undefined;
  return {
    batchNo: last.batch_no,
    range: { low: last.key_low, high: last.key_high },
    status: last.status,
    rowsSeen: Number(last.rows_seen),
  };
}

const CLOSE_SQL = `
update _ferry.migration_batches
set key_high = $5::jsonb
where migration = $1 and batch_no = $2 and worker = $3 and attempts = $4
  and status = 'running' and key_high is null`;

/**
 * Closes the leased open batch at `high`, the largest source key it will load. False when the lease
 * was lost. Autocommitted: the rows the source gains above `high` belong to the batches a later apply
 * appends, whether or not this batch commits.
 */
export async function closeBatchRange(
  client: pg.ClientBase,
  lease: BatchLease,
  high: KeyValue,
): Promise<boolean> {
  const result = await client.query(CLOSE_SQL, [
    lease.migration,
    lease.batchNo,
    lease.worker,
    lease.attempt,
    JSON.stringify(high),
  ]);
  return result.rowCount === 1;
}

/**
 * Makes an open last batch that loaded nothing (the table was empty) claimable again, so that the
 * rows the table has gained since are loaded. A batch that loaded rows is never reopened.
 */
export async function reopenEmptyBatch(
  client: pg.ClientBase,
  migration: string,
  batchNo: number,
): Promise<void> {
  await client.query(
    `update _ferry.migration_batches
     set status = 'pending', worker = null, lease_until = null, finished_at = null
     where migration = $1 and batch_no = $2 and status = 'done' and key_high is null
       and coalesce(rows, 0) + skipped + rejected = 0`,
    [migration, batchNo],
  );
}

const APPEND_SQL = `
insert into _ferry.migration_batches (migration, batch_no, key_low, key_high)
select $1,
       $3::int + given.n::int,
       nullif(given.value -> 'low', 'null'::jsonb),
       nullif(given.value -> 'high', 'null'::jsonb)
from jsonb_array_elements($2::jsonb) with ordinality as given (value, n)`;

/**
 * Appends `ranges`, which must start where the recorded batches end and tile on from there, as new
 * pending batches numbered after the last. Returns how many were appended.
 *
 * @example
 * await appendBatches(client, 'orders', [{ low: ['118734'], high: ['128734'] }, { low: ['128734'], high: null }]);
 */
export async function appendBatches(
  client: pg.ClientBase,
  migration: string,
  ranges: readonly KeyRange[],
): Promise<number> {
  const first = ranges[0];
  if (!first) return 0;
  // Checked as a tiling of their own from the recorded end, which stands in for the start.
  assertRangesTile([{ ...first, low: null }, ...ranges.slice(1)]);
  return inTransaction(client, async () => {
    await client.query('select from _ferry.migration_control where migration = $1 for update', [migration]);
    const last = await lastBatch(client, migration);
    const end = last?.range.high ?? null;
    if (!last || end === null || first.low === null || !sameKey(end, first.low)) {
      throw new FerryError(
        errorDiagnostic(
          'internal',
          `new batches of "${migration}" do not start where its recorded batches end (${JSON.stringify(end)})`,
        ),
      );
    }
    const { rows } = await client.query<{ max: number }>(
      'select max(batch_no) as max from _ferry.migration_batches where migration = $1',
      [migration],
    );
    await client.query(APPEND_SQL, [migration, JSON.stringify(ranges), rows[0]?.max ?? 0]);
    return ranges.length;
  });
}

const REFRESH_SQL = `
insert into _ferry.migration_batches (migration, batch_no, key_low, key_high, cursor_low, cursor_high)
select $1,
       (select coalesce(max(batch_no), 0) from _ferry.migration_batches where migration = $1) + given.n::int,
       nullif(given.value -> 'low', 'null'::jsonb),
       nullif(given.value -> 'high', 'null'::jsonb),
       $3,
       $4
from jsonb_array_elements($2::jsonb) with ordinality as given (value, n)`;

/**
 * Records the refresh batches of one cursor window and moves the migration's cursor mark to the
 * window's end, in one transaction: the changes up to the mark are then either all recorded as work
 * to do, or the next apply looks for them again.
 *
 * @example
 * await recordRefresh(client, 'orders', [{ low: null, high: ['118734'] }], { low: '2026-11-01 00:00:00', high: '2026-11-24 17:03:12.5' });
 */
export async function recordRefresh(
  client: pg.ClientBase,
  migration: string,
  ranges: readonly KeyRange[],
  window: CursorWindow,
): Promise<void> {
  await inTransaction(client, async () => {
    await client.query('select from _ferry.migration_control where migration = $1 for update', [migration]);
    if (ranges.length > 0)
      await client.query(REFRESH_SQL, [migration, JSON.stringify(ranges), window.low, window.high]);
    await setCursorMark(client, migration, window.high);
  });
}

/** The cursor value up to which the migration's changed rows are recorded in batches; null before any. */
export async function cursorMark(client: pg.ClientBase, migration: string): Promise<string | null> {
  const { rows } = await client.query<{ cursor_mark: string | null }>(
    'select cursor_mark from _ferry.migration_control where migration = $1',
    [migration],
  );
  return rows[0]?.cursor_mark ?? null;
}

export async function setCursorMark(
  client: pg.ClientBase,
  migration: string,
  mark: string | null,
): Promise<void> {
  await client.query(
    `insert into _ferry.migration_control (migration, cursor_mark) values ($1, $2)
     on conflict (migration) do update set cursor_mark = excluded.cursor_mark`,
    [migration, mark],
  );
}

/** True when every load batch of the migration is done: a refresh may then write over their rows. */
export async function loadBatchesDone(client: pg.ClientBase, migration: string): Promise<boolean> {
  const { rows } = await client.query<{ open: number }>(
    `select count(*)::int as open from _ferry.migration_batches
     where migration = $1 and cursor_high is null and status <> 'done'`,
    [migration],
  );
  return rows[0]?.open === 0;
}
