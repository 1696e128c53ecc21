// The target server restarted in the middle of a run: the target is a server of its own, stopped
// (fast shutdown: every session terminated) while apply copies orders, and started again a second
// later. Batch connections reconnect with backoff, but the run lock was a session of the old server,
// so the run stops with a clear error (state.lock-lost, or connection.failed from a step that does not
// retry) rather than go on unprotected; the next apply finishes, every row once.

import { describe, expect, inject, it } from 'vitest';
import { expectTablesAgree, REFERENCE_CHECKS } from '../support/checksums.js';
import { expectApplyFinished } from '../support/cli.js';
import { FaultProject, sleep } from './fault-project.js';
import { startRestartableServer } from './restartable-server.js';
import { buildReferenceWorkload } from './soak-workload.js';

describe('the target server restarted mid-run', () => {
  it('stops the run with a clear error; the next apply finishes, nothing lost or doubled', async () => {
    const server = await startRestartableServer();
    try {
      const workload = await buildReferenceWorkload({
        label: 'fault_restart',
        sourceServer: inject('databaseUrl'),
        targetServer: server.url,
        scale: 0.002,
        merges: false,
      });
      try {
        const project = new FaultProject(workload, 'app');
        // Orders copy slowly (8 batches of about a quarter second), so the restart meets one.
        await project.editSpec('orders', (yaml) =>
          yaml.replace(
            'amount: { expr: "amount_cents / 100.0" }',
            'amount: { expr: "amount_cents / 100.0 + length(pg_sleep(0.0005)::text)" }',
          ),
        );
        await project.setBatchSizes({ orders: 500 });
        const apply = project.startApply();
        await project.catchStatement('target', 'COPY "app"."orders"%FROM STDIN', apply, { terminate: false });
        await server.stop();
        await sleep(1000);
        await server.start();
        const stopped = await apply;

        expect(stopped.exitCode, stopped.stderr).toBe(1);
        expect(stopped.stderr).toMatch(
          /^error\[(state\.lock-lost|connection\.failed)\]: (the connection that held the run lock on the target was lost|cannot connect to the target \(postgres:\/\/postgres:\*\*\*\*@127\.0\.0\.1:\d+\/ferry_fault_restart_tgt_[0-9a-f]+\): .+)$/m,
        );
        expect(stopped.stderr).not.toContain('this is a bug in ferry');
        expect(stopped.stdout).toMatch(/^orders: connection lost \(.+\), retry 1 in 250ms$/m);
        expect(stopped.stdout + stopped.stderr).not.toContain('ferry-restart');

        await project.waitForSessionsGone();
        expectApplyFinished(await project.ferry(['apply']), 5);
        await project.expectAllDone();
        await expectTablesAgree(workload, REFERENCE_CHECKS);
      } finally {
        await workload.drop();
      }
    } finally {
      await server.remove();
    }
  }, 180_000);
});
