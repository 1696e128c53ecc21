// The fault suite's harness: a workload per test, its target reset between faults; `ferry apply` run
// until a failpoint SIGKILLs it (or until the test terminates its connections) and then resumed; and
// the checks that prove exactly once: generated keys through `_ferry.migration_mappings` and the batch
// bookkeeping here, every migrated table against its source in test/support/checksums.ts.

import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import type { Failpoint } from '../../src/runner/failpoints.js';
import { type CliResult, expectApplyFinished, FERRY_BIN, runFerry } from '../support/cli.js';
import type { Workload } from '../support/workload.js';

export interface BatchRow {
  readonly batchNo: number;
  readonly status: string;
  readonly attempts: number;
  readonly rows: number | null;
  readonly worker: string | null;
  /** The lease is still in the future. */
  readonly leased: boolean;
}

/** A kill point: `point[:migration][@hit]` as FERRY_FAILPOINT takes it. */
export interface KillPoint {
  readonly point: Failpoint;
  readonly migration?: string;
  readonly hit?: number;
}

export function failpointSpec({ point, migration, hit }: KillPoint): string {
  return `${point}${migration === undefined ? '' : `:${migration}`}${hit === undefined ? '' : `@${hit}`}`;
}

/** Like runFerry, but the child itself: its pid, kill() and the signal that ended it. */
function spawnApply(cwd: string, env: Record<string, string | undefined>, args: readonly string[]) {
  return execa('node', [FERRY_BIN, 'apply', ...args], { cwd, env, extendEnv: false, reject: false });
}

export type ApplyProcess = ReturnType<typeof spawnApply>;

/**
 * Runs `work` on a project of a workload of its own, dropped afterwards, so that tests run side by side.
 *
 * @example
 * await withFaultProject(await referenceWorkload('fault_ref', '0.002'), 'app', (project) => …);
 */
export async function withFaultProject<T>(
  workload: Workload,
  targetSchema: string,
  work: (project: FaultProject) => Promise<T>,
): Promise<T> {
  try {
    return await work(new FaultProject(workload, targetSchema));
  } finally {
    await workload.drop();
  }
}

export class FaultProject {
  constructor(
    readonly workload: Workload,
    /** The target schema the specs load into: reset() empties its tables. */
    private readonly targetSchema: string,
  ) {}

  ferry(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
    return runFerry(args, { cwd: this.workload.projectDir, env: { ...this.workload.env, ...env } });
  }

  /** `ferry apply` as a child process the test can watch, kill or race. */
  startApply(env: Record<string, string> = {}, args: readonly string[] = []): ApplyProcess {
    return spawnApply(
      this.workload.projectDir,
      { PATH: process.env.PATH, HOME: process.env.HOME, ...this.workload.env, ...env },
      args,
    );
  }

  /** Appends `batch: { size }` to the named specs and plans again, so the tables load in many batches. */
  async setBatchSizes(sizes: Readonly<Record<string, number>>): Promise<void> {
    for (const [migration, size] of Object.entries(sizes)) {
      const path = join(this.workload.projectDir, 'specs', `${migration}.yaml`);
      await writeFile(path, `${await readFile(path, 'utf8')}batch: { size: ${size} }\n`);
    }
    const plan = await this.ferry(['plan']);
    expect(plan.exitCode, plan.stderr).toBe(0);
  }

  /** Rewrites one spec file with `edit`; `ferry plan` must follow. */
  async editSpec(migration: string, edit: (yaml: string) => string): Promise<void> {
    const path = join(this.workload.projectDir, 'specs', `${migration}.yaml`);
    await writeFile(path, edit(await readFile(path, 'utf8')));
  }

  /**
   * Waits until a backend of `role` has just begun a statement LIKE `pattern`, so that it is in the
   * middle of it, and with `terminate` ends it there (pg_terminate_backend); returns its pid. Fails
   * when `running` (the apply) settles first.
   */
  async catchStatement(
    role: 'source' | 'target',
    pattern: string,
    running: Promise<unknown>,
    /** `startedWithinMs`: how new the statement must be (default 100 ms), so that it is surely still running. */
    options: { readonly terminate: boolean; readonly startedWithinMs?: number },
  ): Promise<number> {
    let settled = false;
    void running.finally(() => {
      settled = true;
    });
    const database = this.workload[role];
    for (let waited = 0; waited < 30_000; waited += 5) {
      const [row] = await database.query<{ pid: number; terminated: boolean | null }>(
        // Materialized, so that only the backend found is terminated, whatever order the planner
        // would evaluate conditions in.
        `WITH found AS MATERIALIZED (
           SELECT pid FROM pg_stat_activity
            WHERE datname = $1 AND application_name = $2 AND state = 'active' AND query LIKE $3
              -- Just begun: the statement is sure to be still running when the test acts on it.
              AND clock_timestamp() - query_start < make_interval(secs => $5::float8 / 1000)
            LIMIT 1)
         SELECT pid, CASE WHEN $4::bool THEN pg_terminate_backend(pid) END AS terminated FROM found`,
        [database.name, `ferry ${role}`, pattern, options.terminate, options.startedWithinMs ?? 100],
      );
      if (row && row.terminated !== false) return row.pid;
      if (settled) throw new Error(`apply finished before a ferry ${role} session ran ${pattern}`);
      await sleep(5);
    }
    throw new Error(`no ferry ${role} session ran ${pattern} within 30 s`);
  }

  /** Runs apply with the failpoint armed and returns the pid of the process it killed. */
  async applyKilledAt(kill: KillPoint, args: readonly string[] = []): Promise<number> {
    const child = this.startApply({ FERRY_FAILPOINT: failpointSpec(kill) }, args);
    const result = await child;
    expect(result.signal, `${failpointSpec(kill)}: ${result.stderr}`).toBe('SIGKILL');
    await this.waitForSessionsGone();
    return child.pid as number;
  }

  /**
   * A killed process's sessions end once their backends notice the closed socket, and with them its
   * run lock and its open transaction; until then the target still sees the dead run (a new apply
   * would be refused with state.locked, by design). Waits for that, as an operator re-running
   * after a crash would find it.
   */
  async waitForSessionsGone(): Promise<void> {
    const names = [this.workload.source.name, this.workload.target.name];
    for (let waited = 0; ; waited += 20) {
      const [row] = await this.workload.target.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = ANY($1) AND application_name LIKE 'ferry %'`,
        [names],
      );
      if (row?.n === 0) return;
      if (waited > 15_000) throw new Error(`ferry sessions still open after 15 s: ${row?.n}`);
      await sleep(20);
    }
  }

  /** The target as before the first apply: no `_ferry`, empty tables, identities from 1. */
  async reset(): Promise<void> {
    await this.waitForSessionsGone();
    const [row] = await this.workload.target.query<{ tables: string }>(
      `SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') AS tables FROM pg_tables WHERE schemaname = $1`,
      [this.targetSchema],
    );
    await this.workload.target.query(
      `DROP SCHEMA IF EXISTS _ferry CASCADE; TRUNCATE ${row?.tables} RESTART IDENTITY CASCADE`,
    );
  }

  async batches(migration: string): Promise<BatchRow[]> {
    return this.workload.target.query<BatchRow & Record<string, unknown>>(
      `SELECT batch_no AS "batchNo", status, attempts, rows::int AS rows, worker,
              coalesce(lease_until > now(), false) AS leased
         FROM _ferry.migration_batches WHERE migration = $1 ORDER BY batch_no`,
      [migration],
    );
  }

  async phase(migration: string): Promise<string | undefined> {
    const [row] = await this.workload.target.query<{ phase: string }>(
      `SELECT phase FROM _ferry.migration_control WHERE migration = $1`,
      [migration],
    );
    return row?.phase;
  }

  /** Rows of a FROM clause (a table, optionally with a WHERE). */
  async count(database: 'source' | 'target', from: string): Promise<number> {
    const [row] = await this.workload[database].query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${from}`,
    );
    return row?.n ?? -1;
  }

  /**
   * What a killed run (process `pid`, `workers` claim loops) left of `migration`: the batches it had in
   * flight still running, claimed once and leased by it, and in `table` the rows of the committed
   * batches only. Returns the batches as it left them.
   */
  async expectLeftByKilledRun(
    migration: string,
    table: string,
    pid: number,
    { workers = 1, message = migration }: { readonly workers?: number; readonly message?: string } = {},
  ): Promise<{ readonly batches: BatchRow[]; readonly running: BatchRow[] }> {
    const batches = await this.batches(migration);
    const running = batches.filter((b) => b.status === 'running');
    for (const batch of running) {
      expect(batch, message).toMatchObject({
        attempts: 1,
        leased: true,
        worker: expect.stringMatching(workerOf(pid, workers)),
      });
    }
    const loaded = batches.filter((b) => b.status === 'done').reduce((sum, b) => sum + (b.rows ?? 0), 0);
    expect(await this.count('target', table), `${message}: rows of done batches only`).toBe(loaded);
    return { batches, running };
  }

  /** Every batch of `migration` claimed once, but those of `redone`: twice. */
  async expectRedoneOnce(migration: string, redone: ReadonlySet<number>): Promise<void> {
    const after = await this.batches(migration);
    expect(after.map((b) => b.attempts)).toEqual(after.map((b) => (redone.has(b.batchNo) ? 2 : 1)));
  }

  /** Nothing to move any more: a further apply finishes all `migrations` and commits no batch. */
  async expectNothingLeft(migrations: number): Promise<void> {
    const again = await this.ferry(['apply']);
    expectApplyFinished(again, migrations, 'a further apply');
    expect(again.stdout).not.toContain('committed');
  }

  /**
   * `_ferry.migration_mappings` of a keys: generate migration holds exactly one row per migrated
   * source row, no source key and no target key twice, and maps every row of the target table.
   */
  async expectMappingsExact(migration: string, sourceRows: number, targetTable: string): Promise<void> {
    const [mappings] = await this.workload.target.query(
      `SELECT count(*)::int AS rows, count(DISTINCT source_key)::int AS "sourceKeys",
              count(DISTINCT target_key)::int AS "targetKeys"
         FROM _ferry.migration_mappings WHERE migration = $1`,
      [migration],
    );
    expect(mappings, `${migration} mappings`).toEqual({
      rows: sourceRows,
      sourceKeys: sourceRows,
      targetKeys: sourceRows,
    });
    const [unmapped] = await this.workload.target.query(
      `SELECT count(*)::int AS n FROM ${targetTable} t
        WHERE NOT EXISTS (SELECT FROM _ferry.migration_mappings m
                           WHERE m.migration = $1 AND (m.target_key->>0)::bigint = t.id)`,
      [migration],
    );
    expect(unmapped, `${migration}: target rows without a mapping`).toEqual({ n: 0 });
  }

  /** Every batch of every migration done, every migration done. */
  async expectAllDone(): Promise<void> {
    const statuses = await this.workload.target.query(
      `SELECT DISTINCT status FROM _ferry.migration_batches ORDER BY status`,
    );
    expect(statuses).toEqual([{ status: 'done' }]);
    const phases = await this.workload.target.query(
      `SELECT DISTINCT phase FROM _ferry.migration_control ORDER BY phase`,
    );
    expect(phases).toEqual([{ phase: 'done' }]);
  }
}

/**
 * The first batch the resumed run commits after a kill at the `hit`-th pass of a point: Infinity for
 * the points that come after every batch of the migration.
 */
const FIRST_BATCH_RESUMED: Record<Failpoint, (hit: number) => number> = {
  'migration-prepared': () => 1,
  'batch-loaded': (hit) => hit,
  'batch-completed': (hit) => hit,
  'batch-committed': (hit) => hit + 1,
  'fixup-updated': () => Number.POSITIVE_INFINITY,
  'layer-started': () => Number.POSITIVE_INFINITY,
};

/** What a kill-and-resume test knows about the workload. */
export interface KillScene {
  /** Per migration the kill points name: its target table and how many batches the plan cuts it in. */
  readonly tables: Readonly<Record<string, { readonly table: string; readonly batches: number }>>;
  /** How many migrations the plan has. */
  readonly migrations: number;
  /** The exactly-once checks after the resumed run. */
  readonly verify: () => Promise<void>;
}

/**
 * Resets the target, lets apply die at `kill`, checks what the dead run left (the killed batch
 * leased and uncommitted, or committed with nothing after it), resumes, and checks that the resumed
 * run redid exactly the unfinished work and that every table agrees with its source. `afterKill`
 * checks what the generic checks do not know (points without a batch: layers, fix-ups).
 */
export async function killThenResume(
  project: FaultProject,
  scene: KillScene,
  kill: KillPoint,
  afterKill?: () => Promise<void>,
): Promise<CliResult> {
  const name = failpointSpec(kill);
  await project.reset();
  const pid = await project.applyKilledAt(kill);
  const killed = kill.migration === undefined ? undefined : scene.tables[kill.migration];
  const hit = kill.hit ?? 1;
  if (kill.migration !== undefined && killed !== undefined) {
    // A batch the dead run claimed keeps its lease, never committed.
    const { batches } = await project.expectLeftByKilledRun(kill.migration, killed.table, pid, {
      message: name,
    });
    const statuses = batches.map((b) => b.status);
    if (kill.point === 'batch-loaded' || kill.point === 'batch-completed') {
      expect(statuses, name).toEqual(statusesDiedAt(hit, killed.batches));
    } else if (kill.point === 'batch-committed') {
      expect(statuses, name).toEqual(statusesCommittedThrough(hit, killed.batches));
    } else if (kill.point === 'migration-prepared') {
      expect(statuses, name).toEqual(statusesCommittedThrough(0, killed.batches));
      expect(await project.phase(kill.migration), name).toBe('loading');
    }
  }
  await afterKill?.();

  const resumed = await project.ferry(['apply']);
  expectApplyFinished(resumed, scene.migrations, name);
  if (kill.migration !== undefined && killed !== undefined) {
    const redone = kill.point === 'batch-loaded' || kill.point === 'batch-completed';
    // The resumed run starts exactly where the dead one stopped: nothing committed is loaded again.
    const first = FIRST_BATCH_RESUMED[kill.point](hit);
    if (first > 1) expect(resumed.stdout, name).not.toMatch(committedLine(kill.migration, first - 1));
    if (first <= killed.batches) expect(resumed.stdout, name).toMatch(committedLine(kill.migration, first));
    const attempts = (await project.batches(kill.migration)).map((b) => b.attempts);
    expect(attempts, `${name}: claims per batch`).toEqual(
      Array.from({ length: killed.batches }, (_, i) => (redone && i + 1 === hit ? 2 : 1)),
    );
  }
  await project.expectAllDone();
  await scene.verify();
  return resumed;
}

/** killThenResume at each of `kills` in turn, on the one project. */
export async function killEachThenResume(
  project: FaultProject,
  scene: KillScene,
  kills: readonly KillPoint[],
  afterKill?: () => Promise<void>,
): Promise<void> {
  for (const kill of kills) await killThenResume(project, scene, kill, afterKill);
}

/**
 * After a kill between layers: the migrations of the layers the dead run finished are done, the later
 * ones never started and their tables are empty.
 */
export async function expectLayersBefore(
  project: FaultProject,
  scene: KillScene,
  done: readonly string[],
  notStarted: readonly string[],
): Promise<void> {
  for (const name of done) expect(await project.phase(name), name).toBe('done');
  for (const name of notStarted) {
    const table = scene.tables[name]?.table;
    if (table === undefined) throw new Error(`the scene names no table for ${name}`);
    expect(await project.phase(name), name).toBeUndefined();
    expect(await project.count('target', table), name).toBe(0);
  }
}

/** Statuses of a migration's batches after a run that died at batch `running` (1-based) of `total`. */
function statusesDiedAt(running: number, total: number): string[] {
  return Array.from({ length: total }, (_, i) =>
    i + 1 < running ? 'done' : i + 1 === running ? 'running' : 'pending',
  );
}

/** Statuses after a run whose last commit was batch `done` of `total`. */
function statusesCommittedThrough(done: number, total: number): string[] {
  return Array.from({ length: total }, (_, i) => (i < done ? 'done' : 'pending'));
}

/**
 * The worker name a process gives its claims (see apply.ts): host, pid, a random part, and with
 * several workers per migration the claim loop's number.
 */
export function workerOf(pid: number, workers = 1): RegExp {
  const loop = workers > 1 ? `/[1-${workers}]` : '';
  return new RegExp(`^${escapeRegExp(hostname())}:${pid}:[0-9a-f]{6}${loop}$`);
}

/** A `<migration>: batch <n> committed` line of apply's plain output. */
export function committedLine(migration: string, batchNo: number): RegExp {
  return new RegExp(`^${escapeRegExp(migration)}: batch ${batchNo} committed`, 'm');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
