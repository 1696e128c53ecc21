// `verify` as a library function: does the target hold exactly what the source says it should, per
// migration of the committed plan? Counts, per-column fingerprints narrowed to the rows at fault, and
// orphan checks, all computed by the servers in one read-only snapshot of each database.

import type pg from 'pg';
import { findTable } from '../compiler/catalog-checks.js';
import type { Plan } from '../compiler/plan.js';
import { type PlanProjectOptions, type PlanProjectResult, planProject } from '../compiler/plan-project.js';
import { type Selection, selectMigrations } from '../compiler/select.js';
import { connectPostgres } from '../db/postgres.js';
import { errorDiagnostic, FerryError } from '../errors.js';
import { batchLayout } from '../runner/batch-layout.js';
import { alignSessions, sessionTimeZone } from '../runner/session.js';
import { sourceDialect } from '../source/dialect.js';
import { stagedSourceOf } from '../source/reader.js';
import { isRunLockHeld } from '../state/run-lock.js';
import { quoteQualifiedName } from '../util/sql.js';
import { readTypeFacts } from './type-facts.js';
import type { VerifyResult } from './types.js';
import { type MigrationCheck, verifyMigrationGuarded } from './verify-migration.js';
import { readAppliedState } from './verify-state.js';

export interface VerifyOptions extends Omit<PlanProjectOptions, 'frozenLock' | 'updateLock'>, Selection {}

/**
 * Compares what the target holds with what the source says it should, for the selected migrations
 * of the committed plan (ferry.lock must be fresh). Reads only.
 *
 * @example
 * const result = await verifyProject({ projectDir: '.', agents: (p) => buildAgents(p, { cwd: '.' }), select: ['orders'] });
 * process.exitCode = result.ok ? 0 : 1;
 */
export async function verifyProject(options: VerifyOptions): Promise<VerifyResult> {
  return verifyPlanned(await planProject({ ...options, frozenLock: true }), options);
}

/**
 * `verifyProject` over a project planned already, for commands that go on with the same plan
 * (`finalize`). `runLockHeld`: the caller holds the run lock itself, so no apply can be running.
 */
export async function verifyPlanned(
  { plan, specs, catalogs }: Pick<PlanProjectResult, 'plan' | 'specs' | 'catalogs'>,
  selection: Selection,
  options: { readonly runLockHeld?: boolean } = {},
): Promise<VerifyResult> {
  const names = selectMigrations(plan, {
    ...(selection.select ? { select: selection.select } : {}),
    ...(selection.exclude ? { exclude: selection.exclude } : {}),
  });
  const selected = plan.migrations.filter((m) => names.includes(m.name));
  refuseDecisions(plan, names);
  const dialect = sourceDialect(specs.project.source.url);
  const sqlSource = dialect.sqlCatalog(catalogs.source);
  const checks = selected.map((migration) => {
    const targetTable = findTable(catalogs.target, migration.to);
    if (!targetTable)
      throw new Error(`${migration.name}: ${quoteQualifiedName(migration.to)} vanished after planning`);
    return {
      layout: batchLayout(migration, {
        plan,
        source: sqlSource,
        target: catalogs.target,
        ...(dialect.sourceRelation ? { sourceRelation: dialect.sourceRelation } : {}),
      }),
      targetTable,
    };
  });
  // Both sides in the plan's source time zone: fingerprints cast source values to the target's types.
  const session = { timeZone: sessionTimeZone(plan) };
  const urls = { source: specs.project.source.url, target: specs.project.target.url, ...session };
  const { sql: source, reader } = await dialect.open(urls, catalogs.source);
  try {
    const target = await connectPostgres(specs.project.target.url, 'target', session);
    try {
      await alignSessions(source, target);
      if (!options.runLockHeld) await refuseWhileApplying(target);
      // Every row of each table, where the source's rows must be staged to be read in SQL.
      for (const check of checks)
        await reader.stage(source, stagedSourceOf(check.layout), { low: null, high: null });
      return await inSnapshots({ source, target }, async () => {
        const state = await readAppliedState(target, names);
        const types = await readTypeFacts(source, target, typesOf(checks.map((c) => c.layout)));
        const migrations = [];
        for (const check of checks) {
          const full: MigrationCheck = { ...check, state: state.get(check.layout.migration.name), types };
          migrations.push(await verifyMigrationGuarded({ source, target }, full));
        }
        return { ok: migrations.every((m) => m.status === 'ok'), migrations };
      });
    } finally {
      await target.end().catch(() => {});
    }
  } finally {
    await Promise.all([source.end().catch(() => {}), reader.end().catch(() => {})]);
  }
}

/** Each side reads one consistent snapshot, and cannot write even by mistake. */
async function inSnapshots<T>(
  clients: { readonly source: pg.ClientBase; readonly target: pg.ClientBase },
  work: () => Promise<T>,
): Promise<T> {
  await clients.source.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  await clients.target.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    return await work();
  } finally {
    await clients.source.query('ROLLBACK').catch(() => {});
    await clients.target.query('ROLLBACK').catch(() => {});
  }
}

/** The types comparisons cast to: every written column's, and the source keys' for key ranges. */
function typesOf(layouts: readonly MigrationCheck['layout'][]): string[] {
  return layouts.flatMap((layout) => [
    ...layout.columns.map((c) => c.type),
    ...layout.sourceKey.map((k) => k.type),
  ]);
}

async function refuseWhileApplying(target: pg.ClientBase): Promise<void> {
  if (!(await isRunLockHeld(target, 'apply'))) return;
  throw new FerryError(
    errorDiagnostic('verify.applying', 'an apply is running on the target: its rows are still moving', {
      hint: 'run verify once `ferry apply` has finished (`ferry status` shows where it stands)',
    }),
  );
}

function refuseDecisions(plan: Plan, names: readonly string[]): void {
  const open = plan.decisions.filter((d) => names.includes(d.migration));
  if (open.length === 0) return;
  const where = open.map((d) => `${d.migration}${d.column ? `.${d.column}` : ''}`).join(', ');
  throw new FerryError(
    errorDiagnostic('verify.decisions-pending', `${open.length} decision(s) are open: ${where}`, {
      hint: 'settle each in the specs and run `ferry plan`: a mapping that is not decided cannot be checked',
    }),
  );
}
