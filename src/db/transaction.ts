// One transaction around a unit of work: committed when the work returns, rolled back when it throws
// (and the work's own error is what the caller sees, not a failure of the rollback).

import type pg from 'pg';

/**
 * Runs `work` inside `begin` … `commit` on `client`, rolling back when it throws. The client must not
 * be inside a transaction already (inside a dry run, nestTransactions makes this a savepoint).
 *
 * @example
 * const batches = await inTransaction(client, async () => {
 *   await client.query('select pg_advisory_xact_lock(1)');
 *   return readBatches(client);
 * });
 */
export async function inTransaction<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    const result = await work();
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}
