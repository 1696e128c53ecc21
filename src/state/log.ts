// Appends structured events to `_ferry.migration_log`, the durable record of what a run decided and
// met (agent proposals, pauses, errors), kept in the target beside the data it describes.

import type pg from 'pg';

export interface StateEvent {
  /** A stable kebab-case name: `run-started`, `batch-committed`, `migration-paused`, … */
  readonly event: string;
  readonly runId?: string;
  readonly migration?: string;
  /** Any JSON value; stored as jsonb. */
  readonly data?: unknown;
}

const LOG_SQL = `
insert into _ferry.migration_log (run_id, migration, event, data)
values ($1, $2, $3, coalesce($4::jsonb, '{}'))
returning id`;

/**
 * Writes one event and returns its id. Inside a transaction it commits or rolls back with it, which
 * is what a batch's own events want; an event that must survive a rollback goes on another client.
 *
 * @example
 * await logEvent(client, { event: 'migration-paused', runId, migration: 'orders', data: { constraint } });
 */
export async function logEvent(client: pg.ClientBase, event: StateEvent): Promise<number> {
  const { rows } = await client.query<{ id: string }>(LOG_SQL, [
    event.runId ?? null,
    event.migration ?? null,
    event.event,
    event.data === undefined ? null : JSON.stringify(event.data),
  ]);
  return Number(rows[0]?.id);
}
