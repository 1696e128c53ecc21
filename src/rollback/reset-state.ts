// A rolled-back migration's state in `_ferry`, reset in the rollback's transaction so that the next
// apply starts it from scratch: its control row goes (its batches and rejects with it, by cascade),
// its key mapping and fix-up values are emptied, and the log keeps a record of the rollback.

import type pg from 'pg';
import { stateTableName } from '../runner/batch-layout.js';
import { logEvent } from '../state/log.js';
import { quoteQualifiedName } from '../util/sql.js';

/** Deleting the control row cascades to migration_batches, and from there to migration_rejects. */
const DELETE_CONTROL_SQL = 'delete from _ferry.migration_control where migration = $1';

const EXISTS_SQL = 'select to_regclass($1) is not null as found';

export interface RollbackRecord {
  readonly runId: string;
  readonly migration: string;
  /** Written to the log with the event: the table, rows deleted, batches reset, dry run or not. */
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * Resets `record.migration` to never applied and logs `migration-rolled-back`. Run it inside the
 * transaction that deleted the migration's rows: both commit together or not at all. The mapping and
 * fix-up tables stay (empty), as apply creates them once and reuses them.
 *
 * @example
 * await resetMigrationState(target, { runId, migration: 'orders', data: { rowsDeleted: 20000 } });
 */
export async function resetMigrationState(client: pg.ClientBase, record: RollbackRecord): Promise<void> {
  for (const kind of ['keymap', 'fixup'] as const) {
    const table = quoteQualifiedName(stateTableName(kind, record.migration));
    const { rows } = await client.query<{ found: boolean }>(EXISTS_SQL, [table]);
    if (rows[0]?.found) await client.query(`TRUNCATE ${table}`);
  }
  await client.query(DELETE_CONTROL_SQL, [record.migration]);
  await logEvent(client, {
    event: 'migration-rolled-back',
    runId: record.runId,
    migration: record.migration,
    data: record.data,
  });
}
