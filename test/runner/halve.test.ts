// A batch that meets the source's statement_timeout is halved until its pieces fit, with every row
// moved once: the batch is not the data's fault, so nothing pauses.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerry } from '../support/cli.js';
import { inlineWorkload, type Workload } from '../support/workload.js';

let workload: Workload;

beforeEach(async () => {
  workload = await inlineWorkload({
    label: 'halve',
    sourceSql: `
      CREATE SCHEMA legacy;
      CREATE TABLE legacy.readings (id int PRIMARY KEY, value int NOT NULL);
      INSERT INTO legacy.readings SELECT g, g * 7 FROM generate_series(1, 400) g;`,
    targetSql: `
      CREATE SCHEMA app;
      CREATE TABLE app.readings (id int PRIMARY KEY, value int NOT NULL);`,
    specs: {
      // Each row costs the source 3 ms, so a batch of 200 rows takes 0.6 s and one of 50 takes 0.15 s.
      'readings.yaml': `migration: readings
from: legacy.readings
to: app.readings
batch: { size: 200 }
columns:
  id: { from: id }
  value: { expr: "value + 0 * length(pg_sleep(0.003)::text)" }
`,
    },
  });
});

afterEach(async () => {
  await workload.drop();
});

describe('a batch too big for the statement timeout', () => {
  it('is halved until it fits, every row moved exactly once', async () => {
    const ferry = (args: string[]) => runFerry(args, { cwd: workload.projectDir, env: workload.env });
    expect((await ferry(['plan'])).exitCode).toBe(0);
    await workload.source.query(`ALTER DATABASE "${workload.source.name}" SET statement_timeout = '250ms'`);

    const applied = await ferry(['apply']);
    expect(applied.stderr).toBe('');
    expect(applied.exitCode).toBe(0);
    expect(applied.stdout).toMatch(
      /readings: batch 1 halved \(canceling statement due to statement timeout\)/,
    );

    const [target] = await workload.target.query<{ rows: number; sum: string }>(
      'SELECT count(*)::int AS rows, sum(id::bigint * value)::text AS sum FROM app.readings',
    );
    const [source] = await workload.source.query<{ rows: number; sum: string }>(
      'SELECT count(*)::int AS rows, sum(id::bigint * value)::text AS sum FROM legacy.readings',
    );
    expect(target).toEqual(source);
    // 2 batches of 200, each halved twice: 8 batches of 50, all done, covering the rows once.
    const batches = await workload.target.query<{ status: string; rows: string }>(
      'SELECT status, rows::text FROM _ferry.migration_batches ORDER BY batch_no',
    );
    expect(batches).toEqual(Array.from({ length: 8 }, () => ({ status: 'done', rows: '50' })));
  });
});
