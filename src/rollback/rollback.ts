// `rollback` as a library function: what ferry inserted into the target is deleted and the state of
// those migrations reset, children before parents, in ONE target transaction under the run lock:
// either every selected migration is rolled back or none is. A dry run does the same and undoes it.

import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { introspectPostgres } from '../catalog/postgres/introspect.js';
import type { MigrationNode, Plan } from '../compiler/plan.js';
import { type PlanProjectOptions, planProject } from '../compiler/plan-project.js';
import { type Selection, selectMigrations } from '../compiler/select.js';
import { connectPostgres } from '../db/postgres.js';
import { type Diagnostic, errorDiagnostic, FerryError } from '../errors.js';
import { pendingRestore } from '../runner/bulk.js';
import { alignSessions, sessionTimeZone } from '../runner/session.js';
import { openWholeTables, sourceDialect, type WholeTableSource } from '../source/dialect.js';
import { formatQualifiedName } from '../spec/qualified-name.js';
import type { KeyStrategy } from '../spec/types.js';
import { type MigrationControl, readMigrationControl } from '../state/control.js';
import { finalizedAt } from '../state/finalized.js';
import { type BatchStatus, type KeyValue, upgradeState, withRunLock } from '../state/index.js';
import { stateVersion } from '../state/version.js';
import { quoteQualifiedName } from '../util/sql.js';
import { LookupIndexes } from './lookup-indexes.js';
import { deletionOrder } from './order.js';
import { type BatchRecord, type PreparedMigration, prepareMigration, recordedTable } from './prepare.js';
import { assertNotReferenced, type ReferenceContext } from './references.js';
import { resetMigrationState } from './reset-state.js';

export interface RollbackOptions extends Omit<PlanProjectOptions, 'frozenLock' | 'updateLock'>, Selection {
  /** Delete and reset inside the transaction, report, and roll the transaction back. */
  readonly dryRun?: boolean;
  /** Roll back migrations that `ferry finalize` handed over too. */
  readonly force?: boolean;
}

export interface RolledBackMigration {
  readonly migration: string;
  /** The target table as `schema.table`; null when the state does not name one. */
  readonly table: string | null;
  readonly keys: KeyStrategy;
  /** False for a migration that has state but is no longer in the specs. */
  readonly inSpecs: boolean;
  readonly rowsDeleted: number;
  /** What its done batches recorded loading: equal to rowsDeleted unless rows were changed by hand. */
  readonly rowsLoaded: number;
  /** Batches whose rows were committed, and so deleted now. */
  readonly batchesDone: number;
  /** Every batch recorded for it: all are gone from `_ferry`, to be planned afresh by the next apply. */
  readonly batchesReset: number;
}

export interface RollbackResult {
  readonly dryRun: boolean;
  /** In the order they were rolled back: children before parents. */
  readonly migrations: readonly RolledBackMigration[];
  /** A dry run that met a refusal: why (the migrations before it are listed); a real run throws it. */
  readonly refused?: Diagnostic;
}

/**
 * Rolls back the selected migrations (all that have state when nothing is selected): deletes the
 * rows they wrote into the target and resets their state, so that the next apply loads them afresh.
 * Throws `rollback.referenced` (and changes nothing) when rows that stay reference rows it would
 * delete, `rollback.unsupported` when a migration's rows cannot be told from others, and
 * `state.locked` while an apply runs.
 *
 * @example
 * const result = await rollbackProject({ projectDir: '.', agents: (p) => buildAgents(p, { cwd: '.' }), select: ['orders+'] });
 * for (const m of result.migrations) console.log(m.migration, m.rowsDeleted);
 */
export async function rollbackProject(options: RollbackOptions): Promise<RollbackResult> {
  const dryRun = options.dryRun === true;
  const { plan, specs, catalogs } = await planProject({ ...options, frozenLock: true });
  const session = { timeZone: sessionTimeZone(plan) };
  const target = await connectPostgres(specs.project.target.url, 'target', session);
  let source: WholeTableSource | undefined;
  const openSource = async () => {
    if (source) return source;
    const urls = { source: specs.project.source.url, target: specs.project.target.url, ...session };
    source = await openWholeTables(urls, catalogs.source);
    // Batch bounds were printed by the source and are read back by the target: alike, as in apply.
    await alignSessions(source.sql, target);
    return source;
  };
  try {
    // Nothing was ever applied here: there is nothing to roll back, and nothing to create.
    if ((await stateVersion(target)) === undefined) return { dryRun, migrations: [] };
    await upgradeState(target);
    return await withRunLock(target, 'apply', async () => {
      await refuseBulkPending(target);
      const controls = await readMigrationControl(target);
      const selected = selectForRollback(plan, controls, options);
      if (selected.length === 0) return { dryRun, migrations: [] };
      if (!options.force) await refuseFinalized(target, selected);
      const batches = await readBatches(
        target,
        selected.map((c) => c.migration),
      );
      const context = {
        plan,
        source: sourceDialect(specs.project.source.url).sqlCatalog(catalogs.source),
        target: await introspectPostgres(target, { schemas: targetSchemas(plan, selected) }),
        stateTables: await stateTables(target),
        openSource,
      };
      const prepared: PreparedMigration[] = [];
      for (const control of selected) {
        prepared.push(await prepareMigration(control, batches.get(control.migration) ?? [], context));
      }
      const ordered = deletionOrder(
        prepared,
        context.target,
        plan.migrations.map((m) => m.name),
      );
      return await rollBackInOneTransaction(target, ordered, {
        dryRun,
        runId: randomUUID(),
        owners: owners(plan.migrations, controls),
        selected: new Set(selected.map((c) => c.migration)),
      });
    });
  } finally {
    await Promise.all([target.end().catch(() => {}), source?.end()]);
  }
}

interface RunContext extends ReferenceContext {
  readonly dryRun: boolean;
  readonly runId: string;
}

async function rollBackInOneTransaction(
  target: pg.ClientBase,
  ordered: readonly PreparedMigration[],
  context: RunContext,
): Promise<RollbackResult> {
  const done: RolledBackMigration[] = [];
  let current: string | undefined;
  await target.query('BEGIN');
  try {
    // A deferred foreign key would be checked only at a COMMIT that a dry run never reaches.
    await target.query('SET CONSTRAINTS ALL IMMEDIATE');
    const indexes = new LookupIndexes();
    for (const migration of ordered) {
      current = migration.migration;
      done.push(await rollBackMigration(target, migration, context, indexes));
    }
    current = undefined;
    await indexes.dropAll(target);
    await target.query(context.dryRun ? 'ROLLBACK' : 'COMMIT');
    return { dryRun: context.dryRun, migrations: done };
  } catch (error) {
    await target.query('ROLLBACK').catch(() => {});
    if (context.dryRun && error instanceof FerryError && error.code === 'rollback.referenced') {
      return { dryRun: true, migrations: done, refused: error.diagnostics[0] as Diagnostic };
    }
    throw databaseFailure(error, current);
  }
}

async function rollBackMigration(
  target: pg.ClientBase,
  migration: PreparedMigration,
  context: RunContext,
  indexes: LookupIndexes,
): Promise<RolledBackMigration> {
  let rowsDeleted = 0;
  if (migration.owned) {
    await assertNotReferenced(target, migration.owned, context);
    await indexes.coverReferencesTo(target, migration.owned.table);
    const result = await target.query(
      `DELETE FROM ${quoteQualifiedName(migration.owned.table)} AS t WHERE ${migration.owned.condition('t')}`,
    );
    rowsDeleted = result.rowCount ?? 0;
  }
  const rolledBack: RolledBackMigration = {
    migration: migration.migration,
    table: migration.table ? formatQualifiedName(migration.table) : null,
    keys: migration.keys,
    inSpecs: migration.inSpecs,
    rowsDeleted,
    rowsLoaded: migration.rowsLoaded,
    batchesDone: migration.batchesDone,
    batchesReset: migration.batchesReset,
  };
  await resetMigrationState(target, {
    runId: context.runId,
    migration: migration.migration,
    data: { ...rolledBack, dryRun: context.dryRun },
  });
  return rolledBack;
}

/** Selectors walk the plan's graph; migrations only `_ferry` still knows are selectable by name. */
function selectForRollback(
  plan: Plan,
  controls: readonly MigrationControl[],
  selection: Selection,
): MigrationControl[] {
  const planned = new Set(plan.migrations.map((m) => m.name));
  const unplanned = controls.filter((c) => !planned.has(c.migration)).map((c) => ({ name: c.migration }));
  const names = new Set(
    selectMigrations({ migrations: [...plan.migrations, ...unplanned], edges: plan.edges }, selection),
  );
  return controls.filter((c) => names.has(c.migration));
}

/**
 * After `ferry finalize` the target was handed over: applications may have built on those rows since,
 * so deleting them takes an explicit --force.
 */
async function refuseFinalized(target: pg.ClientBase, selected: readonly MigrationControl[]): Promise<void> {
  const finalized = await finalizedAt(
    target,
    selected.map((c) => c.migration),
  );
  if (finalized.size === 0) return;
  const names = [...finalized].map(([name, at]) => `${name} (finalized ${at.toISOString()})`);
  throw new FerryError(
    errorDiagnostic(
      'rollback.finalized',
      `${finalized.size === 1 ? 'this migration was' : 'these migrations were'} finalized: ${names.join(', ')}`,
      {
        hint: 'rows of a finalized migration may be in use by now: add --force to roll them back anyway (try --dry-run first), or narrow the selection with --select/--exclude',
      },
    ),
  );
}

async function refuseBulkPending(target: pg.ClientBase): Promise<void> {
  const pending = await pendingRestore(target);
  if (pending.length === 0) return;
  const tables = [...new Set(pending.map((o) => formatQualifiedName(o.table)))];
  throw new FerryError(
    errorDiagnostic(
      'rollback.bulk-pending',
      `a bulk load (\`ferry apply --bulk\`) left the keys and foreign keys of ${tables.join(', ')} dropped`,
      {
        hint: 'finish the bulk apply first (`ferry apply` rebuilds what it dropped), then roll back: without the foreign keys ferry cannot check what references the rows it would delete',
      },
    ),
  );
}

const BATCHES_SQL = `
select migration, batch_no as "batchNo", key_low as low, key_high as high, status, coalesce(rows, 0)::float8 as rows
from _ferry.migration_batches
where migration = any($1::text[])
order by migration, batch_no`;

interface BatchRow {
  readonly migration: string;
  readonly batchNo: number;
  readonly low: KeyValue | null;
  readonly high: KeyValue | null;
  readonly status: BatchStatus;
  readonly rows: number;
}

async function readBatches(
  target: pg.ClientBase,
  migrations: readonly string[],
): Promise<Map<string, BatchRecord[]>> {
  const { rows } = await target.query<BatchRow>(BATCHES_SQL, [migrations]);
  const byMigration = new Map<string, BatchRecord[]>();
  for (const { migration, low, high, ...batch } of rows) {
    byMigration.set(migration, [...(byMigration.get(migration) ?? []), { ...batch, range: { low, high } }]);
  }
  return byMigration;
}

async function stateTables(target: pg.ClientBase): Promise<Set<string>> {
  const { rows } = await target.query<{ name: string }>(
    `select relname as name from pg_class where relnamespace = '_ferry'::regnamespace and relkind in ('r', 'p')`,
  );
  return new Set(rows.map((row) => row.name));
}

/** The schemas of the plan's target tables and of the tables the selected migrations' state names. */
function targetSchemas(plan: Plan, selected: readonly MigrationControl[]): string[] {
  const recorded = selected.flatMap((control) => recordedTable(control)?.schema ?? []);
  return [...new Set([...plan.migrations.map((m) => m.to.schema), ...recorded])].sort();
}

/** Which migration writes each target table: the plan's, then what `_ferry` recorded. */
function owners(
  migrations: readonly MigrationNode[],
  controls: readonly MigrationControl[],
): Map<string, string> {
  const byTable = new Map<string, string>();
  for (const control of controls)
    if (control.targetTable) byTable.set(control.targetTable, control.migration);
  for (const migration of migrations) byTable.set(quoteQualifiedName(migration.to), migration.name);
  return byTable;
}

/** A database error met while deleting (a trigger, a permission): the transaction was undone whole. */
function databaseFailure(error: unknown, migration: string | undefined): unknown {
  if (error instanceof FerryError || typeof error !== 'object' || error === null) return error;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  // Only PostgreSQL's own errors carry a SQLSTATE; a lost connection is reported as it is.
  if (code === undefined || !/^[0-9A-Z]{5}$/.test(code) || !(error instanceof Error)) return error;
  return new FerryError(
    errorDiagnostic(
      'rollback.failed',
      `rolling back \`${migration ?? '?'}\` failed: ${error.message} [SQLSTATE ${code}]`,
      {
        hint: 'nothing was rolled back (the whole transaction was undone); fix the cause and run `ferry rollback` again',
      },
    ),
  );
}
