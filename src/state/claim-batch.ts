// Hands out batches to workers: several processes, or machines, share one run by claiming from
// `_ferry` with SKIP LOCKED, and a batch whose worker died is claimed again once its lease expires.

import type pg from 'pg';
import type { BatchLease, ClaimedBatch, KeyValue } from './types.js';

/**
 * One statement, so a claim is atomic: the subquery picks and row-locks the first claimable batch,
 * skipping rows other claims have locked this instant, and the update leases it.
 */
export const CLAIM_SQL = `
update _ferry.migration_batches as claimed
set status = 'running',
    worker = $2,
    lease_until = now() + make_interval(secs => $3::float8),
    attempts = claimed.attempts + 1,
    started_at = now(),
    finished_at = null
where (claimed.migration, claimed.batch_no) = (
  select migration, batch_no
  from _ferry.migration_batches
  where migration = $1
    and (status = 'pending' or (status = 'running' and lease_until < now()))
  order by batch_no
  limit 1
  for update skip locked
)
returning claimed.batch_no, claimed.key_low, claimed.key_high, claimed.cursor_low, claimed.cursor_high,
          claimed.attempts, claimed.lease_until`;

/** clock_timestamp, not now: a heartbeat may run inside a transaction that began long ago. */
const RENEW_SQL = `
update _ferry.migration_batches
set lease_until = clock_timestamp() + make_interval(secs => $5::float8)
where migration = $1
  and batch_no = $2
  and worker = $3
  and attempts = $4
  and status = 'running'
returning lease_until`;

interface ClaimRow {
  readonly batch_no: number;
  readonly key_low: KeyValue | null;
  readonly key_high: KeyValue | null;
  readonly cursor_low: string | null;
  readonly cursor_high: string | null;
  readonly attempts: number;
  readonly lease_until: Date;
}

export interface ClaimOptions {
  readonly migration: string;
  /** Names this worker in `_ferry` and must be unique among live workers: host, pid and a random part. */
  readonly worker: string;
  /** How long the batch stays this worker's without a renewal; then any worker may claim it again. */
  readonly leaseSeconds: number;
}

/**
 * Claims the first pending batch of `migration`, or one whose lease has expired, and leases it to
 * `worker`. Undefined when no batch is claimable now (all done, paused, failed or leased). Run it
 * outside a transaction, so that the claim is visible to other workers at once.
 *
 * @example
 * const batch = await claimBatch(client, { migration: 'orders', worker: 'ci-3:4711:9f2c', leaseSeconds: 300 });
 * if (batch) console.log(`batch ${batch.batchNo}: keys after ${batch.range.low} through ${batch.range.high}`);
 */
export async function claimBatch(
  client: pg.ClientBase,
  options: ClaimOptions,
): Promise<ClaimedBatch | undefined> {
  const { rows } = await client.query<ClaimRow>(CLAIM_SQL, [
    options.migration,
    options.worker,
    options.leaseSeconds,
  ]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    migration: options.migration,
    batchNo: row.batch_no,
    worker: options.worker,
    attempt: row.attempts,
    range: { low: row.key_low, high: row.key_high },
    ...(row.cursor_high === null ? {} : { cursor: { low: row.cursor_low, high: row.cursor_high } }),
    leaseUntil: row.lease_until,
  };
}

/**
 * Extends a lease for a batch that takes longer than expected; undefined when the lease was already
 * lost (another worker claimed the batch after it expired), and the work should be abandoned.
 *
 * @example
 * const until = await renewLease(client, batch, 300);
 * if (!until) throw new Error(`lost batch ${batch.batchNo}`);
 */
export async function renewLease(
  client: pg.ClientBase,
  lease: BatchLease,
  leaseSeconds: number,
): Promise<Date | undefined> {
  const { rows } = await client.query<{ lease_until: Date }>(RENEW_SQL, [
    lease.migration,
    lease.batchNo,
    lease.worker,
    lease.attempt,
    leaseSeconds,
  ]);
  return rows[0]?.lease_until;
}
