// Halves a batch that was too big to load: a statement timeout or an out-of-memory error says the
// batch, not the data, is at fault. The batch keeps its number and its first half; its second half
// becomes a new batch at the end. Together they cover exactly the range the batch covered.

import type pg from 'pg';
import { inTransaction } from '../db/transaction.js';
import type { BatchLease, KeyValue } from './types.js';

const SPLIT_SQL = `
with halved as (
  update _ferry.migration_batches
     set key_high = $5::jsonb, status = 'pending', worker = null, lease_until = null, last_error = $6
   where migration = $1 and batch_no = $2 and worker = $3 and attempts = $4 and status = 'running'
  returning migration, key_high as middle, $7::jsonb as old_high, cursor_low, cursor_high
)
insert into _ferry.migration_batches (migration, batch_no, key_low, key_high, cursor_low, cursor_high)
select h.migration,
       (select max(batch_no) + 1 from _ferry.migration_batches where migration = h.migration),
       h.middle,
       h.old_high,
       h.cursor_low,
       h.cursor_high
from halved h
returning batch_no`;

/**
 * Cuts the leased batch at `middle`: it keeps (low, middle] and is claimable again; (middle, high]
 * becomes a new pending batch, whose number is returned. Undefined when the lease was lost. Runs its
 * own transaction, so the two halves appear together or not at all.
 *
 * @example
 * const second = await splitBatch(client, batch, batch.range.high, ['5000'], 'statement timeout');
 */
export async function splitBatch(
  client: pg.ClientBase,
  lease: BatchLease,
  high: KeyValue | null,
  middle: KeyValue,
  reason: string,
): Promise<number | undefined> {
  return inTransaction(client, async () => {
    // Two workers halving batches of one migration at once would draw the same new number.
    await client.query('select from _ferry.migration_control where migration = $1 for update', [
      lease.migration,
    ]);
    const { rows } = await client.query<{ batch_no: number }>(SPLIT_SQL, [
      lease.migration,
      lease.batchNo,
      lease.worker,
      lease.attempt,
      JSON.stringify(middle),
      reason,
      high === null ? null : JSON.stringify(high),
    ]);
    return rows[0]?.batch_no;
  });
}
