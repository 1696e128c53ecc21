// The plan's graph executed layer by layer: every parent before its children. A paused migration stops
// itself and its descendants only (independent branches run to completion) unless --fail-fast stops
// everything. Fix-ups run last, each once the parents its fix-up columns point at are loaded.

import type { Plan } from '../compiler/plan.js';
import { errorDiagnostic, FerryError } from '../errors.js';
import { setMigrationPhase } from '../state/index.js';
import type { BatchLayout } from './batch-layout.js';
import type { RunnerEvent } from './events.js';
import { failpoint } from './failpoints.js';
import { fixUp, fixupViolation } from './fixup.js';
import {
  type Connections,
  closeAll,
  type MigrationOutcome,
  type PausedOutcome,
  runMigration,
} from './run-migration.js';
import { advanceSequences } from './sequences.js';

export type GraphOutcome = MigrationOutcome | { readonly status: 'skipped'; readonly reason: string };

export interface GraphRun {
  readonly plan: Plan;
  readonly layouts: ReadonlyMap<string, BatchLayout>;
  readonly runId: string;
  readonly worker: string;
  readonly connect: () => Promise<Connections>;
  readonly emit: (event: RunnerEvent) => void;
  /** Batches at once per migration; the plan's parallelism when absent. */
  readonly workers?: number;
  /** One migration at a time (a dry run shares one connection). */
  readonly sequential: boolean;
  readonly failFast: boolean;
  readonly limitRows?: number;
  /** True once the run must stop taking batches (its run lock was lost): the run then throws. */
  readonly abandoned?: () => boolean;
}

export async function runGraph(run: GraphRun): Promise<Map<string, GraphOutcome>> {
  const outcomes = new Map<string, GraphOutcome>();
  const blocked = new Map<string, string>();
  let stopped = false;
  const settle = (name: string, outcome: GraphOutcome) => {
    outcomes.set(name, outcome);
    if (outcome.status !== 'paused') return;
    if (run.failFast) stopped = true;
    for (const d of descendants(run.plan, name))
      blocked.set(d, `\`${name}\`, which it depends on, is paused`);
  };
  const one = async (name: string) => {
    const reason = stopped ? '--fail-fast stopped the run at the first pause' : blocked.get(name);
    if (reason !== undefined) {
      outcomes.set(name, { status: 'skipped', reason });
      run.emit({ type: 'migration-skipped', migration: name, reason });
      return;
    }
    const layout = run.layouts.get(name) as BatchLayout;
    const migration = layout.migration;
    const outcome = await runMigration({
      layout,
      runId: run.runId,
      worker: run.worker,
      connect: run.connect,
      emit: run.emit,
      workers: run.sequential ? 1 : (run.workers ?? migration.batch.parallelism ?? 1),
      ...(run.limitRows === undefined ? {} : { limitRows: run.limitRows }),
      stopped: () => stopped || run.abandoned?.() === true,
    });
    settle(name, outcome);
  };
  for (const layer of run.plan.layers) {
    failpoint('layer-started');
    assertNotAbandoned(run);
    if (run.sequential) for (const name of layer) await one(name);
    else await Promise.all(layer.map(one));
  }
  assertNotAbandoned(run);
  for (const [name, outcome] of outcomes) {
    if (outcome.status !== 'loaded') continue;
    const waiting = fixupParents(run.plan, run.layouts.get(name) as BatchLayout).filter((parent) => {
      const status = outcomes.get(parent)?.status;
      return status !== 'done' && status !== 'loaded';
    });
    if (waiting.length > 0 || stopped) {
      const reason = stopped
        ? '--fail-fast stopped the run before its fix-up'
        : `its fix-up waits for ${waiting.map((w) => `\`${w}\``).join(', ')}`;
      outcomes.set(name, { status: 'skipped', reason });
      run.emit({ type: 'migration-skipped', migration: name, reason });
      continue;
    }
    settle(name, await runFixup(run, run.layouts.get(name) as BatchLayout, outcome.rows));
  }
  return outcomes;
}

/** The fix-up of one migration, and its phase `done`, in one transaction. */
async function runFixup(run: GraphRun, layout: BatchLayout, rows: number): Promise<GraphOutcome> {
  const name = layout.migration.name;
  const connections = await run.connect();
  const { target } = connections;
  try {
    await target.query('BEGIN');
    try {
      await fixUp(target, layout);
      failpoint('fixup-updated', name);
      await advanceSequences(target, layout, run.runId);
      await setMigrationPhase(target, name, 'done', { rowsLoaded: rows, runId: run.runId });
      await target.query('COMMIT');
    } catch (error) {
      await target.query('ROLLBACK').catch(() => {});
      const paused = fixupViolation(error);
      if (!paused) throw error;
      const outcome: PausedOutcome = {
        status: 'paused',
        violation: paused.violation,
        offending: paused.offending,
      };
      await setMigrationPhase(target, name, 'paused', {
        pausedReason: { step: 'fixup', ...paused.violation, offending: paused.offending },
        runId: run.runId,
      });
      run.emit({
        type: 'migration-paused',
        migration: name,
        violation: paused.violation,
        offending: paused.offending,
      });
      return outcome;
    }
    run.emit({ type: 'migration-done', migration: name, rows });
    return { status: 'done', rows };
  } finally {
    await closeAll(connections);
  }
}

/** The migrations a fix-up column points at: its ref, or the edge the compiler broke for it. */
function fixupParents(plan: Plan, layout: BatchLayout): string[] {
  const fixups = new Set(layout.migration.fixups);
  const parents = new Set<string>();
  for (const column of layout.columns) if (column.fixup && column.ref) parents.add(column.ref.parent);
  for (const edge of plan.edges) {
    if (edge.child === layout.migration.name && edge.columns.some((c) => fixups.has(c)))
      parents.add(edge.parent);
  }
  parents.delete(layout.migration.name);
  return [...parents];
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

function assertNotAbandoned(run: GraphRun): void {
  if (!run.abandoned?.()) return;
  throw new FerryError(
    errorDiagnostic('state.lock-lost', 'the connection that held the run lock on the target was lost', {
      hint: 'what committed is kept; another ferry may have taken the lock since: run `ferry apply` again to resume once nothing else is applying',
    }),
  );
}
