// The target connection lost during the fix-up step, which connection-loss.test.ts does not reach:
// case files merged into one another (soak-workload.ts) get their merge reference from a fix-up
// UPDATE after every case file is loaded, and the test terminates the backend running it. The
// UPDATE dies with its transaction, so nothing is half done, and the next apply finishes. A lost
// connection there is not retried within the run as a batch's is, though, and the run ends calling
// it a bug of ferry's (the it.fails test below).

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { expectTablesAgree } from '../support/checksums.js';
import { expectApplyFinished } from '../support/cli.js';
import type { Workload } from '../support/workload.js';
import { type ApplyProcess, FaultProject } from './fault-project.js';
import { buildReferenceWorkload, MERGED_REFERENCE_CHECKS } from './soak-workload.js';

let workload: Workload;
let project: FaultProject;
let terminated: Awaited<ApplyProcess>;

beforeAll(async () => {
  const server = inject('databaseUrl');
  workload = await buildReferenceWorkload({
    label: 'fault_fixup',
    sourceServer: server,
    targetServer: server,
    scale: 0.001,
    merges: true,
  });
  project = new FaultProject(workload, 'app');
  await project.setBatchSizes({ case_files: 250 });
  // The fix-up UPDATE of 333 merged case files takes about a second.
  await workload.target.query(`
    CREATE FUNCTION app.slow_update() RETURNS trigger LANGUAGE plpgsql
      AS $$ BEGIN PERFORM pg_sleep(0.003); RETURN NEW; END $$;
    CREATE TRIGGER slow_update BEFORE UPDATE ON app.case_files FOR EACH ROW EXECUTE FUNCTION app.slow_update();`);
  const apply = project.startApply();
  await project.catchStatement('target', 'UPDATE "app"."case_files" t SET%', apply, { terminate: true });
  terminated = await apply;
  await project.waitForSessionsGone();
}, 180_000);

afterAll(async () => {
  await workload.drop();
});

describe('the target connection lost during the fix-up step', () => {
  // Fails today: runFixup (run-graph.ts) is not wrapped in retryingConnectionLoss, and its error
  // reaches the CLI as an internal error ("this is a bug in ferry").
  it.fails('is retried within the run, like a batch whose connection was lost', () => {
    expect(terminated.stderr).not.toContain('this is a bug in ferry');
    expect(terminated.exitCode).toBe(0);
  });

  it('keeps nothing of the UPDATE; the next apply runs the fix-up and finishes', async () => {
    expect(terminated.exitCode).toBe(1);
    expect(terminated.stderr).toContain('terminating connection due to administrator command');
    expect(await project.phase('case_files')).toBe('fixup');
    // Every case file loaded, no merge reference set: the UPDATE rolled back with its transaction.
    expect(await project.count('target', 'app.case_files')).toBe(1000);
    expect(await project.count('target', 'app.case_files WHERE merged_into_id IS NOT NULL')).toBe(0);
    expect(await project.count('target', '_ferry.fixup_case_files')).toBe(333);

    const resumed = await project.ferry(['apply']);
    expectApplyFinished(resumed, 5);
    expect(resumed.stdout).not.toContain('committed');
    await project.expectAllDone();
    await expectTablesAgree(workload, MERGED_REFERENCE_CHECKS);
  });
});
