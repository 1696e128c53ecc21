// A kill in the middle of the rebuild of keys a bulk load dropped: some keys are back, others still
// recorded in `_ferry.deferred_ddl`. docs/bulk.md promises that the next apply resumes the rebuild.
// It does not yet: planning compares the half-rebuilt tables with ferry.lock and refuses them as a
// stale plan (lock.stale), since withDeferredStructure (src/state/deferred-tables.ts) only stands in
// the recorded structure for a table exactly as bare as the bulk load left it. Planning again does
// not help either: the plan then pins tables without their primary keys, which apply refuses.
//
// The kill is made deterministic by a lock: a session holds app.brackets open for writing, so the
// rebuild restores the keys and indexes of every other table and waits to build the brackets'
// primary key (foreign keys come after all of them); the run is killed there.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectTablesAgree, REFERENCE_CHECKS } from '../support/checksums.js';
import { expectApplyFinished } from '../support/cli.js';
import type { Workload } from '../support/workload.js';
import { referenceWorkload } from '../support/workload.js';
import { FaultProject, sleep } from './fault-project.js';
import { targetConstraints } from './soak-count.js';

let workload: Workload;
let project: FaultProject;
let before: string[];

/** Waits until the rebuild has restored every index but the brackets' key, and waits on the lock. */
async function waitForRebuildBlockedByBrackets(): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 50) {
    const [row] = await workload.target.query<{ others: number; blocked: number }>(
      `SELECT (SELECT count(*)::int FROM _ferry.deferred_ddl
                WHERE restore_order = 1 AND object_name <> 'brackets_pkey') AS others,
              (SELECT count(*)::int FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = 'ferry target'
                  AND wait_event_type = 'Lock') AS blocked`,
    );
    if (row?.others === 0 && row.blocked > 0) return;
    await sleep(50);
  }
  throw new Error('the rebuild never got stuck on the brackets alone');
}

beforeAll(async () => {
  workload = await referenceWorkload('fault_rebuild', '0.001');
  project = new FaultProject(workload, 'app');
  before = await targetConstraints(workload.target);
  await project.setBatchSizes({ case_files: 100, orders: 200, case_file_tags: 200 });
  // A bulk load dies while loading: every key of the loaded tables is dropped and recorded.
  await project.applyKilledAt({ point: 'batch-committed', migration: 'case_files', hit: 2 }, ['--bulk']);

  // A safe apply rebuilds those keys before it loads; a session that may write brackets (ROW
  // EXCLUSIVE, which an index build waits for) stops it half way.
  await workload.target.withClient(async (holder) => {
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE app.brackets IN ROW EXCLUSIVE MODE');
    const apply = project.startApply();
    try {
      await waitForRebuildBlockedByBrackets();
    } finally {
      apply.kill('SIGKILL');
      await apply;
      await holder.query('COMMIT');
    }
    expect((await apply).signal).toBe('SIGKILL');
  });
  await project.waitForSessionsGone();
}, 120_000);

afterAll(async () => {
  await workload.drop();
});

describe('killed in the middle of the rebuild after a bulk load', () => {
  it('leaves the keys it restored in place and the rest recorded, no row of a batch not committed', async () => {
    const recorded = await workload.target.query<{ object_name: string }>(
      `SELECT object_name FROM _ferry.deferred_ddl ORDER BY object_name`,
    );
    expect(recorded.map((row) => row.object_name)).toEqual([
      'brackets_pkey',
      'case_file_tags_case_file_id_fkey',
      'case_file_tags_tag_id_fkey',
      'case_files_bracket_id_fkey',
      'orders_case_file_id_fkey',
    ]);
    const now = await targetConstraints(workload.target);
    expect(now).not.toEqual(before);
    expect(now).toContain('app.orders orders_pkey PRIMARY KEY (id)');
    // The rows of the two case-file batches the bulk load committed, the catalogs of layer 1, no more.
    expect(await project.count('target', 'app.case_files')).toBe(200);
    expect(await project.count('target', 'app.orders')).toBe(0);
    expect(await project.count('target', 'app.brackets')).toBe(1569);
  });

  // Fails today with lock.stale: see the head of this file.
  it.fails('the next apply finishes the rebuild and the load', async () => {
    const resumed = await project.ferry(['apply']);
    expectApplyFinished(resumed, 5);
    expect(await targetConstraints(workload.target)).toEqual(before);
    await expectTablesAgree(workload, REFERENCE_CHECKS);
  });
});
