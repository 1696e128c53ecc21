// The run lock is a session lock on apply's control connection. When that session is terminated in
// the middle of a run, apply stops taking batches and says so; the next apply resumes, exactly once.

import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FERRY_BIN, runFerry } from '../support/cli.js';
import { inlineWorkload, type Workload } from '../support/workload.js';

let workload: Workload;

beforeEach(async () => {
  workload = await inlineWorkload({
    label: 'lock_lost',
    sourceSql: `
      CREATE SCHEMA legacy;
      CREATE TABLE legacy.events (id int PRIMARY KEY, payload text NOT NULL);
      INSERT INTO legacy.events SELECT g, md5(g::text) FROM generate_series(1, 600) g;`,
    targetSql: `
      CREATE SCHEMA app;
      CREATE TABLE app.events (id int PRIMARY KEY, payload text NOT NULL);`,
    specs: {
      // 2 ms a row: batches of 50 take about 0.1 s, so the run lasts long enough to be cut.
      'events.yaml': `migration: events
from: legacy.events
to: app.events
batch: { size: 50 }
columns:
  id: { from: id }
  payload: { expr: "payload || left(pg_sleep(0.002)::text, 0)" }
`,
    },
  });
});

afterEach(async () => {
  await workload.drop();
});

const LOCK_HOLDER_SQL = `
SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()
  AND a.application_name = 'ferry target'`;

describe('losing the run lock', () => {
  it('stops the run with state.lock-lost, and the next apply finishes exactly once', async () => {
    const ferry = (args: string[]) => runFerry(args, { cwd: workload.projectDir, env: workload.env });
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const run = execa('node', [FERRY_BIN, 'apply'], {
      cwd: workload.projectDir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...workload.env },
      extendEnv: false,
      reject: false,
    });
    // Wait until the run has its state and its lock, then end the session that holds the lock.
    let holder: number | undefined;
    for (let tries = 0; tries < 200 && holder === undefined; tries++) {
      const [done] = await workload.target.query<{ done: number }>(
        `SELECT count(*)::int AS done FROM pg_tables t WHERE t.schemaname = '_ferry' AND t.tablename = 'migration_batches'`,
      );
      if (done?.done === 1) {
        const [row] = await workload.target.query<{ pid: number }>(LOCK_HOLDER_SQL);
        holder = row?.pid;
      }
      if (holder === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(holder).toBeDefined();
    await workload.target.query('SELECT pg_terminate_backend($1)', [holder]);
    const stopped = await run;
    expect(stopped.exitCode).toBe(1);
    expect(stopped.stderr).toContain('state.lock-lost');

    const resumed = await ferry(['apply']);
    expect(resumed.exitCode).toBe(0);
    const [target] = await workload.target.query<{ summary: string }>(
      `SELECT count(*) || ':' || md5(string_agg(id || payload, ',' ORDER BY id)) AS summary FROM app.events`,
    );
    const [source] = await workload.source.query<{ summary: string }>(
      `SELECT count(*) || ':' || md5(string_agg(id || payload, ',' ORDER BY id)) AS summary FROM legacy.events`,
    );
    expect(target).toEqual(source);
  });
});
