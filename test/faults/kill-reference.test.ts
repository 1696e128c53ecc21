// SIGKILL, then resume, on the reference workload: ferry kills itself at a failpoint (before a batch's
// completion is recorded, before its COMMIT, right after it, after a migration is prepared, between
// layers) in parent tables, catalog tables and the case_file_tags junction; the next apply must
// finish with every table equal to its source, no row lost, none doubled.

import { describe, expect, it } from 'vitest';
import { expectTablesAgree, REFERENCE_CHECKS } from '../support/checksums.js';
import { expectApplyFinished } from '../support/cli.js';
import { referenceWorkload } from '../support/workload.js';
import {
  committedLine,
  expectLayersBefore,
  type FaultProject,
  type KillPoint,
  type KillScene,
  killEachThenResume,
  killThenResume,
  withFaultProject,
} from './fault-project.js';

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
  await withFaultProject(await referenceWorkload('fault_ref', '0.002'), 'app', async (project) => {
    await project.setBatchSizes({ case_files: 200, orders: 400, case_file_tags: 400 });
    await work(project, {
      tables: TABLES,
      migrations: 5,
      verify: () => expectTablesAgree(project.workload, REFERENCE_CHECKS),
    });
  });
}

describe.concurrent('SIGKILL and resume on the reference workload', () => {
  const parent: KillPoint[] = [
    { point: 'migration-prepared', migration: 'case_files' },
    { point: 'batch-loaded', migration: 'case_files', hit: 3 },
    { point: 'batch-completed', migration: 'case_files', hit: 10 },
  ];
  it(
    'a parent table (case_files): killed after preparing, mid-batch, and before its last COMMIT',
    () => withReference((project, scene) => killEachThenResume(project, scene, parent)),
    180_000,
  );

  const junction: KillPoint[] = [
    { point: 'batch-loaded', migration: 'case_file_tags', hit: 1 },
    { point: 'batch-completed', migration: 'case_file_tags', hit: 4 },
    { point: 'batch-committed', migration: 'case_file_tags', hit: 10 },
  ];
  it(
    'the junction table (case_file_tags): killed at its first, a middle and its last batch',
    () => withReference((project, scene) => killEachThenResume(project, scene, junction)),
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
        await killEachThenResume(project, scene, others);
        const second = await killThenResume(project, scene, { point: 'layer-started', hit: 2 }, () =>
          expectLayersBefore(
            project,
            scene,
            ['brackets', 'tags'],
            ['case_files', 'orders', 'case_file_tags'],
          ),
        );
        expect(second.stdout).not.toMatch(committedLine('brackets', 1));
        expect(second.stdout).toMatch(committedLine('case_files', 1));
        const third = await killThenResume(project, scene, { point: 'layer-started', hit: 3 }, () =>
          expectLayersBefore(
            project,
            scene,
            ['brackets', 'tags', 'case_files'],
            ['orders', 'case_file_tags'],
          ),
        );
        expect(third.stdout).not.toMatch(committedLine('case_files', 10));
        expect(third.stdout).toMatch(committedLine('case_file_tags', 1));

        await project.expectNothingLeft(scene.migrations);
        await scene.verify();
      }),
    180_000,
  );

  it(
    'three workers on one migration: every batch in flight when the process dies is given back once',
    () =>
      withReference(async (project, scene) => {
        const kill: KillPoint = { point: 'batch-loaded', migration: 'orders', hit: 5 };
        const pid = await project.applyKilledAt(kill, ['--workers', '3']);
        const left = await project.expectLeftByKilledRun('orders', 'app.orders', pid, { workers: 3 });
        // The dying worker's batch, and whatever its two siblings were loading at that instant.
        expect(left.running.length).toBeGreaterThanOrEqual(1);
        expect(left.running.length).toBeLessThanOrEqual(3);
        // Four batches were loaded before the fifth; at most two of them can still be in flight.
        expect(left.batches.filter((b) => b.status === 'done').length).toBeGreaterThanOrEqual(2);

        const resumed = await project.ferry(['apply', '--workers', '3']);
        expectApplyFinished(resumed, scene.migrations);
        await project.expectRedoneOnce('orders', new Set(left.running.map((b) => b.batchNo)));
        for (const batch of left.batches) {
          const line = committedLine('orders', batch.batchNo);
          if (batch.status === 'done') expect(resumed.stdout).not.toMatch(line);
          else expect(resumed.stdout).toMatch(line);
        }
        await project.expectAllDone();
        await scene.verify();
      }),
    180_000,
  );
});
