// The lock that keeps two `ferry apply` runs (or a run and a rollback) off the same target at once.
// A session advisory lock: PostgreSQL drops it by itself when the holder's connection ends.

import type pg from 'pg';
import { errorDiagnostic, FerryError } from '../errors.js';
import { runLockKey, runLockTag } from './advisory-locks.js';

const TRY_LOCK_SQL = 'select pg_try_advisory_lock($1::int8) as locked';

const UNLOCK_SQL = 'select pg_advisory_unlock($1::int8) as unlocked';

/** Who holds an int8 advisory lock in this database, for the message of `state.locked`. */
const HOLDER_SQL = `
select l.pid,
       a.application_name,
       a.backend_start
from pg_locks l
left join pg_stat_activity a on a.pid = l.pid
where l.locktype = 'advisory'
  and l.granted
  and l.database = (select oid from pg_database where datname = current_database())
  and l.classid = $1::oid
  and l.objid = $2::oid
  and l.objsubid = 1
limit 1`;

interface HolderRow {
  readonly pid: number;
  readonly application_name: string | null;
  readonly backend_start: Date | null;
}

/**
 * Runs `work` while holding the run lock named `key` on this connection, and always releases it.
 * Throws `state.locked` at once, without waiting, when another session holds it. The lock belongs to
 * the session, so `work` must use this same client for everything that needs the lock's protection.
 * Locks are reentrant on one session: a nested `withRunLock` with the same key succeeds.
 *
 * @example
 * await withRunLock(client, 'apply', async () => {
 *   await upgradeState(client);
 *   // … claim and load batches
 * });
 */
export async function withRunLock<T>(client: pg.ClientBase, key: string, work: () => Promise<T>): Promise<T> {
  const lockKey = runLockKey(key);
  const { rows } = await client.query<{ locked: boolean }>(TRY_LOCK_SQL, [lockKey]);
  if (!rows[0]?.locked) throw await lockedError(client, key, lockKey);
  try {
    return await work();
  } finally {
    await unlock(client, lockKey);
  }
}

/**
 * Releases the lock even when `work` left a failed transaction open (a function call is refused in
 * one, and the lock would otherwise outlive the run). A lost connection needs nothing: the server
 * released the lock when the session ended.
 */
async function unlock(client: pg.ClientBase, lockKey: string): Promise<void> {
  try {
    await client.query(UNLOCK_SQL, [lockKey]);
  } catch (error) {
    if (sqlState(error) !== '25P02') return;
    await client.query('rollback').catch(() => {});
    await client.query(UNLOCK_SQL, [lockKey]).catch(() => {});
  }
}

/**
 * True while some session holds the run lock `key` on this database (this one included).
 *
 * @example
 * if (!(await isRunLockHeld(client, 'apply'))) console.log('no apply is running');
 */
export async function isRunLockHeld(client: pg.ClientBase, key: string): Promise<boolean> {
  const tag = runLockTag(runLockKey(key));
  const { rows } = await client.query<HolderRow>(HOLDER_SQL, [tag.classid, tag.objid]);
  return rows.length > 0;
}

async function lockedError(client: pg.ClientBase, key: string, lockKey: string): Promise<FerryError> {
  const tag = runLockTag(lockKey);
  const { rows } = await client.query<HolderRow>(HOLDER_SQL, [tag.classid, tag.objid]);
  const holder = rows[0];
  const who = holder ? ` (${describeHolder(holder)})` : '';
  const ending = holder
    ? `if that process is gone but its session is stuck, end it with select pg_terminate_backend(${holder.pid})`
    : 'it may just have finished: try again';
  return new FerryError(
    errorDiagnostic('state.locked', `another ferry run holds the lock "${key}" on the target${who}`, {
      hint: `wait for that run to finish; ${ending}`,
    }),
  );
}

function describeHolder(holder: HolderRow): string {
  const parts = [`backend pid ${holder.pid}`];
  if (holder.application_name) parts.push(`application "${holder.application_name}"`);
  if (holder.backend_start) parts.push(`connected since ${holder.backend_start.toISOString()}`);
  return parts.join(', ');
}

function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
