// `ferry diff` on the reference workload, one pair of databases taken through a story in order:
// nothing applied, a paused apply, a full apply, source rows added and removed, a batch-size edit, a
// mapping edit (re-planned and not), a saved plan, and a deleted spec. Each step asserts the exact
// kinds, the exit code and the text, Markdown or JSON that says it.

import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectApplyFinished, runFerry } from '../support/cli.js';
import { referenceWorkload, type Workload } from '../support/workload.js';

let workload: Workload;
let ordersSpec: string;

const ALL = ['brackets', 'tags', 'case_files', 'case_file_tags', 'orders'];

beforeAll(async () => {
  workload = await referenceWorkload('diff', '0.001');
  ordersSpec = await readFile(specPath('orders'), 'utf8');
});

afterAll(async () => {
  await workload?.drop();
});

function specPath(migration: string): string {
  return join(workload.projectDir, 'specs', `${migration}.yaml`);
}

const ferry = (args: string[], env: Record<string, string> = {}) =>
  runFerry(args, { cwd: workload.projectDir, env: { ...workload.env, ...env } });

interface DiffJson {
  differences: Array<Record<string, unknown> & { migration: string; kind: string; detail: string }>;
  summary: Record<string, unknown> & { byKind: Record<string, number> };
}

/** `ferry diff --format json`: its exit code, and the [migration, kind] pairs with the whole document. */
async function diffJson(args: string[] = []) {
  const result = await ferry(['diff', '--format', 'json', ...args]);
  expect(result.stderr).toBe('');
  const json = JSON.parse(result.stdout) as DiffJson;
  return { exitCode: result.exitCode, json, kinds: json.differences.map((d) => [d.migration, d.kind]) };
}

async function writeOrdersSpec(extra: string, amountExpr = 'amount_cents / 100.0'): Promise<void> {
  const spec = ordersSpec.replace('amount_cents / 100.0', amountExpr);
  await writeFile(specPath('orders'), `${spec}${extra}`);
}

describe('ferry diff', () => {
  it('reports every planned migration as not applied, and creates nothing in the target', async () => {
    const unplanned = await diffJson();
    expect(unplanned.exitCode).toBe(2);
    expect(unplanned.kinds).toEqual([
      ...ALL.map((m) => [m, 'lock-stale']),
      ...ALL.map((m) => [m, 'not-applied']),
    ]);
    expect(unplanned.json.differences[0]?.detail).toBe(
      '`brackets` is not in ferry.lock yet; run `ferry plan`, review the diff of ferry.lock and commit it',
    );

    expect((await ferry(['plan'])).exitCode).toBe(0);
    const planned = await diffJson();
    expect(planned.exitCode).toBe(2);
    expect(planned.kinds).toEqual(ALL.map((m) => [m, 'not-applied']));
    expect(planned.json.summary).toEqual({
      differences: 5,
      migrations: 5,
      planned: 5,
      applied: 0,
      byKind: {
        'lock-stale': 0,
        'schema-drift': 0,
        'not-applied': 5,
        partial: 0,
        'mapping-changed': 0,
        'spec-changed': 0,
        'source-rows-drift': 0,
        'not-planned': 0,
      },
      plannedFrom: 'ferry.lock',
    });

    const text = await ferry(['diff']);
    expect(text.exitCode).toBe(2);
    expect(text.stdout.split('\n')).toEqual([
      '+ brackets        not applied  planned, and the target holds none of it',
      '+ tags            not applied  planned, and the target holds none of it',
      '+ case_files      not applied  planned, and the target holds none of it',
      '+ case_file_tags  not applied  planned, and the target holds none of it',
      '+ orders          not applied  planned, and the target holds none of it',
      '',
      '5 differences in 5 migrations: 5 not applied',
    ]);
    expect((await diffJson(['--select', '+case_files'])).kinds).toEqual([
      ['brackets', 'not-applied'],
      ['case_files', 'not-applied'],
    ]);
    expect(
      await workload.target.query(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = '_ferry'`),
    ).toEqual([{ n: 0 }]);
  });

  it('shows a paused apply as partial, with batches done of total and the pause', async () => {
    await writeOrdersSpec('batch: { size: 500 }\n');
    await workload.target.query('ALTER TABLE app.orders ADD CONSTRAINT ids_to_1200 CHECK (id <= 1200)');
    expect((await ferry(['plan'])).exitCode).toBe(0);
    expect((await ferry(['apply', '--workers', '1'])).exitCode).toBe(3);

    const paused = await diffJson();
    expect(paused.exitCode).toBe(2);
    expect(paused.kinds).toEqual([['orders', 'partial']]);
    expect(paused.json.differences[0]).toMatchObject({
      phase: 'paused',
      batches: { done: 2, total: 4 },
      pausedMessage: expect.stringContaining('violates check constraint "ids_to_1200"'),
    });
    const text = await ferry(['diff']);
    expect(text.stdout).toMatch(
      /^◐ orders {2}partial {2}2 of 4 batches done, paused: new row for relation "orders" violates check constraint "ids_to_1200"/,
    );
  });

  it('reports a target table changed since the plan as schema drift; plan and apply then finish', async () => {
    await workload.target.query('ALTER TABLE app.orders DROP CONSTRAINT ids_to_1200');
    const drifted = await diffJson();
    expect(drifted.kinds).toEqual([
      ['orders', 'schema-drift'],
      ['orders', 'partial'],
    ]);
    expect(drifted.json.differences[0]).toMatchObject({
      table: 'target',
      detail:
        'target table app.orders changed structure since ferry.lock was written; run `ferry plan`, review the diff of ferry.lock and commit it',
    });
    expect((await ferry(['plan'])).exitCode).toBe(0);
    expectApplyFinished(await ferry(['apply']), 5);
  });

  it('finds no difference once everything is applied, against ferry.lock or a saved plan', async () => {
    const text = await ferry(['diff']);
    expect(text).toMatchObject({ exitCode: 0, stderr: '' });
    expect(text.stdout).toBe('No differences: the target holds what ferry.lock plans.');
    const markdown = await ferry(['diff', '--format', 'markdown']);
    expect(markdown.stdout).toBe('### ferry diff\n\nNo differences: the target holds what ferry.lock plans.');
    expect(markdown.exitCode).toBe(0);

    const saved = await ferry(['plan', '--format', 'json']);
    expect(saved.exitCode).toBe(0);
    await writeFile(join(workload.projectDir, 'applied-plan.json'), saved.stdout);
    const notAPlan = await ferry(['diff', '--plan', 'ferry.lock']);
    expect(notAPlan.exitCode).toBe(1);
    expect(notAPlan.stderr).toMatch(/^error\[diff\.plan-file\]: ferry\.lock is not JSON: /);
    const fromFile = await ferry(['diff', '--plan', 'applied-plan.json']);
    expect(fromFile.stdout).toBe('No differences: the target holds what applied-plan.json plans.');
    expect(fromFile.exitCode).toBe(0);
  });

  it('counts the source rows added and removed since the apply', async () => {
    await workload.source.query(`
      INSERT INTO legacy.dispatch_order
        SELECT g, 1, 100, 'USD', timestamp '2020-01-01' FROM generate_series(2001, 2012) g;
      CREATE TABLE legacy.removed_tags AS SELECT * FROM legacy.dispatch_casefile_tags WHERE casefile_id = 1;
      DELETE FROM legacy.dispatch_casefile_tags WHERE casefile_id = 1;
    `);
    const drift = await diffJson();
    expect(drift.exitCode).toBe(2);
    expect(drift.kinds).toEqual([
      ['case_file_tags', 'source-rows-drift'],
      ['orders', 'source-rows-drift'],
    ]);
    expect(drift.json.differences).toMatchObject([
      {
        sourceRows: 1996,
        appliedRows: 1998,
        delta: -2,
        detail:
          'the source has 2 fewer rows than apply accounted for (1,996 now, 1,998 loaded, skipped or rejected): rows deleted from the source stay in the target',
      },
      {
        sourceRows: 2012,
        appliedRows: 2000,
        delta: 12,
        detail:
          'the source has 12 more rows than apply accounted for (2,012 now, 2,000 loaded, skipped or rejected): `ferry apply` moves rows added since',
      },
    ]);
    await workload.source.query(`
      DELETE FROM legacy.dispatch_order WHERE id > 2000;
      INSERT INTO legacy.dispatch_casefile_tags SELECT * FROM legacy.removed_tags;
      DROP TABLE legacy.removed_tags;
    `);
  });

  it('reports a batch size edit as a spec change that writes rows the same way', async () => {
    await writeOrdersSpec('batch: { size: 700 }\n');
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const batchOnly = await diffJson();
    expect(batchOnly.kinds).toEqual([['orders', 'spec-changed']]);
    expect(batchOnly.json.differences[0]?.detail).toMatch(
      /^spec changed since applied \d{4}-\d\d-\d\d \d\d:\d\d UTC, rows written the same way$/,
    );
  });

  it('reports a mapping edit as mapping changed, in JSON and Markdown, and against a saved plan', async () => {
    await writeOrdersSpec('batch: { size: 700 }\n', 'round(amount_cents / 100.0, 2)');
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const mapping = await diffJson();
    expect(mapping.exitCode).toBe(2);
    expect(mapping.kinds).toEqual([['orders', 'mapping-changed']]);
    const [changed] = mapping.json.differences as unknown as Array<{
      planned: { specHash: string; mappingHash: string };
      applied: { specHash: string; mappingHash: string; at: string };
    }>;
    expect(changed?.planned.mappingHash).toMatch(/^sha256:/);
    expect(changed?.applied.mappingHash).toMatch(/^sha256:/);
    expect(changed?.planned.mappingHash).not.toBe(changed?.applied.mappingHash);
    expect(changed?.planned.specHash).not.toBe(changed?.applied.specHash);
    expect(Number.isNaN(Date.parse(changed?.applied.at ?? ''))).toBe(false);

    const markdown = await ferry(['diff', '--format', 'markdown']);
    expect(markdown.exitCode).toBe(2);
    expect(markdown.stdout).toMatch(
      /^### ferry diff: 1 difference in 1 migration\n\n\| migration \| difference \| detail \|\n\|---\|---\|---\|\n\| `orders` \| ! mapping changed \| the rows in app\.orders were written by another mapping \(applied \d{4}-\d\d-\d\d \d\d:\d\d UTC\) \|\n\n1 difference in 1 migration: 1 mapping changed\. Planned: `ferry\.lock`; 5 of 5 planned migrations applied\.$/,
    );

    // The plan saved while the target matched it still matches the target, but no longer the spec.
    const saved = await diffJson(['--plan', 'applied-plan.json']);
    expect(saved.exitCode).toBe(2);
    expect(saved.kinds).toEqual([['orders', 'lock-stale']]);
    expect(saved.json.differences[0]?.detail).toBe(
      'the spec of `orders` changed (specs/orders.yaml); save a new plan: the one in applied-plan.json no longer matches',
    );
  });

  it('reports a spec edited without a new plan as a stale lock, and does not fail', async () => {
    await writeOrdersSpec('batch: { size: 700 }\n', 'amount_cents / 100.00');
    const stale = await diffJson();
    expect(stale.exitCode).toBe(2);
    expect(stale.kinds).toEqual([['orders', 'lock-stale']]);
    expect(stale.json.differences[0]?.detail).toBe(
      'the spec of `orders` changed (specs/orders.yaml); run `ferry plan`, review the diff of ferry.lock and commit it',
    );
  });

  it('reports a migration whose spec is gone as not planned', async () => {
    await rm(specPath('orders'));
    const unplanned = await diffJson();
    expect(unplanned.kinds).toEqual([
      ['orders', 'lock-stale'],
      ['orders', 'not-planned'],
    ]);
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const github = await ferry(['diff'], { GITHUB_ACTIONS: 'true' });
    expect(github.exitCode).toBe(2);
    expect(github.stdout.split('\n')).toEqual([
      '- orders  not planned  applied to "app"."orders" (2,000 rows, done) but no longer planned',
      '',
      '1 difference in 1 migration: 1 not planned',
    ]);
    expect(github.stderr).toBe(
      '::warning title=ferry diff not-planned::orders: not planned: applied to "app"."orders" (2,000 rows, done) but no longer planned',
    );
    // A selection names planned migrations only.
    expect((await ferry(['diff', '--select', 'brackets'])).exitCode).toBe(0);
  });
});
