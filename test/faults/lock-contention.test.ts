// Another session on the target while apply loads: one that holds a table locked makes ferry wait,
// and the run finishes once the lock is released; a writer whose row collides with a key ferry is
// loading pauses the migration naming that key, and apply finishes once the row is gone. With a
// lock_timeout on the target, the wait ends in `apply.batch-refused`, nothing of the batch kept, and
// the next apply loads that batch again.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectTablesAgree, REFERENCE_CHECKS } from '../support/checksums.js';
import { type CliResult, expectApplyFinished } from '../support/cli.js';
import type { Workload } from '../support/workload.js';
import { referenceWorkload } from '../support/workload.js';
import { type ApplyProcess, FaultProject, sleep, withFaultProject } from './fault-project.js';

/** 4,000 orders in 8 batches that each take about a quarter second on the source. */
async function withSlowOrders(label: string, work: (project: FaultProject) => Promise<void>): Promise<void> {
  await withFaultProject(await referenceWorkload(label, '0.002'), 'app', async (project) => {
    await project.editSpec('orders', (yaml) =>
      yaml.replace(
        'amount: { expr: "amount_cents / 100.0" }',
        'amount: { expr: "amount_cents / 100.0 + length(pg_sleep(0.0005)::text)" }',
      ),
    );
    await project.setBatchSizes({ orders: 500 });
    await work(project);
  });
}

/** Waits until a ferry session on the target waits for a lock, and returns what it runs. */
async function ferryWaitingForLock(project: FaultProject, running: Promise<unknown>): Promise<string> {
  let settled = false;
  void running.finally(() => {
    settled = true;
  });
  for (let waited = 0; waited < 60_000; waited += 20) {
    const [row] = await project.workload.target.query<{ query: string }>(
      `SELECT query FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'ferry target' AND wait_event_type = 'Lock'`,
    );
    if (row) return row.query;
    if (settled) throw new Error('apply ended without ever waiting for a lock');
    await sleep(20);
  }
  throw new Error('no ferry session waited for a lock within 60 s');
}

/**
 * Runs apply while another session of the target has run `hold` in an open transaction, begun before
 * the apply or, with `once`, when that resolves; once ferry waits for that session's lock, commits it.
 * Returns the statement ferry waited in and how apply ended.
 */
async function applyMeetingTransaction(
  project: FaultProject,
  hold: string,
  once?: (apply: ApplyProcess) => Promise<unknown>,
): Promise<{ readonly waitedIn: string; readonly result: Awaited<ApplyProcess> }> {
  return project.workload.target.withClient(async (other) => {
    let apply: ApplyProcess | undefined;
    try {
      if (once === undefined) {
        await other.query('BEGIN');
        await other.query(hold);
      }
      apply = project.startApply();
      if (once !== undefined) {
        await once(apply);
        await other.query('BEGIN');
        await other.query(hold);
      }
      const waitedIn = await ferryWaitingForLock(project, apply);
      await other.query('COMMIT');
      return { waitedIn, result: await apply };
    } finally {
      await other.query('ROLLBACK').catch(() => {});
      await apply?.catch(() => {});
    }
  });
}

describe.concurrent('another session on the target during apply', () => {
  it(
    'a table held locked: apply waits for it and finishes once the lock is released',
    () =>
      withSlowOrders('fault_lock_held', async (project) => {
        const { waitedIn, result } = await applyMeetingTransaction(
          project,
          'LOCK TABLE app.orders IN ACCESS EXCLUSIVE MODE',
        );
        expect(waitedIn).toMatch(/"app"\."orders"/);
        expectApplyFinished(result, 5);
        await project.expectAllDone();
        await project.expectRedoneOnce('orders', new Set());
        await expectTablesAgree(project.workload, REFERENCE_CHECKS);
      }),
    120_000,
  );

  it(
    'a writer inserting a key ferry loads: apply waits for its commit, then pauses naming the key; without the row it finishes',
    () =>
      withSlowOrders('fault_lock_writer', async (project) => {
        // Written while ferry copies the first orders, and left uncommitted until ferry's insert of
        // 3777 (in the last batch) waits for it.
        const { result } = await applyMeetingTransaction(
          project,
          `INSERT INTO app.orders (id, case_file_id, amount, currency, placed_at) VALUES (3777, 1, 1.00, 'EUR', now())`,
          (apply) =>
            project.catchStatement('source', 'COPY (%dispatch_order%) TO STDOUT', apply, {
              terminate: false,
            }),
        );
        expect(result.exitCode, result.stderr).toBe(3);
        expect(result.stderr).toBe('');
        expect(result.stdout).toContain(
          '⏸ orders: paused at batch 8: duplicate key value violates unique constraint "orders_pkey"',
        );
        expect(result.stdout).toContain('source key (3777): orders_pkey: Key (id)=(3777) already exists.');
        expect(await project.phase('orders')).toBe('paused');
        // Nothing of the paused batch was kept: the writer's row is the only one in its range.
        expect(await project.count('target', 'app.orders WHERE id > 3500')).toBe(1);

        await project.workload.target.query(`DELETE FROM app.orders WHERE id = 3777`);
        expectApplyFinished(await project.ferry(['apply']), 5);
        await project.expectAllDone();
        await expectTablesAgree(project.workload, REFERENCE_CHECKS);
      }),
    120_000,
  );
});

describe('a lock_timeout on the target while a table is held locked', () => {
  let workload: Workload;
  let project: FaultProject;
  let stopped: CliResult;

  beforeAll(async () => {
    workload = await referenceWorkload('fault_lock_timeout', '0.002');
    project = new FaultProject(workload, 'app');
    await project.setBatchSizes({ orders: 500 });
    await workload.target.query(`ALTER DATABASE "${workload.target.name}" SET lock_timeout = '500ms'`);
    stopped = await workload.target.withClient(async (holder) => {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE app.orders IN ACCESS EXCLUSIVE MODE');
      try {
        return await project.ferry(['apply']);
      } finally {
        await holder.query('COMMIT');
      }
    });
  }, 120_000);

  afterAll(async () => {
    await workload.drop();
  });

  it('stops the run, keeping no row of the batch that waited', async () => {
    expect(stopped.exitCode).toBe(1);
    expect(stopped.stderr).toContain('canceling statement due to lock timeout');
    const batches = await project.batches('orders');
    expect(batches.map((b) => b.status)).toEqual(['failed', ...Array(7).fill('pending')]);
    expect(await project.count('target', 'app.orders')).toBe(0);
    // The migrations the lock did not touch finished.
    expect(await project.phase('case_file_tags')).toBe('done');
  });

  it('says that the server refused the batch, naming it, not that ferry has a bug', () => {
    expect(stopped.stderr).toContain(
      'error[apply.batch-refused]: orders: batch 1 was refused by the target server',
    );
    expect(stopped.stderr).toContain('[SQLSTATE 55P03]');
    expect(stopped.stderr).not.toContain('this is a bug in ferry');
  });

  it('the next apply, with the lock gone, loads the batch that timed out', async () => {
    const resumed = await project.ferry(['apply']);
    expectApplyFinished(resumed, 5);
    await expectTablesAgree(workload, REFERENCE_CHECKS);
  });
});
