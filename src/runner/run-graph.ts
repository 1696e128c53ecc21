// The plan's graph executed layer by layer: every parent before its children. A paused migration stops
// itself and its descendants only (independent branches run to completion) unless --fail-fast stops
// everything. Fix-ups run last, each once the parents its fix-up columns point at are loaded.
// A bulk load drops the foreign keys until its rebuild, so a migration that reads nothing of its
// parents' rows (a direct layout) has nothing to wait for there: it starts with the first layer, as
// the deferred COPY floor loads every table at once.

import { availableParallelism } from 'node:os';
import type { Plan } from '../compiler/plan.js';
import { errorDiagnostic, FerryError } from '../errors.js';
import { setMigrationPhase } from '../state/index.js';
import { slots } from '../util/slots.js';
import type { BatchLayout } from './batch-layout.js';
import type { RunnerEvent } from './events.js';
import { failpoint } from './failpoints.js';
import { fixUp, fixupViolation } from './fixup.js';
import {
  type Connections,
  closeAll,
  type MigrationOutcome,
  type PausedOutcome,
  prefetchKeyRanges,
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
  /** Direct layouts start at once, not after their parents (a bulk load: no foreign key is live). */
  readonly directAtOnce?: boolean;
}

export async function runGraph(run: GraphRun): Promise<Map<string, GraphOutcome>> {
  const outcomes = new Map<string, GraphOutcome>();
  const blocked = new Map<string, string>();
  // Migrations side by side share the machine: two batches per core keep it busy, and more would
  // only hold more rows in memory at once.
  const eager = run.directAtOnce === true && !run.sequential;
  const batchSlots = eager ? slots(Math.max(run.workers ?? 1, availableParallelism() * 2)) : undefined;
  const prefetched = prefetchLaterRanges(run, eager);
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
    const prefetchedRanges = prefetched.get(name);
    const outcome = await runMigration({
      layout,
      runId: run.runId,
      worker: run.worker,
      connect: run.connect,
      emit: run.emit,
      workers: run.sequential ? 1 : (run.workers ?? migration.batch.parallelism ?? 1),
      ...(run.limitRows === undefined ? {} : { limitRows: run.limitRows }),
      // A migration started beside its parents stops taking batches once one of them pauses.
      stopped: () => stopped || blocked.has(name) || run.abandoned?.() === true,
      ...(batchSlots ? { batchSlots } : {}),
      ...(prefetchedRanges ? { prefetchedRanges } : {}),
    });
    const blockedBy = blocked.get(name);
    if (outcome.status === 'stopped' && blockedBy !== undefined) {
      outcomes.set(name, { status: 'skipped', reason: blockedBy });
      run.emit({ type: 'migration-skipped', migration: name, reason: blockedBy });
      return;
    }
    settle(name, outcome);
  };
  if (eager) await runEagerly(run, one);
  else {
    for (const layer of run.plan.layers) {
      failpoint('layer-started');
      assertNotAbandoned(run);
      if (run.sequential) for (const name of layer) await one(name);
      else await Promise.all(layer.map(one));
    }
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

/**
 * The key ranges of the migrations that do not start with the run, planned while it loads (see
 * prefetchKeyRanges). Not in a dry run (one shared session) nor a sample, and not for incremental
 * migrations, whose ranges follow the cursor mark taken as they start.
 */
function prefetchLaterRanges(
  run: GraphRun,
  eager: boolean,
): Map<string, ReturnType<typeof prefetchKeyRanges>> {
  const prefetched = new Map<string, ReturnType<typeof prefetchKeyRanges>>();
  if (run.sequential || run.limitRows !== undefined) return prefetched;
  for (const [index, layer] of run.plan.layers.entries()) {
    for (const name of layer) {
      const layout = run.layouts.get(name) as BatchLayout;
      const startsAtOnce = index === 0 || (eager && layout.mode === 'direct');
      if (startsAtOnce || layout.cursor) continue;
      prefetched.set(name, prefetchKeyRanges({ layout, connect: run.connect }));
    }
  }
  return prefetched;
}

/**
 * Starts each direct layout at once (after its dependsOn parents only) and every other migration as
 * soon as its parents have settled, going through the layers in order; resolves when all have.
 */
async function runEagerly(run: GraphRun, one: (name: string) => Promise<void>): Promise<void> {
  const settled = new Map<string, Promise<void>>();
  for (const layer of run.plan.layers) {
    failpoint('layer-started');
    assertNotAbandoned(run);
    for (const name of layer) {
      // dependsOn orders what the columns do not show, so it is kept whatever the layout.
      const direct = (run.layouts.get(name) as BatchLayout).mode === 'direct';
      const parents = run.plan.edges
        .filter((e) => e.child === name && e.parent !== name && (!direct || e.kind === 'dependsOn'))
        .map((e) => settled.get(e.parent));
      settled.set(
        name,
        Promise.all(parents).then(() => one(name)),
      );
    }
  }
  await Promise.all(settled.values());
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
