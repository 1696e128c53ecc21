// Ends a worker's lease on a batch: done (inside the transaction that commits the batch's rows, so
// rows and status commit together), failed or paused. Only the current lease holder may end it.

import type pg from 'pg';
import { errorDiagnostic, FerryError } from '../errors.js';
import type { BatchLease, BatchStatus } from './types.js';

/**
 * Matches the lease exactly (worker and attempt), so a worker whose lease expired and was taken over
 * updates nothing. The row lock it takes makes claims skip the batch until the caller's transaction
 * ends. The worker stays recorded: it says who loaded the batch.
 */
/** The batch, still leased to this very claim ($1 migration, $2 batch, $3 worker, $4 attempt). */
const WHERE_LEASED = `
where migration = $1
  and batch_no = $2
  and worker = $3
  and attempts = $4
  and status = 'running'`;

const COMPLETE_SQL = `
update _ferry.migration_batches
set status = 'done',
    rows = $5,
    skipped = $6,
    rejected = $7,
    updated = $8,
    lease_until = null,
    finished_at = clock_timestamp()${WHERE_LEASED}`;

/** $5: failed or paused. The batch's rows were rolled back; last_error says why. */
const STOP_SQL = `
update _ferry.migration_batches
set status = $5,
    last_error = $6,
    lease_until = null,
    finished_at = clock_timestamp()${WHERE_LEASED}`;

/** Used only to explain a lost lease. */
const CURRENT_SQL = `
select status, worker, attempts
from _ferry.migration_batches
where migration = $1 and batch_no = $2`;

const REQUEUE_SQL = `
update _ferry.migration_batches
set status = 'pending',
    worker = null,
    lease_until = null
where migration = $1
  and status in ('paused', 'failed')`;

/**
 * Marks a leased batch done with the number of rows it loaded. Call it inside the transaction that
 * writes the batch's rows, just before COMMIT: the rows and the status then commit together or not
 * at all. Throws `state.lease-lost` when the batch is no longer this lease's (it expired and another
 * worker claimed the batch); the caller must then roll back, because the new holder loads those rows.
 *
 * @example
 * await client.query('begin');
 * // … COPY the batch's rows into the target
 * await completeBatch(client, { ...batch, rows: 5000 });
 * await client.query('commit');
 */
export async function completeBatch(
  client: pg.ClientBase,
  done: BatchLease & {
    readonly rows: number;
    readonly skipped?: number;
    readonly rejected?: number;
    /** Rows a refresh batch updated in place. */
    readonly updated?: number;
  },
): Promise<void> {
  const result = await client.query(COMPLETE_SQL, [
    ...leaseValues(done),
    done.rows,
    done.skipped ?? 0,
    done.rejected ?? 0,
    done.updated ?? 0,
  ]);
  if (result.rowCount === 1) return;
  throw await leaseLost(client, done);
}

/**
 * Marks a leased batch failed with the error that stopped it; nothing claims it again until it is
 * requeued. False when the lease was already lost, and nothing changed.
 *
 * @example
 * await client.query('rollback');
 * await failBatch(client, batch, 'connection to the source lost four times');
 */
export function failBatch(client: pg.ClientBase, lease: BatchLease, error: string): Promise<boolean> {
  return stopBatch(client, lease, 'failed', error);
}

/**
 * Marks a leased batch paused, for a constraint violation the user must resolve; `reason` is shown
 * in status output. False when the lease was already lost, and nothing changed.
 *
 * @example
 * await client.query('rollback');
 * await pauseBatch(client, batch, 'orders_customer_id_fkey: key (customer_id)=(17) is not present');
 */
export function pauseBatch(client: pg.ClientBase, lease: BatchLease, reason: string): Promise<boolean> {
  return stopBatch(client, lease, 'paused', reason);
}

/**
 * Makes the paused and failed batches of `migration` claimable again, keeping their attempts and
 * last error; returns how many. What a resumed `apply` does once the user has fixed the cause.
 *
 * @example
 * const requeued = await requeueBatches(client, 'orders');
 */
export async function requeueBatches(client: pg.ClientBase, migration: string): Promise<number> {
  const result = await client.query(REQUEUE_SQL, [migration]);
  return result.rowCount ?? 0;
}

async function stopBatch(
  client: pg.ClientBase,
  lease: BatchLease,
  status: Extract<BatchStatus, 'failed' | 'paused'>,
  error: string,
): Promise<boolean> {
  const result = await client.query(STOP_SQL, [...leaseValues(lease), status, error]);
  return result.rowCount === 1;
}

function leaseValues(lease: BatchLease): [string, number, string, number] {
  return [lease.migration, lease.batchNo, lease.worker, lease.attempt];
}

async function leaseLost(client: pg.ClientBase, lease: BatchLease): Promise<FerryError> {
  const { rows } = await client.query<{ status: BatchStatus; worker: string | null; attempts: number }>(
    CURRENT_SQL,
    [lease.migration, lease.batchNo],
  );
  const current = rows[0];
  const now = !current
    ? 'it is no longer recorded'
    : current.status === 'running'
      ? `worker "${current.worker}" holds it (attempt ${current.attempts})`
      : `it is ${current.status}`;
  return new FerryError(
    errorDiagnostic(
      'state.lease-lost',
      `batch ${lease.batchNo} of migration "${lease.migration}" is no longer leased to worker "${lease.worker}" (attempt ${lease.attempt}): ${now}`,
      {
        hint: 'its lease expired before the batch could commit, and another worker took the batch over and loads it instead; if this repeats, give batches a longer lease or make them smaller',
      },
    ),
  );
}

const RELEASE_SQL = `
update _ferry.migration_batches
   set status = 'pending', worker = null, lease_until = null
 where migration = $1 and status = 'running' and ($2::text is null or worker = $2)`;

/**
 * Gives back batches still leased: all of the migration's (only while holding the run lock, when no
 * other worker of this target can be running: their workers can only have died), or those of one
 * `worker` (its own, after its connection broke). Their rows were never committed (rows and
 * completion commit together), so they are simply claimable again.
 *
 * @example
 * await withRunLock(client, 'apply', () => releaseLeases(client, 'orders'));
 */
export async function releaseLeases(
  client: pg.ClientBase,
  migration: string,
  worker?: string,
): Promise<number> {
  const result = await client.query(RELEASE_SQL, [migration, worker ?? null]);
  return result.rowCount ?? 0;
}
