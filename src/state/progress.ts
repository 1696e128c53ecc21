// How far each migration's batches have got, and how long they took: what `status` prints (batches,
// rows, rate, ETA) and the progress bars start from.

import type pg from 'pg';

export interface BatchProgress {
  readonly migration: string;
  readonly batches: number;
  readonly pending: number;
  /** Leased to a worker, or held by one that died and whose lease has not been reclaimed yet. */
  readonly running: number;
  readonly done: number;
  readonly paused: number;
  readonly failed: number;
  /** Rows committed by the done batches. */
  readonly rows: number;
  /** Rows the done batches left out: a ref without a migrated parent under onOrphan skip. */
  readonly skipped: number;
  /** Rows the done batches set aside in migration_rejects (onError reject). */
  readonly rejected: number;
}

const PROGRESS_SQL = `
select migration,
       count(*)::int as batches,
       count(*) filter (where status = 'pending')::int as pending,
       count(*) filter (where status = 'running')::int as running,
       count(*) filter (where status = 'done')::int as done,
       count(*) filter (where status = 'paused')::int as paused,
       count(*) filter (where status = 'failed')::int as failed,
       coalesce(sum(rows) filter (where status = 'done'), 0)::float8 as rows,
       coalesce(sum(skipped) filter (where status = 'done'), 0)::float8 as skipped,
       coalesce(sum(rejected) filter (where status = 'done'), 0)::float8 as rejected
from _ferry.migration_batches
where $1::text is null or migration = $1
group by migration
order by migration`;

/**
 * Batch counts per status and loaded rows, per migration (only `migration` when given). A migration
 * without recorded batches has no entry.
 *
 * @example
 * const [orders] = await batchProgress(client, 'orders');
 * console.log(`${orders?.done ?? 0}/${orders?.batches ?? 0} batches, ${orders?.rows ?? 0} rows`);
 */
export async function batchProgress(client: pg.ClientBase, migration?: string): Promise<BatchProgress[]> {
  const { rows } = await client.query<BatchProgress>(PROGRESS_SQL, [migration ?? null]);
  return rows;
}

export interface LoadTime {
  readonly migration: string;
  /** Seconds in which at least one of its batches was loading. */
  readonly seconds: number;
}

/**
 * The length of the union of the intervals in which batches loaded: done batches from start to
 * finish, batches under a live lease from start to now (so a load that stalls shows a falling rate).
 * Ordered by start, each interval adds only the part that reaches past every earlier one, so batches
 * loaded side by side count once, and the idle time between two runs not at all.
 */
const LOAD_TIME_SQL = `
with clock as (
  select coalesce($2::timestamptz, now()) as now
),
spans as (
  select migration,
         started_at as low,
         case when status = 'done' then finished_at else clock.now end as high
  from _ferry.migration_batches, clock
  where ($1::text is null or migration = $1)
    and started_at is not null
    and ((status = 'done' and finished_at is not null) or (status = 'running' and lease_until > clock.now))
),
reached as (
  select migration, low, high,
         max(high) over (partition by migration order by low, high
                         rows between unbounded preceding and 1 preceding) as before
  from spans
)
select migration,
       coalesce(sum(greatest(extract(epoch from high - greatest(low, coalesce(before, low))), 0)), 0)::float8
         as seconds
from reached
group by migration
order by migration`;

/**
 * Seconds of loading per migration that has started batches (only `migration` when given): parallel
 * batches count once, idle time between runs not at all. `now` (the database's clock when absent)
 * ends the batches still loading.
 *
 * @example
 * const [orders] = await batchLoadTimes(client, { migration: 'orders' });
 * console.log(`${orders?.seconds ?? 0} s spent loading orders`);
 */
export async function batchLoadTimes(
  client: pg.ClientBase,
  options: { readonly migration?: string; readonly now?: Date } = {},
): Promise<LoadTime[]> {
  const { rows } = await client.query<LoadTime>(LOAD_TIME_SQL, [
    options.migration ?? null,
    options.now ?? null,
  ]);
  return rows;
}
