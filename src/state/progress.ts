// How far each migration's batches have got: what `status` prints and the progress bars start from.

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
}

const PROGRESS_SQL = `
select migration,
       count(*)::int as batches,
       count(*) filter (where status = 'pending')::int as pending,
       count(*) filter (where status = 'running')::int as running,
       count(*) filter (where status = 'done')::int as done,
       count(*) filter (where status = 'paused')::int as paused,
       count(*) filter (where status = 'failed')::int as failed,
       coalesce(sum(rows) filter (where status = 'done'), 0)::float8 as rows
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
