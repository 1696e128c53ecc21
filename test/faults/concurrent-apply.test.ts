// Two `ferry apply` on one target at once: the run lock lets one run and refuses the other with
// state.locked, naming the session that holds it (or, when the second starts after the first
// finished, the second finds nothing to move). Either way no row is missing or doubled.

import { describe, expect, it } from 'vitest';
import { runLockKey, runLockTag } from '../../src/state/advisory-locks.js';
import { expectTablesAgree, REFERENCE_CHECKS } from '../support/checksums.js';
import { expectApplyFinished } from '../support/cli.js';
import { referenceWorkload } from '../support/workload.js';
import { type FaultProject, withFaultProject } from './fault-project.js';

/** A workload of its own for each test, so that they run side by side. */
async function withSlowRun(work: (project: FaultProject) => Promise<void>): Promise<void> {
  await withFaultProject(await referenceWorkload('fault_race', '0.002'), 'app', async (project) => {
    // Orders copy slowly (about two seconds in all), so that a run is long enough to be met by another.
    await project.editSpec('orders', (yaml) =>
      yaml.replace(
        'amount: { expr: "amount_cents / 100.0" }',
        'amount: { expr: "amount_cents / 100.0 + length(pg_sleep(0.0005)::text)" }',
      ),
    );
    await project.setBatchSizes({ case_files: 500, orders: 500, case_file_tags: 500 });
    await work(project);
  });
}

/** The backend holding the apply run lock on the target, as pg_locks shows it. */
async function lockHolder(project: FaultProject): Promise<number | undefined> {
  const tag = runLockTag(runLockKey('apply'));
  const [row] = await project.workload.target.query<{ pid: number }>(
    `SELECT pid FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid = $1::oid AND objid = $2::oid
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [tag.classid, tag.objid],
  );
  return row?.pid;
}

/** Whichever run loaded, it loaded every batch once and every table agrees; a further apply moves nothing. */
async function expectLoadedOnce(project: FaultProject): Promise<void> {
  await project.expectAllDone();
  await expectTablesAgree(project.workload, REFERENCE_CHECKS);
  // Every batch was claimed once: a refused run touched none.
  expect(
    await project.workload.target.query(`SELECT DISTINCT attempts FROM _ferry.migration_batches`),
  ).toEqual([{ attempts: 1 }]);
  await project.expectNothingLeft(5);
}

describe.concurrent('two applies on one target', () => {
  it(
    'a second apply while the first is loading is refused with state.locked, naming the holder',
    () =>
      withSlowRun(async (project) => {
        const first = project.startApply();
        await project.catchStatement('source', 'COPY (%dispatch_order%) TO STDOUT', first, {
          terminate: false,
        });
        const holder = await lockHolder(project);
        expect(holder).toBeTypeOf('number');

        const second = await project.ferry(['apply']);
        expect(second.exitCode).toBe(1);
        expect(second.stdout).toBe('');
        expect(second.stderr).toContain(
          `error[state.locked]: another ferry run holds the lock "apply" on the target (backend pid ${holder}, application "ferry target", connected since `,
        );
        expectApplyFinished(await first, 5);
        await expectLoadedOnce(project);
      }),
    60_000,
  );

  it(
    'two applies started together: one loads everything, the other is refused or finds nothing to do',
    () =>
      withSlowRun(async (project) => {
        const results = await Promise.all([project.startApply(), project.startApply()]);
        const [loaded, other] = results[0].stdout.includes('committed') ? results : [results[1], results[0]];
        expectApplyFinished(loaded, 5);
        if (other.exitCode === 1) {
          expect(other.stderr).toMatch(
            /^error\[state\.locked\]: another ferry run holds the lock "apply" on the target \(backend pid \d+, application "ferry target", connected since /m,
          );
        } else {
          // It took the lock only after the first run had finished.
          expect(other.exitCode).toBe(0);
          expect(other.stdout).not.toContain('committed');
        }
        await expectLoadedOnce(project);
      }),
    60_000,
  );
});
