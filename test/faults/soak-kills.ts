// How the soak kills one `ferry apply`: from inside, by a failpoint chosen at random among those the
// run can still pass (a point, a migration, a hit); or from outside, by SIGKILL after a random delay
// once the run holds its lock, or once a random number of bulk rebuild steps has committed.

import pg from 'pg';
import type { Failpoint } from '../../src/runner/failpoints.js';
import type { TestDatabase } from '../support/database.js';
import { type ApplyProcess, type FaultProject, failpointSpec, type KillPoint } from './fault-project.js';
import { pickOne, type RunDraws } from './soak-random.js';

export type KillPlan =
  | { readonly kind: 'failpoint'; readonly kill: KillPoint }
  /** SIGKILL `delayMs` after the run took its lock on the target. */
  | { readonly kind: 'timer'; readonly delayMs: number }
  /** SIGKILL once the `draw`-th part of the recorded bulk rebuild steps has committed. */
  | { readonly kind: 'rebuild'; readonly draw: number }
  /** Everything is loaded: the run is let finish, which ends the round. */
  | { readonly kind: 'none' };

export function describeKill(plan: KillPlan): string {
  if (plan.kind === 'failpoint') return `failpoint ${failpointSpec(plan.kill)}`;
  if (plan.kind === 'timer') return `SIGKILL ${plan.delayMs} ms after the run lock`;
  if (plan.kind === 'rebuild') return 'SIGKILL during the bulk rebuild';
  return 'no kill';
}

/** Where the migrations stand before a run: phase, and batches not done yet (all when unrecorded). */
export interface RunState {
  readonly phases: ReadonlyMap<string, string>;
  readonly remainingBatches: ReadonlyMap<string, number>;
  /** Batches of the whole plan. */
  readonly totalBatches: number;
  /** Keys a bulk load dropped are still to be rebuilt. */
  readonly rebuildPending: boolean;
}

/** The layers of the soak's plan: brackets and tags, case files, orders and case/tag pairs. */
const LAYERS = 3;
const BATCH_POINTS: readonly Failpoint[] = ['batch-loaded', 'batch-completed', 'batch-committed'];

/**
 * Every failpoint the run can still pass, with how many times at most: the next hit is drawn within
 * that, so that an armed failpoint is rarely one the run never reaches.
 */
function reachableKillPoints(state: RunState): { readonly kill: KillPoint; readonly hits: number }[] {
  const points: { kill: KillPoint; hits: number }[] = [{ kill: { point: 'layer-started' }, hits: LAYERS }];
  for (const [migration, remaining] of state.remainingBatches) {
    const phase = state.phases.get(migration);
    if (phase === 'done') continue;
    points.push({ kill: { point: 'migration-prepared', migration }, hits: 1 });
    if (remaining > 0) {
      for (const point of BATCH_POINTS) points.push({ kill: { point, migration }, hits: remaining });
    }
    if (migration === 'case_files') points.push({ kill: { point: 'fixup-updated', migration }, hits: 1 });
  }
  return points;
}

/**
 * The kill for one run: a failpoint (45%), a wall-clock kill (the rest), and in a bulk run one in
 * three of those watches the rebuild instead. None once everything is loaded, as a rerun then has
 * nothing to do, and none in half the runs that have no batch left. A wall-clock kill comes within
 * the time the work left should take: `runMs` is how long a whole apply holds its lock.
 */
export function planKill(
  draws: RunDraws,
  state: RunState,
  options: {
    readonly bulk: boolean;
    readonly runMs: number;
    /** Kill a run that has a rebuild ahead only at failpoints, which all come before the rebuild. */
    readonly spareRebuild?: boolean;
  },
): KillPlan {
  const { bulk, runMs } = options;
  const remaining = [...state.remainingBatches.values()].reduce((sum, n) => sum + n, 0);
  const migrations = state.remainingBatches.size;
  const phases = [...state.phases.values()];
  const batchesDone = remaining === 0 && phases.length === migrations;
  if (batchesDone && !state.rebuildPending && phases.every((p) => p === 'done')) return { kind: 'none' };
  // With every batch loaded a run only prepares, fixes up and rebuilds: half of such runs are let
  // finish, or the kills would pile up there.
  if (batchesDone && draws.finish < 0.5) return { kind: 'none' };
  const spared = options.spareRebuild === true && (bulk || state.rebuildPending);
  if (draws.kind < 0.45 || spared) {
    const { kill, hits } = pickOne(reachableKillPoints(state), draws.point);
    return { kind: 'failpoint', kill: { ...kill, hit: 1 + Math.floor(draws.hit * hits) } };
  }
  if (bulk && draws.kind > 0.8) return { kind: 'rebuild', draw: draws.hit };
  // Half for preparing, the fix-up and a rebuild; the other half in proportion to the batches left.
  const expected = runMs * (0.5 + (0.5 * remaining) / state.totalBatches);
  return { kind: 'timer', delayMs: Math.round(draws.delay * expected) };
}

/** Reads the state planKill chooses from; `batches` are the plan's batches per migration. */
export async function readRunState(
  target: TestDatabase,
  batches: Readonly<Record<string, number>>,
): Promise<RunState> {
  const [present] = await target.query<{ yes: boolean }>(
    `SELECT to_regclass('_ferry.migration_batches') IS NOT NULL AS yes`,
  );
  const phases = new Map<string, string>();
  const remaining = new Map(Object.entries(batches));
  const totalBatches = Object.values(batches).reduce((sum, n) => sum + n, 0);
  if (!present?.yes) return { phases, remainingBatches: remaining, totalBatches, rebuildPending: false };
  const rows = await target.query<{ migration: string; phase: string; recorded: number; remaining: number }>(
    `SELECT c.migration, c.phase, count(b.batch_no)::int AS recorded,
            count(b.batch_no) FILTER (WHERE b.status <> 'done')::int AS remaining
       FROM _ferry.migration_control c LEFT JOIN _ferry.migration_batches b USING (migration)
      GROUP BY c.migration, c.phase`,
  );
  for (const row of rows) {
    phases.set(row.migration, row.phase);
    // A migration whose batches were never recorded has them all ahead.
    if (row.recorded > 0) remaining.set(row.migration, row.remaining);
  }
  const rebuildPending = await target.withClient(
    async (client) =>
      (await rebuildRecorded(client)) &&
      (await client.query(`SELECT FROM _ferry.deferred_ddl LIMIT 1`)).rows.length > 0,
  );
  return { phases, remainingBatches: remaining, totalBatches, rebuildPending };
}

export type RunOutcome =
  | { readonly status: 'killed'; readonly pid: number }
  | { readonly status: 'finished'; readonly lockToExitMs: number | undefined }
  | { readonly status: 'failed'; readonly exitCode: number; readonly stderr: string };

/** Held by ferry on the target while it applies: the run lock (and briefly the upgrade lock). */
const RUN_LOCK_HELD_SQL = `
SELECT EXISTS (SELECT FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()
                  AND a.application_name = 'ferry target') AS held`;

const REBUILD_PROGRESS_SQL = `
SELECT count(*)::int AS objects, coalesce(sum(steps_done), 0)::int AS steps FROM _ferry.deferred_ddl`;

/**
 * Runs `ferry apply args` with `plan` armed and reports how it ended. A wall-clock kill that comes
 * after the run finished is no kill: the run counts as finished.
 */
export async function applyWithKill(
  project: FaultProject,
  args: readonly string[],
  plan: KillPlan,
): Promise<RunOutcome> {
  const env: Record<string, string> =
    plan.kind === 'failpoint' ? { FERRY_FAILPOINT: failpointSpec(plan.kill) } : {};
  const child = project.startApply(env, args);
  const lockSeenAt = await watchRun(project.workload.target, child, plan);
  const result = await child;
  if (result.signal === 'SIGKILL') return { status: 'killed', pid: child.pid as number };
  if (result.exitCode === 0) {
    return {
      status: 'finished',
      lockToExitMs: lockSeenAt === undefined ? undefined : Date.now() - lockSeenAt,
    };
  }
  return { status: 'failed', exitCode: result.exitCode ?? -1, stderr: result.stderr };
}

/**
 * Polls the target while the run lives: when it first holds its lock, and for a wall-clock plan,
 * SIGKILLs it when due. Returns when the run took its lock (undefined if never seen).
 */
async function watchRun(
  target: TestDatabase,
  child: ApplyProcess,
  plan: KillPlan,
): Promise<number | undefined> {
  let exited = false;
  void child.finally(() => {
    exited = true;
  });
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  let lockSeenAt: number | undefined;
  let rebuildTarget: number | undefined;
  let rebuildObjects = 0;
  try {
    while (!exited) {
      if (lockSeenAt === undefined) {
        const { rows } = await client.query<{ held: boolean }>(RUN_LOCK_HELD_SQL);
        if (rows[0]?.held) lockSeenAt = Date.now();
      }
      if (plan.kind === 'timer' && lockSeenAt !== undefined && Date.now() >= lockSeenAt + plan.delayMs) {
        child.kill('SIGKILL');
        break;
      }
      if (plan.kind === 'rebuild' && (await rebuildRecorded(client))) {
        const { rows } = await client.query<{ objects: number; steps: number }>(REBUILD_PROGRESS_SQL);
        const objects = rows[0]?.objects ?? 0;
        const steps = rows[0]?.steps ?? 0;
        rebuildObjects = Math.max(rebuildObjects, objects);
        if (rebuildTarget === undefined && objects > 0) rebuildTarget = 1 + Math.floor(plan.draw * objects);
        // Objects rebuilt completely are deleted from the record; those begun count their steps.
        const progress = rebuildObjects - objects + steps;
        if (rebuildTarget !== undefined && progress >= rebuildTarget) {
          child.kill('SIGKILL');
          break;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await client.end().catch(() => {});
  }
  return lockSeenAt;
}

async function rebuildRecorded(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ yes: boolean }>(
    `SELECT to_regclass('_ferry.deferred_ddl') IS NOT NULL AS yes`,
  );
  return rows[0]?.yes === true;
}
