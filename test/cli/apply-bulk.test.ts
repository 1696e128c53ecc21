// `ferry apply --bulk` on the reference workload: keys, indexes and foreign keys dropped while the rows
// load and rebuilt after, exactly as they were; children that need nothing of their parents' rows
// load beside them; a crash in the middle resumes as a bulk load; a safe apply after a crashed bulk
// load rebuilds first; a target that holds rows is refused.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultProject, sleep } from '../faults/fault-project.js';
import { runFerry } from '../support/cli.js';
import { referenceWorkload, type Workload } from '../support/workload.js';

let workload: Workload;

beforeEach(async () => {
  workload = await referenceWorkload('bulk', '0.01');
});

afterEach(async () => {
  await workload.drop();
});

const ferry = (args: string[], env: Record<string, string> = {}) =>
  runFerry(args, { cwd: workload.projectDir, env: { ...workload.env, ...env } });

/** Every index and constraint of the target schema, as PostgreSQL prints their definitions. */
async function structure(): Promise<string[]> {
  const rows = await workload.target.query<{ definition: string }>(
    `SELECT format('%s %s', conname, pg_get_constraintdef(oid)) AS definition FROM pg_constraint
      WHERE connamespace = 'app'::regnamespace
     UNION ALL
     SELECT pg_get_indexdef(indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relnamespace = 'app'::regnamespace
     ORDER BY 1`,
  );
  return rows.map((row) => row.definition);
}

/** Row count and checksum of each target table, against the same of the mapped source rows. */
async function agreement(): Promise<{ source: string[]; target: string[] }> {
  const pairs: [string, string][] = [
    [
      'SELECT id, casefile_id, (amount_cents / 100.0)::numeric(12,2) FROM legacy.dispatch_order',
      'SELECT id, case_file_id, amount FROM app.orders',
    ],
    [
      'SELECT casefile_id, tag_id FROM legacy.dispatch_casefile_tags',
      'SELECT case_file_id, tag_id FROM app.case_file_tags',
    ],
    [
      'SELECT id, case_number, bracket_id FROM legacy.dispatch_casefile',
      'SELECT id, case_number, bracket_id FROM app.case_files',
    ],
  ];
  const hash = async (database: Workload['source'], select: string) => {
    const [row] = await database.query<{ summary: string }>(
      `SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS summary FROM (${select}) t`,
    );
    return row?.summary ?? '';
  };
  return {
    source: await Promise.all(pairs.map(([select]) => hash(workload.source, select))),
    target: await Promise.all(pairs.map(([, select]) => hash(workload.target, select))),
  };
}

async function smallBatches(): Promise<void> {
  for (const name of ['orders', 'case_file_tags']) {
    const path = join(workload.projectDir, 'specs', `${name}.yaml`);
    await writeFile(path, `${await readFile(path, 'utf8')}batch: { size: 2000 }\n`);
  }
  expect((await ferry(['plan'])).exitCode).toBe(0);
}

describe('ferry apply --bulk', () => {
  it('loads with keys and foreign keys dropped and rebuilds them exactly as they were', async () => {
    const before = await structure();
    expect(before.length).toBeGreaterThan(10);
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const applied = await ferry(['apply', '--bulk']);
    expect(applied.exitCode).toBe(0);
    expect(applied.stdout).toContain('orders_case_file_id_fkey rebuilt');
    expect(await structure()).toEqual(before);
    const { source, target } = await agreement();
    expect(target).toEqual(source);
    expect(await workload.target.query('SELECT * FROM _ferry.deferred_ddl')).toEqual([]);

    // Now the target holds rows: a bulk load is refused, naming the tables.
    await workload.target.query(`DELETE FROM _ferry.migration_control`);
    const refused = await ferry(['apply', '--bulk']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('apply.bulk-not-empty');
    expect(refused.stderr).toContain('app.orders');
    expect(await structure()).toEqual(before);
  });

  it('loads the children beside their parent: a parent held up does not hold them up', async () => {
    const before = await structure();
    const path = join(workload.projectDir, 'specs', 'case_files.yaml');
    await writeFile(path, `${await readFile(path, 'utf8')}batch: { size: 100 }\n`);
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const project = new FaultProject(workload, 'app');
    const count = async (sql: string) => {
      const rows = await workload.target.query<{ n: number }>(sql).catch(() => [{ n: 0 }]);
      return rows[0]?.n ?? 0;
    };
    const waitUntil = async (what: string, sql: string, expected: number) => {
      for (let waited = 0; (await count(sql)) < expected; waited += 25) {
        if (waited > 60_000) throw new Error(`never: ${what}`);
        await sleep(25);
      }
    };
    const running = project.startApply({}, ['--bulk']);
    // Once the keys are dropped, a session that holds case_files in SHARE mode stops its loading
    // (each batch's COPY needs ROW EXCLUSIVE) a few of its hundred batches in.
    await waitUntil('keys dropped', 'SELECT count(*)::int AS n FROM _ferry.deferred_ddl', 1);
    await workload.target.withClient(async (holder) => {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE app.case_files IN SHARE MODE');
      try {
        await waitUntil(
          'orders and case_file_tags done',
          `SELECT count(*)::int AS n FROM _ferry.migration_control
            WHERE migration IN ('orders', 'case_file_tags') AND phase = 'done'`,
          2,
        );
        expect(await project.phase('case_files')).toBe('loading');
      } finally {
        await holder.query('COMMIT');
      }
    });
    expect((await running).exitCode).toBe(0);
    expect(await structure()).toEqual(before);
    const { source, target } = await agreement();
    expect(target).toEqual(source);
  });

  it('resumes a killed bulk load as a bulk load, and a safe apply rebuilds the keys before it loads', async () => {
    const before = await structure();
    await smallBatches();
    const killed = await ferry(['apply', '--bulk'], { FERRY_FAILPOINT: 'batch-committed:orders@3' });
    expect(killed.signal).toBe('SIGKILL');
    // Dropped and recorded: the keys wait in _ferry for their rebuild.
    expect(await structure()).not.toEqual(before);
    const [{ count } = { count: 0 }] = await workload.target.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM _ferry.deferred_ddl',
    );
    expect(count).toBeGreaterThan(0);

    const killedAgain = await ferry(['apply', '--bulk'], {
      FERRY_FAILPOINT: 'batch-committed:orders@2',
    });
    expect(killedAgain.signal).toBe('SIGKILL');

    // A safe apply does not load into bare tables: it rebuilds what is recorded, then goes on.
    const safe = await ferry(['apply']);
    expect(safe.exitCode).toBe(0);
    const lines = safe.stdout.split('\n');
    const firstRebuild = lines.findIndex((line) => line.includes(' rebuilt'));
    const firstCommit = lines.findIndex((line) => line.includes(' committed'));
    expect(firstRebuild).toBeGreaterThanOrEqual(0);
    expect(firstRebuild).toBeLessThan(firstCommit);
    expect(await structure()).toEqual(before);
    const { source, target } = await agreement();
    expect(target).toEqual(source);
  });
});
