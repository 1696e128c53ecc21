// Saved plans end to end: `ferry plan --out FILE` writes what `ferry --json plan` prints with its
// basis; `ferry apply FILE` applies it while nothing moved, and otherwise refuses it, naming each
// difference and leaving the target as it was: spec and lockfile edits, tables altered on either side,
// an apply after the plan was made (after a full or a partial one); a missing file is refused plainly
// (test/plan-file/ covers the other files that are no saved plan).

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRowsAgree } from '../support/checksums.js';
import { expectApplyFinished, REPO_ROOT, runFerry } from '../support/cli.js';
import { inlineWorkload, type Workload } from '../support/workload.js';

const SOURCE_SQL = `
CREATE SCHEMA legacy;
CREATE TABLE legacy.customers (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE legacy.orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES legacy.customers, cents int NOT NULL);
INSERT INTO legacy.customers SELECT g, 'customer ' || g FROM generate_series(1, 20) g;
INSERT INTO legacy.orders SELECT g, 1 + g % 20, g * 100 FROM generate_series(1, 60) g;
ANALYZE;`;

const TARGET_SQL = `
CREATE SCHEMA app;
CREATE TABLE app.customers (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE app.orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES app.customers, amount numeric NOT NULL);`;

const CUSTOMERS_YAML =
  'migration: customers\nfrom: legacy.customers\nto: app.customers\nbatch: { size: 100 }\n';
const ORDERS_YAML = `migration: orders
from: legacy.orders
to: app.orders
batch: { size: 10 }
columns:
  customer_id: { from: customer_id, ref: customers }
  amount: { expr: "cents / 100.0" }
`;

const CHECKS = {
  customers: ['SELECT id, name FROM legacy.customers', 'SELECT id, name FROM app.customers'],
  orders: [
    'SELECT id, customer_id, cents / 100.0 FROM legacy.orders',
    'SELECT id, customer_id, amount FROM app.orders',
  ],
} as const;

const HINT = '  hint: make the plan again with `ferry plan --out plan.json`, review it, and apply that';

let workload: Workload;
const ferry = (args: string[], env: Record<string, string> = {}) =>
  runFerry(args, { cwd: workload.projectDir, env: { ...workload.env, ...env } });
const projectFile = (name: string) => join(workload.projectDir, name);
const errorLines = (stderr: string) => stderr.split('\n').filter((line) => line.includes('error['));

/** The target's tables and `_ferry` as text: a refused apply must leave it exactly so. */
async function targetSnapshot(): Promise<string> {
  const [counts] = await workload.target.query<{ customers: number; orders: number; state: boolean }>(
    `SELECT (SELECT count(*)::int FROM app.customers) AS customers, (SELECT count(*)::int FROM app.orders) AS orders,
            to_regclass('_ferry.migration_control') IS NOT NULL AS state`,
  );
  if (!counts?.state) return JSON.stringify(counts);
  const control = await workload.target.query(
    'SELECT migration, phase, rows_loaded, updated_at::text FROM _ferry.migration_control ORDER BY migration',
  );
  const batches = await workload.target.query(
    'SELECT migration, batch_no, status, rows FROM _ferry.migration_batches ORDER BY migration, batch_no',
  );
  return JSON.stringify({ counts, control, batches });
}

/** `ferry apply plan.json` is refused with exactly `reasons`, and the target is left as it was. */
async function expectStale(reasons: readonly string[]): Promise<void> {
  const before = await targetSnapshot();
  const result = await ferry(['apply', 'plan.json']);
  expect(result.exitCode).toBe(1);
  expect(result.stdout).toBe('');
  expect(errorLines(result.stderr)).toEqual(reasons);
  expect(result.stderr).toContain(HINT);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(await targetSnapshot()).toBe(before);
}

async function savePlan(): Promise<void> {
  const saved = await ferry(['plan', '--out', 'plan.json']);
  expect(saved.stderr).toBe('');
  expect(saved.exitCode).toBe(0);
}

beforeAll(async () => {
  workload = await inlineWorkload({
    label: 'saved_plan',
    sourceSql: SOURCE_SQL,
    targetSql: TARGET_SQL,
    specs: { 'customers.yaml': CUSTOMERS_YAML, 'orders.yaml': ORDERS_YAML },
  });
  expect((await ferry(['plan'])).exitCode).toBe(0);
});

afterAll(async () => {
  await workload?.drop();
});

describe('ferry plan --out', () => {
  it('saves what `ferry --json plan` prints, with the basis the plan was made against', async () => {
    const saved = await ferry(['plan', '--out', 'plan.json']);
    expect(saved.exitCode).toBe(0);
    expect(saved.stdout).toContain(
      "plan saved to plan.json: `ferry apply plan.json` applies it while the specs, ferry.lock, the tables and the target's state stay as they are now",
    );
    const file = JSON.parse(await readFile(projectFile('plan.json'), 'utf8')) as Record<string, unknown>;
    const printed = JSON.parse((await ferry(['--json', 'plan', '--frozen-lock'])).stdout) as {
      plan: { sourceTimeZone: { name: string } };
    };
    const { basis, ...output } = file;
    expect(output).toEqual(printed);
    const { version } = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const hash = expect.stringMatching(/^sha256:[0-9a-f]{64}$/);
    const table = (name: string) => ({ table: name, fingerprint: expect.stringMatching(/^sha256:/) });
    expect(basis).toEqual({
      formatVersion: 1,
      ferryVersion: version,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      specs: { 'customers.yaml': hash, 'ferry.yaml': hash, 'orders.yaml': hash },
      lock: hash,
      sourceTimeZone: printed.plan.sourceTimeZone.name,
      tables: {
        customers: { source: table('legacy.customers'), target: table('app.customers') },
        orders: { source: table('legacy.orders'), target: table('app.orders') },
      },
      // No `_ferry` in the target yet: nothing applied of either.
      applied: { customers: null, orders: null },
    });
    // What reads a printed plan reads a saved one.
    expect((await ferry(['report', '--plan', 'plan.json', '--out', 'report.md'])).exitCode).toBe(0);
    const diff = await ferry(['diff', '--plan', 'plan.json']);
    expect(diff.stderr).toBe('');
    expect(diff.exitCode).toBe(2);
    expect(diff.stdout).toContain('customers');
  });
});

describe('ferry apply FILE refuses a plan that went stale, and changes nothing', () => {
  it('after a spec edit, naming the file', async () => {
    await savePlan();
    const path = projectFile('specs/orders.yaml');
    await writeFile(path, ORDERS_YAML.replace('cents / 100.0', 'round(cents / 100.0, 2)'));
    await expectStale([
      'specs/orders.yaml:1:1: error[apply.plan-stale]: plan.json is stale: specs/orders.yaml changed since the plan was made',
    ]);
    await writeFile(path, ORDERS_YAML);
  });

  it('after a lockfile edit', async () => {
    const path = projectFile('ferry.lock');
    const lock = await readFile(path, 'utf8');
    await writeFile(path, `${lock}# edited by hand\n`);
    await expectStale([
      'error[apply.plan-stale]: plan.json is stale: ferry.lock changed since the plan was made',
    ]);
    await writeFile(path, lock);
  });

  it('after a target table was altered', async () => {
    await workload.target.query('ALTER TABLE app.orders ADD COLUMN note text');
    await expectStale([
      'error[apply.plan-stale]: plan.json is stale: the structure of target table app.orders (migration `orders`) changed since the plan was made',
    ]);
    await workload.target.query('ALTER TABLE app.orders DROP COLUMN note');
  });

  it('after a source table was altered, with everything else that moved', async () => {
    await workload.source.query('ALTER TABLE legacy.customers ADD COLUMN email text');
    await writeFile(projectFile('specs/customers.yaml'), `${CUSTOMERS_YAML}# reviewed\n`);
    await expectStale([
      'specs/customers.yaml:1:1: error[apply.plan-stale]: plan.json is stale: specs/customers.yaml changed since the plan was made',
      'error[apply.plan-stale]: plan.json is stale: the structure of source table legacy.customers (migration `customers`) changed since the plan was made',
    ]);
    await writeFile(projectFile('specs/customers.yaml'), CUSTOMERS_YAML);
    await workload.source.query('ALTER TABLE legacy.customers DROP COLUMN email');
  });
});

describe('ferry apply FILE when nothing moved', () => {
  it('dry-runs it, applies it once, and refuses it after that', async () => {
    // The plan saved before the refusals above: everything they changed was put back.
    const before = await targetSnapshot();
    const dryRun = await ferry(['apply', '--dry-run', 'plan.json']);
    expect(dryRun.stderr).toBe('');
    expect(dryRun.exitCode).toBe(0);
    expect(dryRun.stdout).toContain('✓ dry run: 2 of 2 migrations would finish; the target is unchanged');
    expect(await targetSnapshot()).toBe(before);

    expectApplyFinished(await ferry(['apply', 'plan.json']), 2);
    for (const [name, [source, target]] of Object.entries(CHECKS))
      await expectRowsAgree(workload, name, source, target);

    await expectStale([
      "error[apply.plan-stale]: plan.json is stale: the target's state of `customers` moved: nothing applied when the plan was made, done, 1 of 1 batches done, 20 rows now",
      "error[apply.plan-stale]: plan.json is stale: the target's state of `orders` moved: nothing applied when the plan was made, done, 6 of 6 batches done, 60 rows now",
    ]);
  });
});

describe('ferry apply FILE after a partial apply', () => {
  it('refuses a plan made while the apply was interrupted, once the apply went on', async () => {
    await workload.target.query('DROP SCHEMA _ferry CASCADE; TRUNCATE app.orders, app.customers');
    // Killed once three batches of orders are committed.
    const killed = await ferry(['apply', '--workers', '1'], { FERRY_FAILPOINT: 'batch-committed:orders@3' });
    expect(killed.signal).toBe('SIGKILL');
    await savePlan();
    const saved = JSON.parse(await readFile(projectFile('plan.json'), 'utf8')) as {
      basis: { applied: unknown };
    };
    expect(saved.basis.applied).toEqual({
      customers: {
        phase: 'done',
        mappingHash: expect.any(String),
        batchesDone: 1,
        batchesTotal: 1,
        rows: 20,
      },
      orders: {
        phase: 'loading',
        mappingHash: expect.any(String),
        batchesDone: 3,
        batchesTotal: 6,
        rows: 30,
      },
    });
    expectApplyFinished(await ferry(['apply']), 2);
    await expectStale([
      "error[apply.plan-stale]: plan.json is stale: the target's state of `orders` moved: 3 of 6 batches done when the plan was made, 6 of 6 batches done now; phase loading then, done now; 30 rows then, 60 now",
    ]);
  });
});

describe('ferry apply FILE with a file that is no saved plan', () => {
  it('says what is wrong with it, without a stack trace, before asking any database', async () => {
    // Without the connection variables: the file is refused before any database is asked.
    const missing = await runFerry(['apply', 'missing.json'], { cwd: workload.projectDir });
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(
      [
        'error[apply.plan-file]: cannot read missing.json: ENOENT',
        '  hint: save the plan with `ferry plan --out plan.json` (with the ferry that applies it) and run `ferry apply plan.json`',
      ].join('\n'),
    );
    // A saved plan covers the whole project, as apply does: there is no selection to pass.
    const selected = await ferry(['apply', 'plan.json', '--select', 'orders']);
    expect(selected.exitCode).toBe(1);
    expect(selected.stderr).toContain("error: unknown option '--select'");
  });

  it('refuses to write a saved plan where it cannot', async () => {
    const result = await ferry(['plan', '--out', 'no-such-dir/plan.json']);
    expect(result.exitCode).toBe(1);
    expect(errorLines(result.stderr)).toEqual([
      'error[plan.out-file]: cannot write no-such-dir/plan.json: ENOENT',
    ]);
  });
});
