// The reference workload from a MariaDB source (bench/workload/legacy_source.mysql.sql, the same rows as
// the PostgreSQL edition) through plan and apply into PostgreSQL: every value compared with its
// source, batches that resume after a SIGKILL, a pause that names the offending key, a dry run that
// leaves the target as it was.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectApplyFinished, runFerry } from '../support/cli.js';
import { type MysqlWorkload, mysqlReferenceWorkload, mysqlServerUrl } from '../support/mysql.js';

const server = mysqlServerUrl();

/** Each migration's values: a MySQL query and a PostgreSQL query that print the same text per row. */
const CHECKS: Readonly<Record<string, readonly [mysql: string, postgres: string]>> = {
  brackets: [
    `SELECT id, bracket_name, min_weight, max_weight, DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s') FROM dispatch_bracket`,
    `SELECT id, name, min_weight, max_weight, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM app.brackets`,
  ],
  tags: [`SELECT id, label FROM dispatch_tag`, `SELECT id, label FROM app.tags`],
  case_files: [
    `SELECT id, case_number, bracket_id, status, opened_on, notes, is_active <> 0 FROM dispatch_casefile`,
    `SELECT id, case_number, bracket_id, status, opened_on::text, notes, active::int FROM app.case_files`,
  ],
  orders: [
    `SELECT id, casefile_id, CAST(amount_cents / 100 AS DECIMAL(12,2)), currency, DATE_FORMAT(placed_at, '%Y-%m-%d %H:%i:%s') FROM dispatch_order`,
    `SELECT id, case_file_id, amount, currency, to_char(placed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM app.orders`,
  ],
  case_file_tags: [
    `SELECT casefile_id, tag_id FROM dispatch_casefile_tags`,
    `SELECT case_file_id, tag_id FROM app.case_file_tags`,
  ],
};

function rowText(row: Record<string, unknown>): string {
  return Object.values(row)
    .map((value) => (value === null ? '\\N' : String(value)))
    .join('|');
}

async function expectValuesAgree(workload: MysqlWorkload, only?: readonly string[]): Promise<void> {
  for (const [migration, [mysqlSql, postgresSql]] of Object.entries(CHECKS)) {
    if (only && !only.includes(migration)) continue;
    const [source, target] = await Promise.all([
      workload.source.query<Record<string, unknown>>(mysqlSql),
      workload.target.query(postgresSql),
    ]);
    const sourceRows = source.map(rowText).sort();
    const targetRows = target.map(rowText).sort();
    expect(targetRows.length, migration).toBe(sourceRows.length);
    expect(targetRows, migration).toStrictEqual(sourceRows);
  }
}

async function setBatchSize(workload: MysqlWorkload, size: number): Promise<void> {
  const path = join(workload.projectDir, 'specs', 'ferry.yaml');
  const text = await readFile(path, 'utf8');
  await writeFile(path, text.replace('batchSize: auto', `batchSize: ${size}`));
}

describe.skipIf(!server).concurrent('a MySQL source', () => {
  it('plans and applies the reference workload, every value equal to its source', async () => {
    const workload = await mysqlReferenceWorkload('my_ref');
    try {
      const plan = await runFerry(['plan'], { cwd: workload.projectDir, env: workload.env });
      expect(plan.stderr).toBe('');
      expect(plan.exitCode).toBe(0);
      expect(plan.stdout).toContain('active      ← is_active <> 0');
      const apply = await runFerry(['apply', '--workers', '2'], {
        cwd: workload.projectDir,
        env: workload.env,
      });
      expectApplyFinished(apply, 5);
      await expectValuesAgree(workload);
      const verified = await runFerry(['verify'], { cwd: workload.projectDir, env: workload.env });
      expect(verified.stderr).toBe('');
      expect(verified.exitCode).toBe(0);
      // One changed value and one missing row, each named by its source key.
      await workload.target.query(
        'UPDATE app.orders SET amount = amount + 1 WHERE id = 17; DELETE FROM app.case_file_tags WHERE case_file_id = 9 AND tag_id = 10',
      );
      const caught = await runFerry(['verify', '--json'], { cwd: workload.projectDir, env: workload.env });
      expect(caught.exitCode).toBe(1);
      const verdicts = JSON.parse(caught.stdout).migrations as {
        migration: string;
        status: string;
        rows: unknown[];
      }[];
      expect(Object.fromEntries(verdicts.map((v) => [v.migration, v.status]))).toStrictEqual({
        brackets: 'ok',
        tags: 'ok',
        case_files: 'ok',
        case_file_tags: 'mismatch',
        orders: 'mismatch',
      });
      expect(verdicts.find((v) => v.migration === 'orders')?.rows).toMatchObject([
        { kind: 'changed', key: ['17'], columns: [{ column: 'amount', source: '6.29', target: '7.29' }] },
      ]);
      expect(verdicts.find((v) => v.migration === 'case_file_tags')?.rows).toStrictEqual([
        { kind: 'missing', key: ['9', '10'] },
      ]);
      await workload.target.query(
        'UPDATE app.orders SET amount = amount - 1 WHERE id = 17; INSERT INTO app.case_file_tags VALUES (9, 10)',
      );
      const again = await runFerry(['apply'], { cwd: workload.projectDir, env: workload.env });
      expectApplyFinished(again, 5);
      const [{ n }] = (await workload.target.query<{ n: string }>(
        'SELECT count(*) AS n FROM app.orders',
      )) as [{ n: string }];
      expect(n).toBe('2000');
    } finally {
      await workload.drop();
    }
  });

  it('resumes after a SIGKILL in the middle of a table, no row lost or doubled', async () => {
    const workload = await mysqlReferenceWorkload('my_kill');
    try {
      await setBatchSize(workload, 150);
      expect((await runFerry(['plan'], { cwd: workload.projectDir, env: workload.env })).exitCode).toBe(0);
      const killed = await runFerry(['apply'], {
        cwd: workload.projectDir,
        env: { ...workload.env, FERRY_FAILPOINT: 'batch-completed:orders@4' },
      });
      expect(killed.exitCode).not.toBe(0);
      const [{ n: partial }] = (await workload.target.query<{ n: string }>(
        'SELECT count(*) AS n FROM app.orders',
      )) as [{ n: string }];
      expect(partial).toBe('450');
      const resumed = await runFerry(['apply'], { cwd: workload.projectDir, env: workload.env });
      expectApplyFinished(resumed, 5);
      await expectValuesAgree(workload);
      // diff counts the MySQL rows; rollback finds the loaded key ranges' ends on them.
      const diff = await runFerry(['diff'], { cwd: workload.projectDir, env: workload.env });
      expect(diff.stderr).toBe('');
      expect(diff.exitCode).toBe(0);
      await workload.source.query("INSERT INTO dispatch_tag VALUES (501, 'tag-501')");
      const drift = await runFerry(['diff', '--format', 'json'], {
        cwd: workload.projectDir,
        env: workload.env,
      });
      expect(drift.exitCode).toBe(2);
      expect(drift.stdout).toContain('source-rows-drift');
      const rollback = await runFerry(['rollback', '--select', 'orders'], {
        cwd: workload.projectDir,
        env: workload.env,
      });
      expect(rollback.stderr).toBe('');
      expect(rollback.exitCode).toBe(0);
      expect(await workload.target.query('SELECT id FROM app.orders LIMIT 1')).toStrictEqual([]);
      expectApplyFinished(await runFerry(['apply'], { cwd: workload.projectDir, env: workload.env }), 5);
      await expectValuesAgree(workload);
    } finally {
      await workload.drop();
    }
  });

  it('pauses on an order whose case file does not exist, naming its key, and resumes once it is fixed', async () => {
    const workload = await mysqlReferenceWorkload('my_pause');
    try {
      await setBatchSize(workload, 500);
      await workload.source.query(
        `SET FOREIGN_KEY_CHECKS = 0; INSERT INTO dispatch_order VALUES (777777, 999999, 100, 'EUR', '2020-01-01 00:00:00');
         SET SESSION sql_mode = 'ALLOW_INVALID_DATES'; INSERT INTO dispatch_order VALUES (777778, 1, 100, 'EUR', '2020-02-31 10:00:00');
         INSERT INTO dispatch_casefile_tags VALUES (3, 999)`,
      );
      expect((await runFerry(['plan'], { cwd: workload.projectDir, env: workload.env })).exitCode).toBe(0);
      const dry = await runFerry(['apply', '--dry-run'], { cwd: workload.projectDir, env: workload.env });
      expect(dry.exitCode).toBe(3);
      expect(await workload.target.query('SELECT 1 FROM app.brackets LIMIT 1')).toStrictEqual([]);
      const paused = await runFerry(['apply'], { cwd: workload.projectDir, env: workload.env });
      expect(paused.exitCode).toBe(3);
      expect(paused.stdout).toContain('orders');
      expect(paused.stdout).toContain('source key (777777): orders_case_file_id_fkey');
      // An impossible date has no PostgreSQL value: read as NULL, counted, and refused by NOT NULL.
      expect(paused.stdout).toContain('orders: batch 5: 1 zero date in placed_at read as NULL');
      expect(paused.stdout).toMatch(/null value in column .{0,2}placed_at.{0,2} of relation .{0,2}orders/);
      // Tags pass their columns through unchanged, so their batches are COPYed straight into the
      // target; the batch that fails is staged then, and bisected like any other.
      expect(paused.stdout).toContain('source key (3, 999): case_file_tags_tag_id_fkey');
      await workload.source.query(
        'DELETE FROM dispatch_order WHERE id IN (777777, 777778); DELETE FROM dispatch_casefile_tags WHERE tag_id = 999',
      );
      const resumed = await runFerry(['apply'], { cwd: workload.projectDir, env: workload.env });
      expectApplyFinished(resumed, 5);
      await expectValuesAgree(workload);
    } finally {
      await workload.drop();
    }
  });
});

describe.skipIf(!server)('a MySQL source with generated keys', () => {
  let workload: MysqlWorkload;
  beforeAll(async () => {
    workload = await mysqlReferenceWorkload('my_generate');
  });
  afterAll(async () => {
    await workload?.drop();
  });

  it('maps case files to new keys and translates the orders that reference them', async () => {
    const spec = join(workload.projectDir, 'specs', 'case_files.yaml');
    await writeFile(spec, `${await readFile(spec, 'utf8')}keys: generate\n`);
    await workload.target.query(
      'ALTER TABLE app.case_files ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (START WITH 500000)',
    );
    expect((await runFerry(['plan'], { cwd: workload.projectDir, env: workload.env })).exitCode).toBe(0);
    expectApplyFinished(await runFerry(['apply'], { cwd: workload.projectDir, env: workload.env }), 5);
    // Each order points at the new key of the case file its source row pointed at.
    const [sourceRefs, targetRefs] = await Promise.all([
      workload.source.query<Record<string, unknown>>('SELECT id, casefile_id FROM dispatch_order'),
      workload.target.query(
        `SELECT o.id, m.source_key->>0 AS case_file FROM app.orders o
           JOIN _ferry.migration_mappings m ON m.migration = 'case_files' AND (m.target_key->>0)::bigint = o.case_file_id`,
      ),
    ]);
    expect(targetRefs.map(rowText).sort()).toStrictEqual(sourceRefs.map(rowText).sort());
    const [keys] = await workload.target.query<{ low: string; n: string }>(
      'SELECT min(id) AS low, count(*) AS n FROM app.case_files',
    );
    expect(keys).toStrictEqual({ low: '500000', n: '1000' });
    await expectValuesAgree(workload, ['brackets', 'tags']);
    expect((await runFerry(['verify'], { cwd: workload.projectDir, env: workload.env })).exitCode).toBe(0);
    // A row no source row maps to: verify names it by its target key.
    const [extra] = await workload.target.query<{ id: string }>(
      `INSERT INTO app.case_files (case_number, bracket_id, status, opened_on, notes, active)
       SELECT 'CF-extra', bracket_id, status, opened_on, notes, active FROM app.case_files ORDER BY id LIMIT 1
       RETURNING id::text`,
    );
    const caught = await runFerry(['verify', '--json', '--select', 'case_files'], {
      cwd: workload.projectDir,
      env: workload.env,
    });
    expect(caught.exitCode).toBe(1);
    expect(JSON.parse(caught.stdout).migrations[0].rows).toStrictEqual([
      { kind: 'unmapped', targetKey: [extra?.id] },
    ]);
  });
});
