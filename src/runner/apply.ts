// `apply` as a library function: the plan of the committed ferry.lock (never a stale one, never with
// decisions open) executed layer by layer (see run-graph.ts), for real or as a dry run: the whole
// graph in one transaction that is rolled back, reporting what a real apply would meet.

import { randomBytes, randomUUID } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import type pg from 'pg';
import { introspectPostgres } from '../catalog/postgres/introspect.js';
import type { Catalog, CatalogTable } from '../catalog/types.js';
import { findTable } from '../compiler/catalog-checks.js';
import type { Plan } from '../compiler/plan.js';
import { type PlanProjectOptions, planProject } from '../compiler/plan-project.js';
import { nestTransactions } from '../db/nested-client.js';
import { connectPostgres } from '../db/postgres.js';
import { errorDiagnostic, FerryError } from '../errors.js';
import { planSavedPlan } from '../plan-file/plan-saved-plan.js';
import { type SourceDialect, type SourceUrls, sourceDialect } from '../source/dialect.js';
import { clearDeferredTables, recordDeferredTables } from '../state/deferred-tables.js';
import { upgradeState, withRunLock } from '../state/index.js';
import { quoteQualifiedName } from '../util/sql.js';
import { type BatchLayout, batchLayout } from './batch-layout.js';
import { assertEmptyTargets, deferConstraints, pendingRestore, restoreConstraints } from './bulk.js';
import { restoreSequences, snapshotSequences } from './dry-run.js';
import type { RunnerEvent } from './events.js';
import { type GraphOutcome, type GraphRun, runGraph } from './run-graph.js';
import { type Connections, closeAll } from './run-migration.js';
import { alignSessions, sessionTimeZone } from './session.js';

export interface ApplyOptions extends Omit<PlanProjectOptions, 'frozenLock' | 'updateLock'> {
  readonly onEvent?: (event: RunnerEvent) => void;
  /** Run the whole graph in one transaction and roll it back. */
  readonly dryRun?: boolean;
  /** With dryRun: at most this many rows per migration. */
  readonly limit?: number;
  /** Empty targets only: indexes and foreign keys dropped while loading, rebuilt after. */
  readonly bulk?: boolean;
  /** Batches loaded at once per migration; the plan's parallelism when absent. */
  readonly workers?: number;
  /** Stop every migration at the first pause. */
  readonly failFast?: boolean;
  /**
   * A plan saved by `ferry plan --out` (a path): applied only when nothing it was made against moved
   * since and the plan made now is the saved one (see plan-file/plan-saved-plan.ts).
   */
  readonly savedPlan?: string;
}

export interface ApplyResult {
  readonly plan: Plan;
  readonly outcomes: ReadonlyMap<string, GraphOutcome>;
  /** Some migration did not finish: paused, or skipped because of a pause. */
  readonly paused: boolean;
  /** The run was a dry run: the target is as it was before. */
  readonly dryRun: boolean;
}

/**
 * Applies the project's plan to the target, or with `dryRun` reports what applying it would meet.
 *
 * @example
 * const result = await applyProject({ projectDir: '.', agents: (p) => buildAgents(p, { cwd: '.' }) });
 * process.exitCode = result.paused ? 3 : 0;
 */
export async function applyProject(options: ApplyOptions): Promise<ApplyResult> {
  if (options.limit !== undefined && !options.dryRun) {
    throw new FerryError(
      errorDiagnostic('apply.options', '--limit only applies to a dry run', {
        hint: 'add --dry-run, or drop --limit: a real apply always moves every row',
      }),
    );
  }
  const { plan, specs, catalogs } =
    options.savedPlan === undefined
      ? await planProject({ ...options, frozenLock: true })
      : await planSavedPlan(options.savedPlan, options);
  refuseDecisions(plan);
  const dialect = sourceDialect(specs.project.source.url);
  // Built before anything is written: a migration that cannot be moved is refused up front.
  for (const migration of plan.migrations) {
    const reason = dialect.unsupported?.(migration);
    if (reason)
      throw new FerryError(
        errorDiagnostic('apply.unsupported', `${migration.name}: ${reason}`, {
          location: migration.location,
        }),
      );
  }
  const sqlSource = dialect.sqlCatalog(catalogs.source);
  const layouts = new Map<string, BatchLayout>(
    plan.migrations.map((m) => [
      m.name,
      batchLayout(m, {
        plan,
        source: sqlSource,
        target: catalogs.target,
        sample: options.limit !== undefined,
        ...(dialect.sourceRelation ? { sourceRelation: dialect.sourceRelation } : {}),
      }),
    ]),
  );
  const urls: Urls = {
    dialect,
    sourceCatalog: catalogs.source,
    source: specs.project.source.url,
    target: specs.project.target.url,
    timeZone: sessionTimeZone(plan),
  };
  const graph = {
    plan,
    layouts,
    runId: randomUUID(),
    worker: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    emit: options.onEvent ?? (() => {}),
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    failFast: options.failFast === true,
  };
  if (options.dryRun && options.bulk) {
    throw new FerryError(
      errorDiagnostic('apply.options', '--bulk and --dry-run do not go together', {
        hint: 'a dry run checks every constraint as a safe apply would: drop --bulk',
      }),
    );
  }
  const outcomes = options.dryRun
    ? await dryRun(urls, graph, options.limit)
    : await realRun(
        urls,
        graph,
        options.bulk === true,
        plan.migrations.flatMap((m) => findTable(catalogs.target, m.to) ?? []),
      );
  return {
    plan,
    outcomes,
    paused: [...outcomes.values()].some((o) => o.status !== 'done'),
    dryRun: options.dryRun === true,
  };
}

type GraphBase = Omit<GraphRun, 'connect' | 'sequential' | 'limitRows'>;

interface Urls extends SourceUrls {
  readonly dialect: SourceDialect;
  /** The source's catalog in its own engine's types, which its reader reads by. */
  readonly sourceCatalog: Catalog;
  readonly source: string;
  readonly target: string;
  /** Every session of the run is opened in the plan's source time zone (see session.ts). */
  readonly timeZone: string;
}

async function realRun(
  urls: Urls,
  graph: GraphBase,
  bulk: boolean,
  targetTables: readonly CatalogTable[],
): Promise<Map<string, GraphOutcome>> {
  const session = { timeZone: urls.timeZone };
  const control = await connectPostgres(urls.target, 'target', session);
  const restore = () =>
    restoreConstraints(() => connectPostgres(urls.target, 'target', session), {
      parallelism: availableParallelism(),
      onRestored: (object) =>
        graph.emit({
          type: 'constraint-restored',
          table: quoteQualifiedName(object.table),
          name: object.name,
        }),
    });
  // The run lock lives as long as this session: when it ends under the run (a terminated backend,
  // a network cut), the run stops taking batches instead of going on unprotected.
  let lockLost = false;
  control.on('error', () => {
    lockLost = true;
  });
  try {
    await upgradeState(control);
    return await withRunLock(control, 'apply', async () => {
      if (bulk) await deferForBulk(control, graph.runId, targetTables);
      // A safe apply never loads into tables whose keys a bulk load left dropped: it rebuilds them first.
      else if ((await pendingRestore(control)).length > 0) await restore();
      const outcomes = await runGraph({
        ...graph,
        connect: () => connectPair(urls),
        sequential: false,
        directAtOnce: bulk,
        abandoned: () => lockLost,
      });
      // A pause leaves the keys dropped, so that the resumed load is a bulk load too.
      if (bulk && [...outcomes.values()].every((o) => o.status === 'done')) await restore();
      if ((await pendingRestore(control)).length === 0) await clearDeferredTables(control);
      return outcomes;
    });
  } finally {
    await control.end().catch(() => {});
  }
}

/**
 * Drops the loaded tables' keys and indexes, recorded for their rebuild. A bulk load that crashed or
 * paused has recorded them already: it goes on into tables that hold its own rows.
 */
async function deferForBulk(
  control: pg.Client,
  runId: string,
  before: readonly CatalogTable[],
): Promise<void> {
  const tables = before.map(({ schema, name }) => ({ schema, name }));
  const recorded = new Set((await pendingRestore(control)).map((o) => quoteQualifiedName(o.table)));
  const resuming = tables.some((table) => recorded.has(quoteQualifiedName(table)));
  if (!resuming) await assertEmptyTargets(control, tables);
  await deferConstraints(control, {
    runId,
    tables,
    // In the transaction of the drops: plan and apply read the tables as the rebuild will leave them.
    beforeCommit: async (client) => {
      const schemas = [...new Set(tables.map((t) => t.schema))];
      const bare = await introspectPostgres(client, { schemas, inTransaction: true });
      await recordDeferredTables(client, before, bare.tables);
    },
  });
}

/**
 * The whole graph on one pair of connections, inside one target transaction that is rolled back;
 * each unit of work that would commit becomes a savepoint. Sequences are not transactional, so the
 * keys the run drew are given back by resetting them afterwards.
 */
async function dryRun(
  urls: Urls,
  graph: GraphBase,
  limitRows: number | undefined,
): Promise<Map<string, GraphOutcome>> {
  const { source, target, reader } = await connectPair(urls);
  try {
    return await withRunLock(target, 'apply', async () => {
      const schemas = [...new Set(graph.plan.migrations.map((m) => m.to.schema))];
      const sequences = await snapshotSequences(target, schemas);
      await target.query('BEGIN');
      try {
        // Deferred constraints would only be checked at a COMMIT that never comes.
        await target.query('SET CONSTRAINTS ALL IMMEDIATE');
        // The one pair serves every migration: closing it is left to the finally below.
        const nestedTarget = nestTransactions(target);
        const nested = {
          // A source staged on the target shares its session, and so its savepoints.
          source: source === target ? nestedTarget : nestTransactions(source),
          target: nestedTarget,
          reader: { ...reader, end: async () => {} },
        };
        await upgradeState(nested.target);
        return await runGraph({
          ...graph,
          connect: async () => nested,
          sequential: true,
          ...(limitRows === undefined ? {} : { limitRows }),
        });
      } finally {
        await target.query('ROLLBACK').catch(() => {});
        await restoreSequences(target, sequences);
      }
    });
  } finally {
    await closeAll({ source, target, reader });
  }
}

/**
 * A source and a target connection that print and parse values alike (see session.ts). A source
 * staged on the target gets the target session itself, so `source` and `target` are one client.
 */
async function connectPair(urls: Urls): Promise<Connections> {
  const target = await connectPostgres(urls.target, 'target', { timeZone: urls.timeZone });
  try {
    const { sql: source, reader } = await urls.dialect.open(urls, urls.sourceCatalog, target);
    try {
      // Every connection of the run, including the one that plans key ranges, prints and parses
      // values the same way: key bounds are stored as text and read back in later sessions.
      await alignSessions(source, target);
      return { source, target, reader };
    } catch (error) {
      await closeAll({ source, target, reader });
      throw error;
    }
  } catch (error) {
    await target.end().catch(() => {});
    throw error;
  }
}

function refuseDecisions(plan: Plan): void {
  if (plan.decisions.length === 0) return;
  throw new FerryError(
    errorDiagnostic(
      'apply.decisions-pending',
      `${plan.decisions.length} decision(s) are open: ${plan.decisions.map((d) => `${d.migration}${d.column ? `.${d.column}` : ''}`).join(', ')}`,
      {
        hint: 'settle each in the specs (`ferry plan` shows the YAML to paste), run `ferry plan` and commit ferry.lock',
      },
    ),
  );
}
