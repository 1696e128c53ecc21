// `ferry verify` against real databases: a clean apply verifies (exit 0) on the reference workload, the
// shop example and a project with skipped and rejected rows; a changed value, a missing row, duplicated
// rows, a wrongly remapped ref and orphans are each named by source key with exit 1; a migration not
// applied yet fails. The workloads are applied once and shared: each test restores what it changed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgents } from '../../src/agents/registry.js';
import type { ProjectSpec } from '../../src/spec/types.js';
import type { MigrationVerdict } from '../../src/verify/types.js';
import { verifyProject } from '../../src/verify/verify-project.js';
import { type CliResult, expectApplyFinished, runFerry } from '../support/cli.js';
import {
  buildWorkload,
  inlineWorkload,
  referenceWorkload,
  SHOP_FILES,
  type Workload,
} from '../support/workload.js';

/**
 * Pets have no primary key; pet 7's owner was never migrated (skipped), pet 33 has -1 legs (rejected).
 * Toy 4's owner was never migrated either: its ref is written as NULL (onOrphan null). Pet tags get
 * their keys from an expression, so their target rows cannot be matched to source rows.
 */
const PETS_PROJECT = {
  label: 'verify_pets',
  sourceSql: `
    CREATE SCHEMA src;
    CREATE TABLE src.owners (id int PRIMARY KEY, name text NOT NULL);
    INSERT INTO src.owners SELECT g, 'owner ' || g FROM generate_series(1, 30) g;
    CREATE TABLE src.pets (id int PRIMARY KEY, owner_id int, name text NOT NULL, legs int NOT NULL);
    INSERT INTO src.pets
      SELECT g, CASE WHEN g = 7 THEN 99 ELSE 1 + g % 30 END, 'pet ' || g, CASE WHEN g = 33 THEN -1 ELSE 4 END
      FROM generate_series(1, 60) g;
    CREATE TABLE src.toys (id int PRIMARY KEY, owner_id int, label text NOT NULL);
    INSERT INTO src.toys SELECT g, CASE WHEN g = 4 THEN 99 ELSE g END, 'toy ' || g FROM generate_series(1, 10) g;
    CREATE TABLE src.pet_tags (id int PRIMARY KEY, tag text NOT NULL);
    INSERT INTO src.pet_tags SELECT g, 'tag ' || g FROM generate_series(1, 10) g;`,
  targetSql: `
    CREATE SCHEMA dst;
    CREATE TABLE dst.owners (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
    CREATE TABLE dst.pets (pet_id int NOT NULL, owner_id bigint REFERENCES dst.owners (id), name text NOT NULL,
                           legs int NOT NULL CHECK (legs >= 0));
    CREATE TABLE dst.toys (id int PRIMARY KEY, owner_id bigint REFERENCES dst.owners (id), label text NOT NULL);
    CREATE TABLE dst.pet_tags (id int PRIMARY KEY, tag text NOT NULL);`,
  specs: {
    'owners.yaml': `migration: owners
from: src.owners
to: dst.owners
keys: generate
columns:
  name: { from: name }
`,
    'pets.yaml': `migration: pets
from: src.pets
to: dst.pets
onOrphan: skip
onError: reject
batch: { size: 20 }
columns:
  pet_id: { from: id }
  owner_id: { from: owner_id, ref: owners }
  name: { from: name }
  legs: { from: legs }
`,
    'toys.yaml': `migration: toys
from: src.toys
to: dst.toys
onOrphan: "null"
columns:
  id: { from: id }
  owner_id: { from: owner_id, ref: owners }
  label: { from: label }
`,
    'pet_tags.yaml': `migration: pet_tags
from: src.pet_tags
to: dst.pet_tags
columns:
  id: { expr: "id + 1000" }
  tag: { from: tag }
`,
  },
};

let reference: Workload;
let shop: Workload;
let pets: Workload;
/** `ferry verify --json` on the pets project after plan, before apply. */
let beforeApply: CliResult;

const ferry = (workload: Workload, args: string[]) =>
  runFerry(args, { cwd: workload.projectDir, env: workload.env });

async function planAndApply(
  workload: Workload,
  migrations: number,
  beforeApplying?: () => Promise<void>,
): Promise<void> {
  const planned = await ferry(workload, ['plan']);
  expect(planned.exitCode, planned.stderr).toBe(0);
  await beforeApplying?.();
  expectApplyFinished(await ferry(workload, ['apply']), migrations);
}

beforeAll(async () => {
  [reference, shop, pets] = await Promise.all([
    referenceWorkload('verify', '0.001'),
    buildWorkload('verify_shop', SHOP_FILES),
    inlineWorkload(PETS_PROJECT),
  ]);
  await Promise.all([
    planAndApply(reference, 5),
    planAndApply(shop, 6),
    planAndApply(pets, 4, async () => {
      beforeApply = await ferry(pets, ['verify', '--json']);
    }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([reference?.drop(), shop?.drop(), pets?.drop()]);
});

async function verifyJson(
  workload: Workload,
  args: string[] = [],
): Promise<{ exitCode: number; verdicts: MigrationVerdict[] }> {
  const result = await ferry(workload, ['verify', '--json', ...args]);
  expect(result.stderr).toBe('');
  const parsed = JSON.parse(result.stdout) as { ok: boolean; migrations: MigrationVerdict[] };
  expect(parsed.ok).toBe(result.exitCode === 0);
  return { exitCode: result.exitCode, verdicts: parsed.migrations };
}

function libraryOptions(workload: Workload) {
  return {
    projectDir: workload.projectDir,
    env: workload.env,
    agents: (project: ProjectSpec) => buildAgents(project, { cwd: workload.projectDir }),
  };
}

function verdictOf(verdicts: readonly MigrationVerdict[], migration: string): MigrationVerdict {
  const verdict = verdicts.find((v) => v.migration === migration);
  if (!verdict) throw new Error(`no verdict for ${migration}`);
  return verdict;
}

function statuses(verdicts: readonly MigrationVerdict[]): Record<string, string> {
  return Object.fromEntries(verdicts.map((v) => [v.migration, v.status]));
}

describe('ferry verify on the reference workload', () => {
  it('passes a clean apply with exit 0, every migration and column checked (--json)', async () => {
    const { exitCode, verdicts } = await verifyJson(reference);
    expect(exitCode).toBe(0);
    expect(statuses(verdicts)).toEqual({
      brackets: 'ok',
      tags: 'ok',
      case_files: 'ok',
      case_file_tags: 'ok',
      orders: 'ok',
    });
    expect(verdictOf(verdicts, 'case_file_tags')).toEqual({
      migration: 'case_file_tags',
      status: 'ok',
      keyColumns: ['casefile_id', 'tag_id'],
      sourceRows: 1998,
      rejected: 0,
      skipped: 0,
      expectedRows: 1998,
      targetRows: 1998,
      checkedColumns: ['case_file_id', 'tag_id'],
      uncheckedColumns: [],
      located: true,
      counts: {},
      rows: [],
      orphans: [],
      sequences: [],
      problems: [],
      notes: [],
    });
    expect(verdictOf(verdicts, 'orders').checkedColumns).toEqual([
      'id',
      'case_file_id',
      'amount',
      'currency',
      'placed_at',
    ]);
  });

  it('names the source key and the column of a single changed value', async () => {
    const [order] = await reference.target.query<{ id: string; amount: string }>(
      'UPDATE app.orders SET amount = amount + 1 WHERE id = (SELECT id FROM app.orders ORDER BY id OFFSET 99 LIMIT 1) RETURNING id::text, amount::text',
    );
    const { id, amount } = order as { id: string; amount: string };
    const before = (Number(amount) - 1).toFixed(2);
    try {
      const text = await ferry(reference, ['verify', '-s', 'orders']);
      expect(text.exitCode).toBe(1);
      expect(text.stdout.split('\n')).toEqual([
        'migration  status       source rows  target rows  columns  problems',
        'orders     mismatch           2,000        2,000      5/5  1 changed',
        '',
        'orders:',
        `  changed    id=${id}: amount: source ${before}, target ${amount}`,
        '',
        '1 of 1 migrations do not match their source',
      ]);
    } finally {
      await reference.target.query('UPDATE app.orders SET amount = amount - 1 WHERE id = $1', [id]);
    }
  });

  it('names a missing row by its composite source key', async () => {
    const [row] = await reference.target.query<{ case_file_id: string; tag_id: string }>(
      `DELETE FROM app.case_file_tags
        WHERE (case_file_id, tag_id) = (SELECT case_file_id, tag_id FROM app.case_file_tags ORDER BY 1, 2 OFFSET 500 LIMIT 1)
        RETURNING case_file_id::text, tag_id::text`,
    );
    const { case_file_id, tag_id } = row as { case_file_id: string; tag_id: string };
    try {
      const { exitCode, verdicts } = await verifyJson(reference);
      expect(exitCode).toBe(1);
      expect(statuses(verdicts)).toMatchObject({
        case_file_tags: 'mismatch',
        orders: 'ok',
        case_files: 'ok',
      });
      expect(verdictOf(verdicts, 'case_file_tags')).toMatchObject({
        status: 'mismatch',
        expectedRows: 1998,
        targetRows: 1997,
        counts: { missing: 1 },
        rows: [{ kind: 'missing', key: [case_file_id, tag_id] }],
        problems: ['the target holds 1997 rows where 1998 are expected'],
      });
    } finally {
      await reference.target.query('INSERT INTO app.case_file_tags (case_file_id, tag_id) VALUES ($1, $2)', [
        case_file_id,
        tag_id,
      ]);
    }
  });

  it('names the rows orphaned by a parent deleted behind disabled foreign keys', async () => {
    const [parent] = await reference.target.query<{ id: string }>(
      'SELECT case_file_id::text AS id FROM app.orders GROUP BY case_file_id ORDER BY count(*) DESC, case_file_id LIMIT 1',
    );
    const id = parent?.id as string;
    const orders = (
      await reference.target.query<{ id: string }>(
        'SELECT id::text FROM app.orders WHERE case_file_id = $1 ORDER BY id',
        [id],
      )
    ).map((o) => o.id);
    expect(orders.length).toBeGreaterThan(1);
    const [saved] = await reference.target.query('SELECT * FROM app.case_files WHERE id = $1', [id]);
    // As a replica session does, skipping the foreign keys' triggers: its orders keep pointing at it.
    await reference.target.query(
      `SET session_replication_role = replica; DELETE FROM app.case_files WHERE id = ${Number(id)}`,
    );
    try {
      const text = await ferry(reference, ['verify', '--select', 'orders']);
      expect(text.exitCode).toBe(1);
      expect(text.stdout.split('\n')).toEqual([
        'migration  status       source rows  target rows  columns  problems',
        `orders     mismatch           2,000        2,000      5/5  ${orders.length} orphaned`,
        '',
        'orders:',
        `  ${orders.length} row(s) break orders_case_file_id_fkey (case_file_id → "app"."case_files"):`,
        ...orders.map((order) => `    id=${order}: case_file_id=${id}`),
        '',
        '1 of 1 migrations do not match their source',
      ]);
      const { migrations: verdicts } = await verifyProject({
        ...libraryOptions(reference),
        select: ['case_files+'],
      });
      expect(statuses(verdicts)).toEqual({
        case_files: 'mismatch',
        case_file_tags: 'mismatch',
        orders: 'mismatch',
      });
      expect(verdictOf(verdicts, 'case_files').rows).toEqual([{ kind: 'missing', key: [id] }]);
      expect(verdictOf(verdicts, 'orders')).toMatchObject({
        rows: [],
        orphans: [
          {
            constraint: 'orders_case_file_id_fkey',
            columns: ['case_file_id'],
            references: '"app"."case_files"',
            rows: orders.length,
            first: orders.map((order) => ({ key: [order], targetKey: [order], values: [id] })),
          },
        ],
      });
    } finally {
      const row = saved as Record<string, unknown>;
      const names = Object.keys(row);
      await reference.target.query(
        `INSERT INTO app.case_files (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`,
        Object.values(row),
      );
    }
  });
});

describe('ferry verify on the shop example (generated keys)', () => {
  it('passes a clean apply, comparing every column but the generated keys', async () => {
    const { exitCode, verdicts } = await verifyJson(shop);
    expect(exitCode).toBe(0);
    expect(Object.values(statuses(verdicts))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    expect(verdictOf(verdicts, 'orders').checkedColumns).toEqual([
      'order_number',
      'customer_id',
      'ordered_at',
      'status',
    ]);
    expect(verdictOf(verdicts, 'order_lines')).toMatchObject({
      located: true,
      sourceRows: 240,
      targetRows: 240,
    });
  });

  it('names an order whose customer ref points at another existing customer', async () => {
    // Order 5 (its source key) keeps its row, but now names the customer that another source key became.
    const [before] = await shop.source.query<{ cust_id: string }>(
      'SELECT cust_id::text FROM legacy_shop.orders WHERE order_id = 5',
    );
    const other = before?.cust_id === '2' ? '3' : '2';
    const [saved] = await shop.target.query<{ id: string; customer_id: string }>(
      `SELECT o.id::text, o.customer_id::text FROM shop.orders o JOIN _ferry.keymap_orders m ON m.target_key = o.id
        WHERE m.source_key_1 = 5`,
    );
    await shop.target.query(
      'UPDATE shop.orders SET customer_id = (SELECT target_key FROM _ferry.keymap_customers WHERE source_key_1 = $1) WHERE id = $2',
      [other, saved?.id],
    );
    try {
      const { exitCode, verdicts } = await verifyJson(shop);
      expect(exitCode).toBe(1);
      expect(statuses(verdicts)).toMatchObject({
        orders: 'mismatch',
        customers: 'ok',
        order_lines: 'ok',
        payments: 'ok',
      });
      expect(verdictOf(verdicts, 'orders')).toMatchObject({
        counts: { changed: 1 },
        rows: [
          {
            kind: 'changed',
            key: ['5'],
            columns: [{ column: 'customer_id', source: before?.cust_id, target: other }],
          },
        ],
        orphans: [],
      });
    } finally {
      await shop.target.query('UPDATE shop.orders SET customer_id = $1 WHERE id = $2', [
        saved?.customer_id,
        saved?.id,
      ]);
    }
  });
});

describe('ferry verify with rows left out on purpose', () => {
  it('fails while migrations are not applied', () => {
    expect(beforeApply.exitCode).toBe(1);
    const { migrations } = JSON.parse(beforeApply.stdout) as { migrations: MigrationVerdict[] };
    expect(statuses(migrations)).toEqual({
      owners: 'not applied',
      pets: 'not applied',
      toys: 'not applied',
      pet_tags: 'not applied',
    });
    expect(verdictOf(migrations, 'pets')).toMatchObject({
      sourceRows: 60,
      targetRows: 0,
      expectedRows: null,
    });
  });

  it('accounts for skipped, rejected and nulled rows, and says what it could not check', async () => {
    const { ok, migrations: verdicts } = await verifyProject(libraryOptions(pets));
    expect(ok).toBe(true);
    expect(statuses(verdicts)).toEqual({ owners: 'ok', pets: 'ok', toys: 'ok', pet_tags: 'ok' });
    expect(verdictOf(verdicts, 'pets')).toMatchObject({
      sourceRows: 60,
      rejected: 1,
      skipped: 1,
      expectedRows: 58,
      targetRows: 58,
      checkedColumns: ['pet_id', 'owner_id', 'name', 'legs'],
      notes: [
        '1 row(s) skipped by onOrphan: skip in 1 batch(es): apply does not record which rows, so those batches are checked by row count only',
      ],
    });
    expect(verdictOf(verdicts, 'toys')).toMatchObject({
      targetRows: 10,
      checkedColumns: ['id', 'owner_id', 'label'],
      notes: [
        '1 ref value(s) are NULL in the target because their parent row was not migrated (onOrphan: null)',
      ],
    });
    expect(verdictOf(verdicts, 'pet_tags')).toMatchObject({
      located: false,
      checkedColumns: ['id', 'tag'],
      notes: [
        'the batch key is not carried into the target as is (an expr), so rows cannot be located: values were compared table-wide',
      ],
    });
  });

  it('names a duplicated row in a target table without a primary key', async () => {
    await pets.target.query('INSERT INTO dst.pets SELECT * FROM dst.pets WHERE pet_id = 42');
    try {
      const { exitCode, verdicts } = await verifyJson(pets, ['--select', 'pets']);
      expect(exitCode).toBe(1);
      expect(verdicts).toMatchObject([
        {
          migration: 'pets',
          status: 'mismatch',
          targetRows: 59,
          counts: { duplicate: 1 },
          rows: [{ kind: 'duplicate', key: ['42'], copies: 2 }],
          problems: ['the target holds 59 rows where 58 are expected'],
        },
      ]);
    } finally {
      await pets.target.query(
        'DELETE FROM dst.pets WHERE ctid = (SELECT max(ctid) FROM dst.pets WHERE pet_id = 42)',
      );
    }
  });

  it('names a copy of a row written under a new generated key', async () => {
    const [copy] = await pets.target.query<{ id: string }>(
      `INSERT INTO dst.owners (name) SELECT name FROM dst.owners o JOIN _ferry.keymap_owners m ON m.target_key = o.id
        WHERE m.source_key_1 = 5 RETURNING id::text`,
    );
    try {
      const text = await ferry(pets, ['verify', '--select', 'owners']);
      expect(text.exitCode).toBe(1);
      expect(text.stdout).toMatch(/^owners +mismatch +30 +31 +1\/1 +1 unmapped, 30 rows expected$/m);
      expect(text.stdout).toContain(
        `  unmapped   target key (${copy?.id}): names no source row (a copy of id=5)`,
      );
    } finally {
      await pets.target.query('DELETE FROM dst.owners WHERE id = $1', [copy?.id]);
    }
  });

  it('says which column differs where rows cannot be located', async () => {
    await pets.target.query(`UPDATE dst.pet_tags SET tag = 'tag 99' WHERE id = 1005`);
    try {
      const { ok, migrations } = await verifyProject({ ...libraryOptions(pets), select: ['pet_tags'] });
      expect(ok).toBe(false);
      expect(migrations).toMatchObject([
        { status: 'mismatch', rows: [], problems: ['the values of tag differ (rows cannot be located)'] },
      ]);
    } finally {
      await pets.target.query(`UPDATE dst.pet_tags SET tag = 'tag 5' WHERE id = 1005`);
    }
  });
});
