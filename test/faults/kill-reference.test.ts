// SIGKILL, then resume, on the reference workload: ferry kills itself at a failpoint (before a batch's
// completion is recorded, before its COMMIT, right after it, after a migration is prepared, between
// layers) in parent tables, catalog tables and the case_file_tags junction; the next apply must
// finish with every table equal to its source, no row lost, none doubled.

import { describe, expect, it } from 'vitest';
import { referenceWorkload } from '../support/workload.js';
import {
  type Checks,
  committedLine,
  FaultProject,
  type KillPoint,
  type KillScene,
  killThenResume,
  workerOf,
} from './fault-project.js';

const CHECKS: Checks = {
  brackets: [
    `SELECT id, bracket_name, min_weight, max_weight, created_at::timestamptz FROM legacy.dispatch_bracket`,
    `SELECT id, name, min_weight, max_weight, created_at FROM app.brackets`,
  ],
  tags: [`SELECT id, label FROM legacy.dispatch_tag`, `SELECT id, label FROM app.tags`],
  case_files: [
    `SELECT id, case_number, bracket_id, status, opened_on, notes, is_active <> 0 FROM legacy.dispatch_casefile`,
    `SELECT id, case_number, bracket_id, status, opened_on, notes, active FROM app.case_files`,
  ],
  orders: [
    `SELECT id, casefile_id, (amount_cents / 100.0)::numeric(12,2), currency, placed_at::timestamptz FROM legacy.dispatch_order`,
    `SELECT id, case_file_id, amount, currency, placed_at FROM app.orders`,
  ],
  case_file_tags: [
    `SELECT casefile_id, tag_id FROM legacy.dispatch_casefile_tags`,
    `SELECT case_file_id, tag_id FROM app.case_file_tags`,
  ],
};

const TABLES: KillScene['tables'] = {
  brackets: { table: 'app.brackets', batches: 1 },
  tags: { table: 'app.tags', batches: 1 },
  case_files: { table: 'app.case_files', batches: 10 },
  orders: { table: 'app.orders', batches: 10 },
  case_file_tags: { table: 'app.case_file_tags', batches: 10 },
};

/**
 * A workload of its own for each test, so that the tests run side by side: 2,000 case files, 4,000
 * orders and 3,996 case/tag pairs, in ten batches each.
 */
async function withReference(
  work: (project: FaultProject, scene: KillScene) => Promise<void>,
): Promise<void> {
  const project = new FaultProject(await referenceWorkload('fault_ref', '0.002'), 'app');
  try {
    await project.setBatchSizes({ case_files: 200, orders: 400, case_file_tags: 400 });
    await work(project, { tables: TABLES, migrations: 5, verify: () => project.expectTablesAgree(CHECKS) });
  } finally {
    await project.workload.drop();
  }
}

/** Migrations of the layers the dead run finished are done; the later ones never started. */
async function expectLayersBefore(
  project: FaultProject,
  done: readonly string[],
  notStarted: readonly string[],
): Promise<void> {
  for (const name of done) expect(await project.phase(name), name).toBe('done');
  for (const name of notStarted) {
    expect(await project.phase(name), name).toBeUndefined();
    expect(await project.count('target', TABLES[name]?.table as string), name).toBe(0);
  }
}

describe.concurrent('SIGKILL and resume on the reference workload', () => {
  const parent: KillPoint[] = [
    { point: 'migration-prepared', migration: 'case_files' },
    { point: 'batch-loaded', migration: 'case_files', hit: 3 },
    { point: 'batch-completed', migration: 'case_files', hit: 10 },
  ];
  it(
    'a parent table (case_files): killed after preparing, mid-batch, and before its last COMMIT',
    () =>
      withReference(async (project, scene) => {
        for (const kill of parent) await killThenResume(project, scene, kill);
      }),
    180_000,
  );

  const junction: KillPoint[] = [
    { point: 'batch-loaded', migration: 'case_file_tags', hit: 1 },
    { point: 'batch-completed', migration: 'case_file_tags', hit: 4 },
    { point: 'batch-committed', migration: 'case_file_tags', hit: 10 },
  ];
  it(
    'the junction table (case_file_tags): killed at its first, a middle and its last batch',
    () =>
      withReference(async (project, scene) => {
        for (const kill of junction) await killThenResume(project, scene, kill);
      }),
    180_000,
  );

  const others: KillPoint[] = [
    { point: 'batch-committed', migration: 'brackets', hit: 1 },
    { point: 'batch-completed', migration: 'orders', hit: 7 },
  ];
  it(
    'catalog tables, orders, and the boundaries between layers',
    () =>
      withReference(async (project, scene) => {
        for (const kill of others) await killThenResume(project, scene, kill);
        const second = await killThenResume(project, scene, { point: 'layer-started', hit: 2 }, () =>
          expectLayersBefore(project, ['brackets', 'tags'], ['case_files', 'orders', 'case_file_tags']),
        );
        expect(second.stdout).not.toMatch(committedLine('brackets', 1));
        expect(second.stdout).toMatch(committedLine('case_files', 1));
        const third = await killThenResume(project, scene, { point: 'layer-started', hit: 3 }, () =>
          expectLayersBefore(project, ['brackets', 'tags', 'case_files'], ['orders', 'case_file_tags']),
        );
        expect(third.stdout).not.toMatch(committedLine('case_files', 10));
        expect(third.stdout).toMatch(committedLine('case_file_tags', 1));

        const again = await project.ferry(['apply']);
        expect(again.exitCode).toBe(0);
        expect(again.stdout).not.toContain('committed');
        await project.expectTablesAgree(CHECKS);
      }),
    180_000,
  );

  it(
    'three workers on one migration: every batch in flight when the process dies is given back once',
    () =>
      withReference(async (project) => {
        const kill: KillPoint = { point: 'batch-loaded', migration: 'orders', hit: 5 };
        const pid = await project.applyKilledAt(kill, ['--workers', '3']);
        const left = await project.batches('orders');
        const running = left.filter((b) => b.status === 'running');
        // The dying worker's batch, and whatever its two siblings were loading at that instant.
        expect(running.length).toBeGreaterThanOrEqual(1);
        expect(running.length).toBeLessThanOrEqual(3);
        for (const batch of running)
          expect(batch).toMatchObject({
            attempts: 1,
            leased: true,
            worker: expect.stringMatching(workerOf(pid, 3)),
          });
        // Four batches were loaded before the fifth; at most two of them can still be in flight.
        const committed = left.filter((b) => b.status === 'done');
        expect(committed.length).toBeGreaterThanOrEqual(2);
        expect(await project.count('target', 'app.orders')).toBe(
          committed.reduce((sum, b) => sum + (b.rows ?? 0), 0),
        );

        const resumed = await project.ferry(['apply', '--workers', '3']);
        expect(resumed.stderr).toBe('');
        expect(resumed.exitCode).toBe(0);
        const redone = new Set(running.map((b) => b.batchNo));
        const after = await project.batches('orders');
        expect(after.map((b) => b.attempts)).toEqual(after.map((b) => (redone.has(b.batchNo) ? 2 : 1)));
        for (const batch of left) {
          const line = committedLine('orders', batch.batchNo);
          if (batch.status === 'done') expect(resumed.stdout).not.toMatch(line);
          else expect(resumed.stdout).toMatch(line);
        }
        await project.expectAllDone();
        await project.expectTablesAgree(CHECKS);
      }),
    180_000,
  );
});
