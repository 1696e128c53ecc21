// Two `ferry apply` on one target at once: the run lock lets one run and refuses the other with
// state.locked, naming the session that holds it (or, when the second starts after the first
// finished, the second finds nothing to move). Either way no row is missing or doubled.

import { describe, expect, it } from 'vitest';
import { runLockKey, runLockTag } from '../../src/state/advisory-locks.js';
import { referenceWorkload } from '../support/workload.js';
import { type Checks, FaultProject } from './fault-project.js';

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

/** A workload of its own for each test, so that they run side by side. */
async function withSlowRun(work: (project: FaultProject) => Promise<void>): Promise<void> {
  const project = new FaultProject(await referenceWorkload('fault_race', '0.002'), 'app');
  try {
    // Orders copy slowly (about two seconds in all), so that a run is long enough to be met by another.
    await project.editSpec('orders', (yaml) =>
      yaml.replace(
        'amount: { expr: "amount_cents / 100.0" }',
        'amount: { expr: "amount_cents / 100.0 + length(pg_sleep(0.0005)::text)" }',
      ),
    );
    await project.setBatchSizes({ case_files: 500, orders: 500, case_file_tags: 500 });
    await work(project);
  } finally {
    await project.workload.drop();
  }
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

/** Nothing to move any more: a further apply commits no batch. */
async function expectNothingLeft(project: FaultProject): Promise<void> {
  const again = await project.ferry(['apply']);
  expect(again.stderr).toBe('');
  expect(again.exitCode).toBe(0);
  expect(again.stdout).not.toContain('committed');
  expect(again.stdout).toContain('✓ 5 of 5 migrations done');
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
        const finished = await first;
        expect(finished.stderr).toBe('');
        expect(finished.exitCode).toBe(0);
        expect(finished.stdout).toContain('✓ 5 of 5 migrations done');
        await project.expectAllDone();
        await project.expectTablesAgree(CHECKS);
        // Every batch was claimed once: the refused run touched none.
        expect(
          await project.workload.target.query(`SELECT DISTINCT attempts FROM _ferry.migration_batches`),
        ).toEqual([{ attempts: 1 }]);
        await expectNothingLeft(project);
      }),
    60_000,
  );

  it(
    'two applies started together: one loads everything, the other is refused or finds nothing to do',
    () =>
      withSlowRun(async (project) => {
        const results = await Promise.all([project.startApply(), project.startApply()]);
        const [loaded, other] = results[0].stdout.includes('committed') ? results : [results[1], results[0]];
        expect(loaded.stderr).toBe('');
        expect(loaded.exitCode).toBe(0);
        expect(loaded.stdout).toContain('✓ 5 of 5 migrations done');
        if (other.exitCode === 1) {
          expect(other.stderr).toMatch(
            /^error\[state\.locked\]: another ferry run holds the lock "apply" on the target \(backend pid \d+, application "ferry target", connected since /m,
          );
        } else {
          // It took the lock only after the first run had finished.
          expect(other.exitCode).toBe(0);
          expect(other.stdout).not.toContain('committed');
        }
        await project.expectAllDone();
        await project.expectTablesAgree(CHECKS);
        expect(
          await project.workload.target.query(`SELECT DISTINCT attempts FROM _ferry.migration_batches`),
        ).toEqual([{ attempts: 1 }]);
        await expectNothingLeft(project);
      }),
    60_000,
  );
});
