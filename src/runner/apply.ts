// `apply` as a library function: the plan of the committed ferry.lock (never a stale one, never with
// decisions open) executed layer by layer, the migrations of one layer at once. A paused migration
// stops itself and its descendants only; independent branches run to completion.

import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { findTable } from '../compiler/catalog-checks.js';
import type { MigrationNode, Plan } from '../compiler/plan.js';
import { type PlanProjectOptions, planProject } from '../compiler/plan-project.js';
import { connectPostgres } from '../db/postgres.js';
import { errorDiagnostic, FerryError } from '../errors.js';
import { upgradeState, withRunLock } from '../state/index.js';
import type { RunnerEvent } from './events.js';
import { type MigrationOutcome, runMigration } from './run-migration.js';
import { alignSessions } from './session.js';

export interface ApplyOptions extends Omit<PlanProjectOptions, 'frozenLock' | 'updateLock'> {
  readonly onEvent?: (event: RunnerEvent) => void;
}

export interface ApplyResult {
  readonly plan: Plan;
  readonly outcomes: ReadonlyMap<
    string,
    MigrationOutcome | { readonly status: 'skipped'; readonly reason: string }
  >;
  readonly paused: boolean;
}

/**
 * Applies the project's plan to the target.
 *
 * @example
 * const result = await applyProject({ projectDir: '.', agents: (p) => buildAgents(p, { cwd: '.' }) });
 * process.exitCode = result.paused ? 3 : 0;
 */
export async function applyProject(options: ApplyOptions): Promise<ApplyResult> {
  const { plan, specs, catalogs } = await planProject({ ...options, frozenLock: true });
  refuseUnready(plan);
  const emit = options.onEvent ?? (() => {});
  const runId = randomUUID();
  const worker = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const connect = async () => {
    const source = await connectPostgres(specs.project.source.url, 'source');
    try {
      const target = await connectPostgres(specs.project.target.url, 'target');
      // Every connection of the run, including the one that plans key ranges, prints and parses
      // values the same way: key bounds are stored as text and read back in later sessions.
      await alignSessions(source, target).catch(async (error: unknown) => {
        await target.end().catch(() => {});
        throw error;
      });
      return { source, target };
    } catch (error) {
      await source.end().catch(() => {});
      throw error;
    }
  };
  const control = await connectPostgres(specs.project.target.url, 'target');
  try {
    await upgradeState(control);
    return await withRunLock(control, 'apply', async () => {
      const outcomes = new Map<
        string,
        ApplyResult['outcomes'] extends ReadonlyMap<string, infer V> ? V : never
      >();
      const blocked = new Set<string>();
      const byName = new Map(plan.migrations.map((m) => [m.name, m]));
      for (const layer of plan.layers) {
        await Promise.all(
          layer.map(async (name) => {
            if (blocked.has(name)) {
              const reason = 'a migration it depends on is paused';
              outcomes.set(name, { status: 'skipped', reason });
              emit({ type: 'migration-skipped', migration: name, reason });
              return;
            }
            const migration = byName.get(name) as MigrationNode;
            const sourceTable = findTable(catalogs.source, migration.from);
            if (!sourceTable) throw new Error(`source table of ${name} vanished after planning`);
            const outcome = await runMigration({ migration, sourceTable, runId, worker, connect, emit });
            outcomes.set(name, outcome);
            if (outcome.status === 'paused') for (const d of descendants(plan, name)) blocked.add(d);
          }),
        );
      }
      return { plan, outcomes, paused: [...outcomes.values()].some((o) => o.status !== 'done') };
    });
  } finally {
    await control.end().catch(() => {});
  }
}

/** Decisions open, or parts of the plan this runner does not move yet: refused before any write. */
function refuseUnready(plan: Plan): void {
  if (plan.decisions.length > 0) {
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
  const generated = new Set(plan.migrations.filter((m) => m.keys === 'generate').map((m) => m.name));
  const problems = plan.migrations.flatMap((m) => {
    const reasons = [
      ...(m.keys === 'generate' ? ['keys: generate'] : []),
      ...m.columns
        .filter((c) => c.ref !== undefined && generated.has(c.ref))
        .map((c) => `${c.target} translated through ${c.ref}'s generated keys`),
      ...(m.fixups.length > 0 ? [`fix-up columns ${m.fixups.join(', ')}`] : []),
    ];
    return reasons.map((reason) =>
      errorDiagnostic(
        'apply.unsupported',
        `\`${m.name}\` needs ${reason}, which this version of apply does not move yet`,
        {
          hint: 'plan and review it now; apply it with a later version of ferry',
          location: m.location,
        },
      ),
    );
  });
  if (problems.length > 0) throw new FerryError(problems);
}

function descendants(plan: Plan, name: string): Set<string> {
  const found = new Set<string>();
  const queue = [name];
  while (queue.length > 0) {
    const current = queue.shift() as string;
    for (const edge of plan.edges) {
      if (edge.parent === current && !found.has(edge.child)) {
        found.add(edge.child);
        queue.push(edge.child);
      }
    }
  }
  return found;
}
