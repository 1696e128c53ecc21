// The fix-up step on the HR example: employees.manager_id points into its own table, so it is loaded
// as NULL and filled in once every employee is there. A manager who was not migrated (a contractor,
// left out by the spec's `where`) pauses the fix-up naming the employee; after the fix, apply resumes
// with the fix-up alone.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerry } from '../support/cli.js';
import { buildWorkload, HR_FILES, type Workload } from '../support/workload.js';

let workload: Workload;

beforeEach(async () => {
  workload = await buildWorkload('fixup', HR_FILES);
});

afterEach(async () => {
  await workload.drop();
});

const ferry = (args: string[]) => runFerry(args, { cwd: workload.projectDir, env: workload.env });

async function managers(side: 'source' | 'target'): Promise<string> {
  const select =
    side === 'source'
      ? `SELECT emp_no AS id, mgr_emp_no AS manager FROM legacy_hr.tbl_emp WHERE emp_type = 'E'`
      : 'SELECT id, manager_id AS manager FROM hr.employees';
  const database = side === 'source' ? workload.source : workload.target;
  const [row] = await database.query<{ rows: number; hash: string }>(
    `SELECT count(*)::int AS rows, md5(string_agg(format('%s>%s', id, manager), ',' ORDER BY id)) AS hash FROM (${select}) t`,
  );
  return `${row?.rows}:${row?.hash}`;
}

describe('the fix-up step', () => {
  it('fills in a self-reference after the table is loaded', async () => {
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const applied = await ferry(['apply']);
    expect(applied.exitCode).toBe(0);
    expect(await managers('target')).toBe(await managers('source'));
    const [employees] = await workload.target.query<{ phase: string; rows_loaded: string }>(
      `SELECT phase, rows_loaded::text FROM _ferry.migration_control WHERE migration = 'employees'`,
    );
    expect(employees).toEqual({ phase: 'done', rows_loaded: '40' });
    // The set-aside values are cleared in the fix-up's own transaction.
    expect(await workload.target.query('SELECT * FROM _ferry.fixup_employees')).toEqual([]);
  });

  it('pauses on a manager who was not migrated, naming the employee, and resumes with the fix-up alone', async () => {
    // 1007's manager becomes contractor 5001, whom the employees spec leaves out.
    await workload.source.query('UPDATE legacy_hr.tbl_emp SET mgr_emp_no = 5001 WHERE emp_no = 1007');
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const paused = await ferry(['apply', '--json']);
    expect(paused.exitCode).toBe(3);
    const event = paused.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { type: string; migration: string; offending?: unknown })
      .find((e) => e.type === 'migration-paused');
    expect(event).toMatchObject({
      migration: 'employees',
      offending: [
        {
          key: ['1007'],
          sqlstate: '23503',
          constraint: 'ref manager_id → employees',
          detail: 'Key (manager_id)=(5001) is not among the migrated rows of employees.',
        },
      ],
    });
    // The rows are loaded; only the fix-up is undone.
    const [{ count } = { count: -1 }] = await workload.target.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM hr.employees WHERE manager_id IS NOT NULL',
    );
    expect(count).toBe(0);

    // The values were set aside when the rows were loaded; the spec decides what an orphan becomes.
    const spec = join(workload.projectDir, 'specs', 'employees.yaml');
    await writeFile(spec, `${await readFile(spec, 'utf8')}onOrphan: "null"\n`);
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const resumed = await ferry(['apply', '--json']);
    expect(resumed.stderr).toBe('');
    expect(resumed.exitCode).toBe(0);
    const committed = resumed.stdout.split('\n').filter((line) => line.includes('"batch-committed"'));
    expect(committed).toEqual([]);
    await workload.source.query('UPDATE legacy_hr.tbl_emp SET mgr_emp_no = NULL WHERE emp_no = 1007');
    expect(await managers('target')).toBe(await managers('source'));
  });
});
