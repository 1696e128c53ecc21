// One row per migration in `_ferry.migration_control`: its phase and what it was applied from.
// `apply` moves the phase along; `status` and `diff` read it back.

import type pg from 'pg';
import type { MigrationPhase } from './types.js';

/** Fields to record with a phase; an absent field keeps its recorded value, null clears it. */
export interface MigrationFields {
  readonly specHash?: string | null;
  readonly mappingHash?: string | null;
  /** The quoted qualified name, as quoteQualifiedName prints it. */
  readonly sourceTable?: string | null;
  readonly targetTable?: string | null;
  readonly keyColumns?: readonly string[] | null;
  readonly rowsLoaded?: number;
  readonly checksum?: string | null;
  readonly runId?: string | null;
  readonly gitSha?: string | null;
  /** Kept only while the phase is paused. Any JSON: the constraint, the detail, the source keys. */
  readonly pausedReason?: unknown;
}

export interface MigrationControl {
  readonly migration: string;
  readonly phase: MigrationPhase;
  readonly specHash: string | null;
  readonly mappingHash: string | null;
  readonly sourceTable: string | null;
  readonly targetTable: string | null;
  readonly keyColumns: readonly string[] | null;
  readonly rowsLoaded: number;
  readonly checksum: string | null;
  readonly runId: string | null;
  readonly gitSha: string | null;
  readonly pausedReason: unknown;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly updatedAt: Date;
}

/** The JSON keys are the columns' names, so jsonb_populate_record fills exactly the given ones. */
const FIELD_COLUMNS: Readonly<Record<keyof MigrationFields, string>> = {
  specHash: 'spec_hash',
  mappingHash: 'mapping_hash',
  sourceTable: 'source_table',
  targetTable: 'target_table',
  keyColumns: 'key_columns',
  rowsLoaded: 'rows_loaded',
  checksum: 'checksum',
  runId: 'run_id',
  gitSha: 'git_sha',
  pausedReason: 'paused_reason',
};

const ENSURE_SQL = `
insert into _ferry.migration_control (migration)
values ($1)
on conflict (migration) do nothing`;

/**
 * jsonb_populate_record over the current row overrides only the columns named in $3. The timestamps
 * follow the phase: started when it first leaves pending, finished when it reaches done.
 */
const UPDATE_SQL = `
update _ferry.migration_control as control
set (spec_hash, mapping_hash, source_table, target_table, key_columns,
     rows_loaded, checksum, run_id, git_sha, paused_reason) = (
      select given.spec_hash, given.mapping_hash, given.source_table, given.target_table, given.key_columns,
             given.rows_loaded, given.checksum, given.run_id, given.git_sha,
             case when $2::text = 'paused' then given.paused_reason end
      from jsonb_populate_record(control, $3::jsonb) as given
    ),
    phase = $2::text,
    started_at = case when $2::text = 'pending' then null else coalesce(control.started_at, clock_timestamp()) end,
    finished_at = case when $2::text = 'done' then coalesce(control.finished_at, clock_timestamp()) end,
    updated_at = clock_timestamp()
where control.migration = $1`;

const SELECT_SQL = `
select migration,
       phase,
       spec_hash as "specHash",
       mapping_hash as "mappingHash",
       source_table as "sourceTable",
       target_table as "targetTable",
       key_columns as "keyColumns",
       rows_loaded::float8 as "rowsLoaded",
       checksum,
       run_id::text as "runId",
       git_sha as "gitSha",
       paused_reason as "pausedReason",
       started_at as "startedAt",
       finished_at as "finishedAt",
       updated_at as "updatedAt"
from _ferry.migration_control
where $1::text is null or migration = $1
order by migration`;

/**
 * Moves `migration` to `phase`, creating its row on first use, and records the given fields with it.
 * Plain statements without a transaction of their own: call it alone, or inside the transaction
 * whose work the phase describes.
 *
 * @example
 * await setMigrationPhase(client, 'orders', 'loading', { runId, specHash: node.specHash, gitSha });
 * await setMigrationPhase(client, 'orders', 'paused', { pausedReason: { constraint: 'orders_customer_fk' } });
 */
export async function setMigrationPhase(
  client: pg.ClientBase,
  migration: string,
  phase: MigrationPhase,
  fields: MigrationFields = {},
): Promise<MigrationControl> {
  await client.query(ENSURE_SQL, [migration]);
  await client.query(UPDATE_SQL, [migration, phase, JSON.stringify(columnValues(fields))]);
  const [control] = await readMigrationControl(client, migration);
  if (!control) throw new Error(`migration_control row of "${migration}" vanished while being written`);
  return control;
}

/**
 * The recorded state of every migration, by name; of one migration when `migration` is given.
 *
 * @example
 * for (const m of await readMigrationControl(client)) console.log(m.migration, m.phase, m.rowsLoaded);
 */
export async function readMigrationControl(
  client: pg.ClientBase,
  migration?: string,
): Promise<MigrationControl[]> {
  const { rows } = await client.query<MigrationControl>(SELECT_SQL, [migration ?? null]);
  return rows;
}

function columnValues(fields: MigrationFields): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(FIELD_COLUMNS) as [keyof MigrationFields, string][]) {
    if (fields[field] !== undefined) values[column] = fields[field];
  }
  return values;
}
