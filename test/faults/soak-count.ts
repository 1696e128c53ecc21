// What the soak counts against the source itself, never against ferry's bookkeeping: per migrated
// table the source's rows by key and by a hash of their mapped values, and the target's; and, after
// each kill, what the dead run left (only rows of committed batches) and where the kill landed.

import type pg from 'pg';
import type { TestDatabase } from '../support/database.js';
import type { Workload } from '../support/workload.js';
import { SOAK_CHECKS, SOAK_TABLES, type SoakCheck } from './soak-workload.js';

export interface RowCounts {
  /** Source rows whose key the target lacks. */
  readonly lost: number;
  /** Target rows beyond one per source key: doubled rows, and rows of keys the source lacks. */
  readonly duplicated: number;
  /** Source rows whose key the target holds, but with other values. */
  readonly changed: number;
}

/**
 * Each row of a check as its key (the first `keyColumns` values) and the md5 of the whole row, in
 * one time zone and date style on both sides so that values print alike.
 */
function keyedRowsSql(check: string): string {
  return `SELECT (SELECT string_agg(coalesce(j.value, 'NULL'), ',' ORDER BY j.n)
                    FROM json_each_text(row_to_json(t)) WITH ORDINALITY AS j(name, value, n)
                   WHERE j.n <= $1) AS key,
                 md5(t::text) AS hash
            FROM (${check}) t`;
}

async function keyedRows(database: TestDatabase, select: string, keyColumns: number) {
  return database.withClient(async (client) => {
    await client.query(`SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'`);
    const { rows } = await client.query<{ key: string; hash: string }>(keyedRowsSql(select), [keyColumns]);
    return rows;
  });
}

/** Lost, duplicated and changed rows of one migration, source against target. */
async function countTable(workload: Workload, check: SoakCheck): Promise<RowCounts> {
  const [source, target] = await Promise.all([
    keyedRows(workload.source, check.source, check.keyColumns),
    keyedRows(workload.target, check.target, check.keyColumns),
  ]);
  const expected = new Map(source.map((row) => [row.key, row.hash]));
  const found = new Map<string, string[]>();
  for (const row of target) found.set(row.key, [...(found.get(row.key) ?? []), row.hash]);
  let lost = 0;
  let changed = 0;
  for (const [key, hash] of expected) {
    const hashes = found.get(key);
    if (hashes === undefined) lost += 1;
    else if (!hashes.includes(hash)) changed += 1;
  }
  let duplicated = 0;
  for (const [key, hashes] of found) duplicated += hashes.length - (expected.has(key) ? 1 : 0);
  return { lost, duplicated, changed };
}

/** Every migration of the soak's plan counted, summed. */
export async function countRows(workload: Workload): Promise<RowCounts> {
  let total: RowCounts = { lost: 0, duplicated: 0, changed: 0 };
  for (const check of Object.values(SOAK_CHECKS)) {
    const counts = await countTable(workload, check);
    total = {
      lost: total.lost + counts.lost,
      duplicated: total.duplicated + counts.duplicated,
      changed: total.changed + counts.changed,
    };
  }
  return total;
}

/**
 * The tables' keys, indexes and foreign keys as the server prints them, to tell that a bulk rebuild
 * left the target as it found it.
 */
export async function targetConstraints(target: TestDatabase): Promise<string[]> {
  const rows = await target.query<{ definition: string }>(
    `SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS definition
       FROM pg_constraint WHERE connamespace = 'app'::regnamespace
     UNION ALL
     SELECT indexdef FROM pg_indexes WHERE schemaname = 'app'
     ORDER BY 1`,
  );
  return rows.map((row) => row.definition);
}

/** `_ferry` as a killed run left it, read in one snapshot. */
interface StateAfterKill {
  readonly hasState: boolean;
  readonly phases: ReadonlyMap<string, string>;
  /** Rows of the done batches, per migration. */
  readonly committedRows: ReadonlyMap<string, number>;
  /** Batches recorded and not done. */
  readonly remainingBatches: number;
  /** Migrations with a batch the killed process was loading (a batch an earlier kill left counts not). */
  readonly running: readonly string[];
  /** Objects a bulk load dropped and no rebuild has finished; with how many rebuild steps ran. */
  readonly deferred: { readonly objects: number; readonly stepsDone: number };
}

async function readState(client: pg.ClientBase, pid: number): Promise<StateAfterKill> {
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = '_ferry'`,
  );
  const present = new Set(tables.map((t) => t.name));
  const empty = { objects: 0, stepsDone: 0 };
  if (!present.has('migration_control'))
    return {
      hasState: false,
      phases: new Map(),
      committedRows: new Map(),
      remainingBatches: 0,
      running: [],
      deferred: empty,
    };
  const { rows: phases } = await client.query<{ migration: string; phase: string }>(
    `SELECT migration, phase FROM _ferry.migration_control`,
  );
  const { rows: batches } = await client.query<{
    migration: string;
    rows: number;
    running: boolean;
    remaining: number;
  }>(
    `SELECT migration, coalesce(sum(rows) FILTER (WHERE status = 'done'), 0)::int AS rows,
            bool_or(status = 'running' AND worker LIKE $1) AS running,
            count(*) FILTER (WHERE status <> 'done')::int AS remaining
       FROM _ferry.migration_batches GROUP BY migration`,
    [`%:${pid}:%`],
  );
  let deferred = empty;
  if (present.has('deferred_ddl')) {
    const { rows } = await client.query<{ objects: number; steps: number }>(
      `SELECT count(*)::int AS objects, coalesce(sum(steps_done), 0)::int AS steps FROM _ferry.deferred_ddl`,
    );
    deferred = { objects: rows[0]?.objects ?? 0, stepsDone: rows[0]?.steps ?? 0 };
  }
  return {
    hasState: true,
    phases: new Map(phases.map((p) => [p.migration, p.phase])),
    committedRows: new Map(batches.map((b) => [b.migration, b.rows])),
    remainingBatches: batches.reduce((sum, b) => sum + b.remaining, 0),
    running: batches.filter((b) => b.running).map((b) => b.migration),
    deferred,
  };
}

export interface KillAftermath {
  /** Where the kill landed: a phase of the run, read from what it left. */
  readonly landing: string;
  /** Tables whose rows are not exactly the rows of their committed batches, with both counts. */
  readonly mismatches: readonly string[];
}

/**
 * What the killed run (process `pid`) left: every target table holds exactly the rows its committed
 * batches recorded (none when the migration has no state), and the step the kill landed in.
 */
export async function readAftermath(target: TestDatabase, pid: number): Promise<KillAftermath> {
  return target.withClient(async (client) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    try {
      const state = await readState(client, pid);
      const mismatches: string[] = [];
      for (const [migration, table] of Object.entries(SOAK_TABLES)) {
        const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
        const held = rows[0]?.n ?? 0;
        const committed = state.committedRows.get(migration) ?? 0;
        if (held !== committed) mismatches.push(`${table}: ${held} rows, ${committed} in committed batches`);
      }
      return { landing: landingOf(state), mismatches };
    } finally {
      await client.query('ROLLBACK');
    }
  });
}

function landingOf(state: StateAfterKill): string {
  if (!state.hasState) return 'before any state';
  const phases = [...state.phases.values()];
  const everyMigration = phases.length === Object.keys(SOAK_TABLES).length;
  const allLoaded = everyMigration && phases.every((p) => p === 'done');
  if (state.deferred.objects > 0 && (state.deferred.stepsDone > 0 || allLoaded)) return 'bulk rebuild';
  const othersDone = phases.filter((p) => p !== 'done').length === 1;
  if (phases.includes('fixup') && othersDone && state.running.length === 0) return 'fix-up';
  if (state.running.length > 0) return `batch of ${[...state.running].sort().join('+')}`;
  if (allLoaded) return 'after the load';
  if (everyMigration && state.remainingBatches === 0) return 'finishing (every batch done)';
  const anyCommitted = [...state.committedRows.values()].some((rows) => rows > 0);
  if (state.deferred.objects > 0 && !anyCommitted) return 'after the bulk drop';
  return 'between batches';
}
