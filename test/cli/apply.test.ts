// `ferry apply` on the reference workload: source and target agree by checksum, a second apply moves
// nothing, a violation pauses (exit 3) while independent branches finish, and after the cause is
// fixed — or after a SIGKILL in the middle — apply resumes with no row lost or duplicated.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectTablesAgree, REFERENCE_CHECKS } from '../support/checksums.js';
import { expectApplyFinished, FERRY_BIN, runFerry } from '../support/cli.js';
import { referenceWorkload, type Workload } from '../support/workload.js';

let workload: Workload;

beforeEach(async () => {
  workload = await referenceWorkload('apply', '0.01');
});

afterEach(async () => {
  await workload.drop();
});

const ferry = (args: string[]) => runFerry(args, { cwd: workload.projectDir, env: workload.env });

async function batchesDone(migration: string): Promise<number> {
  const [row] = await workload.target
    .query<{ n: number }>(
      `SELECT count(*)::int AS n FROM _ferry.migration_batches WHERE migration = $1 AND status = 'done'`,
      [migration],
    )
    .catch(() => [{ n: 0 }]);
  return row?.n ?? 0;
}

describe('ferry apply', () => {
  it('moves every row exactly once, and a second apply moves nothing', async () => {
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const first = await ferry(['apply']);
    expectApplyFinished(first, 5);
    await expectTablesAgree(workload, REFERENCE_CHECKS);
    const second = await ferry(['apply']);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).not.toContain('committed');
    await expectTablesAgree(workload, REFERENCE_CHECKS);
  });

  it('pauses on a violation with exit 3, finishes independent branches, and resumes once fixed', async () => {
    await workload.target.query('ALTER TABLE app.orders ADD CONSTRAINT small_amounts CHECK (amount < 500)');
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const before = await ferry(['status']);
    expect(before.stdout.split('\n')[0]).toMatch(/^migration +phase +batches +rows +rows\/s +eta$/);
    expect(before.stdout.split('\n')[1]).toMatch(/^brackets +not applied +- +0 +- +-$/);
    const paused = await ferry(['apply']);
    expect(paused.exitCode).toBe(3);
    expect(paused.stdout).toMatch(
      /⏸ orders: paused at batch 1: new row for relation "orders" violates check constraint "small_amounts" \(constraint small_amounts; Failing row contains .*\) \[SQLSTATE 23514\]/,
    );
    expect(paused.stdout).toContain('4 of 5 migrations done');
    expect(await workload.target.query('SELECT count(*)::int AS n FROM app.orders')).toEqual([{ n: 0 }]);
    await expectTablesAgree(workload, REFERENCE_CHECKS, ['brackets', 'tags', 'case_files', 'case_file_tags']);
    const [control] = await workload.target.query<{ phase: string; constraint: string }>(
      `SELECT phase, paused_reason->>'constraint' AS constraint FROM _ferry.migration_control WHERE migration = 'orders'`,
    );
    expect(control).toEqual({ phase: 'paused', constraint: 'small_amounts' });
    const status = await ferry(['status']);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(
      /\norders +paused +0\/1 +0 +- +-\n +paused: new row for relation "orders" violates check constraint "small_amounts"/,
    );
    // Done: its rate stays; the ETA column is empty.
    expect(status.stdout).toMatch(/\ncase_file_tags +done +1\/1 +19,980 +[\d,]+ +-\n/);

    await workload.target.query('ALTER TABLE app.orders DROP CONSTRAINT small_amounts');
    // The target's structure changed, so the reviewed plan no longer describes it: apply refuses.
    const stale = await ferry(['apply']);
    expect(stale.exitCode).toBe(1);
    expect(stale.stderr).toContain(
      'error[lock.stale]: ferry.lock is stale: target table app.orders changed structure',
    );
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const resumed = await ferry(['apply']);
    expect(resumed.exitCode).toBe(0);
    expect(resumed.stdout).toContain('✓ 5 of 5 migrations done');
    await expectTablesAgree(workload, REFERENCE_CHECKS);
    const json = JSON.parse((await ferry(['status', '--json'])).stdout) as {
      migrations: Array<{
        migration: string;
        status: { phase: string; rows: number; rowsPerSecond: number | null; etaSeconds: number | null };
      }>;
    };
    expect(json.migrations.map((m) => [m.migration, m.status.phase, m.status.rows])).toEqual([
      ['brackets', 'done', 1569],
      ['tags', 'done', 500],
      ['case_files', 'done', 10000],
      ['case_file_tags', 'done', 19980],
      ['orders', 'done', 20000],
    ]);
    for (const { status } of json.migrations) expect(status).toMatchObject({ etaSeconds: 0 });
    for (const { status } of json.migrations) expect(status.rowsPerSecond).toBeGreaterThan(0);
  });

  it('survives a SIGKILL in the middle of a table: resume loses and duplicates nothing', async () => {
    const specPath = join(workload.projectDir, 'specs', 'orders.yaml');
    await writeFile(specPath, `${await readFile(specPath, 'utf8')}batch: { size: 100 }\n`);
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const child = execa('node', [FERRY_BIN, 'apply'], {
      cwd: workload.projectDir,
      env: { PATH: process.env.PATH, ...workload.env },
      extendEnv: false,
      reject: false,
    });
    for (let done = 0; done < 10; done = await batchesDone('orders')) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    child.kill('SIGKILL');
    const killed = await child;
    expect(killed.signal).toBe('SIGKILL');
    expect(await batchesDone('orders')).toBeLessThan(200);

    const resumed = await ferry(['apply']);
    expect(resumed.stderr).toBe('');
    expect(resumed.exitCode).toBe(0);
    expect(await batchesDone('orders')).toBe(200);
    await expectTablesAgree(workload, REFERENCE_CHECKS);
  });
});
