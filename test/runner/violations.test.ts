// Violations found by bisecting a batch: each kind the target can refuse (a foreign key, immediate or
// deferred, to a parent row another migration filtered out; NOT NULL; unique; CHECK; too long; numeric
// overflow) and a value the mapping's own cast refuses on the source pauses its migration naming
// exactly the offending source keys, while independent migrations finish; apply resumes once the
// cause is fixed. With onError: reject exactly those rows are set aside instead.

import { afterEach, describe, expect, it } from 'vitest';
import { checksum } from '../support/checksums.js';
import { expectApplyFinished, runFerry } from '../support/cli.js';
import { inlineWorkload, type Workload } from '../support/workload.js';

/** 300 rows per table; with batches of 50, row n is in batch ceil(n / 50). */
const SOURCE_SQL = `
CREATE SCHEMA legacy;

CREATE TABLE legacy.parents (id int PRIMARY KEY, name text NOT NULL, active boolean NOT NULL);
INSERT INTO legacy.parents SELECT g, 'parent ' || g, g NOT IN (62, 75, 88, 240) FROM generate_series(1, 300) g;

-- Child n points at parent n: the children of the four inactive parents are orphans on the target.
CREATE TABLE legacy.children (id int PRIMARY KEY, parent_id int NOT NULL, label text NOT NULL);
INSERT INTO legacy.children SELECT g, g, 'child ' || g FROM generate_series(1, 300) g;

-- Toy n points at parent 1 + (n + 37) mod 300: toys 24, 37, 50 and 202 are orphans.
CREATE TABLE legacy.toys (id int PRIMARY KEY, parent_id int NOT NULL);
INSERT INTO legacy.toys SELECT g, 1 + (g + 37) % 300 FROM generate_series(1, 300) g;

CREATE TABLE legacy.grandchildren (id int PRIMARY KEY, child_id int NOT NULL);
INSERT INTO legacy.grandchildren SELECT g, g FROM generate_series(1, 50) g;

CREATE TABLE legacy.people (id int PRIMARY KEY, nickname text);
INSERT INTO legacy.people SELECT g, CASE WHEN g IN (3, 4, 49, 151) THEN NULL ELSE 'nick' || g END
FROM generate_series(1, 300) g;

-- 12 repeats 5 and 20 repeats 3 in the first batch; 130 repeats 30, which an earlier batch loaded.
CREATE TABLE legacy.accounts (id int PRIMARY KEY, email text NOT NULL);
INSERT INTO legacy.accounts SELECT g, 'User' || CASE g WHEN 12 THEN 5 WHEN 20 THEN 3 WHEN 130 THEN 30 ELSE g END
  || CASE WHEN g % 2 = 0 THEN '@MAIL.example' ELSE '@mail.example' END
FROM generate_series(1, 300) g;

-- A two-column key, so that keys are compared and printed column by column.
CREATE TABLE legacy.stock (region text, item int, qty int NOT NULL, PRIMARY KEY (region, item));
INSERT INTO legacy.stock
SELECT r, i, CASE WHEN (r, i) IN (('east', 61), ('east', 77), ('east', 99), ('west', 100)) THEN -1 ELSE i END
FROM unnest(ARRAY['east', 'north', 'west']) r, generate_series(1, 100) i;

CREATE TABLE legacy.codes (id int PRIMARY KEY, code text NOT NULL);
INSERT INTO legacy.codes SELECT g, CASE WHEN g IN (101, 102, 149, 299) THEN 'TOOLONG' || g ELSE 'C' || g END
FROM generate_series(1, 300) g;

CREATE TABLE legacy.measures (id int PRIMARY KEY, price numeric NOT NULL, rank int NOT NULL);
INSERT INTO legacy.measures
SELECT g, CASE WHEN g IN (201, 250) THEN 12345.5 ELSE g + 0.25 END, CASE WHEN g IN (220, 280) THEN 40000 ELSE g END
FROM generate_series(1, 300) g;

-- Text the mapping's cast cannot read: the source refuses these rows, not the target.
CREATE TABLE legacy.ratios (id int PRIMARY KEY, amount text NOT NULL);
INSERT INTO legacy.ratios SELECT g, CASE WHEN g IN (33, 34, 180) THEN 'n/a' ELSE g::text END
FROM generate_series(1, 300) g;

CREATE TABLE legacy.notes (id int PRIMARY KEY, body text NOT NULL);
INSERT INTO legacy.notes SELECT g, 'note ' || g FROM generate_series(1, 300) g;
`;

const TARGET_SQL = `
CREATE SCHEMA app;
CREATE TABLE app.parents (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE app.children (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES app.parents (id), label text NOT NULL);
-- A deferred key speaks only at COMMIT.
CREATE TABLE app.toys (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES app.parents (id) DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE app.grandchildren (id int PRIMARY KEY, child_id int NOT NULL REFERENCES app.children (id));
CREATE TABLE app.people (id int PRIMARY KEY, nickname text NOT NULL);
CREATE TABLE app.accounts (id int PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE app.stock (region text, item int, qty int NOT NULL CHECK (qty >= 0), PRIMARY KEY (region, item));
CREATE TABLE app.codes (id int PRIMARY KEY, code varchar(5) NOT NULL);
CREATE TABLE app.measures (id int PRIMARY KEY, price numeric(6,2) NOT NULL, rank smallint NOT NULL);
CREATE TABLE app.ratios (id int PRIMARY KEY, amount int NOT NULL);
CREATE TABLE app.notes (id int PRIMARY KEY, body text NOT NULL);
`;

type OnError = 'pause' | 'reject';

const PROJECT_YAML = `version: 1
source: { url: "\${env:FERRY_SOURCE_URL}" }
target: { url: "\${env:FERRY_TARGET_URL}" }
`;

/** The migrations; `onError` goes to those with bad rows. */
function specs(onError: OnError): Record<string, string> {
  const table = (name: string, columns: string, extra = '') =>
    `migration: ${name}\nfrom: legacy.${name}\nto: app.${name}\ncolumns:\n${columns}batch: { size: 50 }\n${extra}`;
  const bad = `onError: ${onError}\n`;
  return {
    'ferry.yaml': PROJECT_YAML,
    'parents.yaml': table('parents', '  id: id\n  name: name\n', 'where: "active"\n'),
    'children.yaml': table('children', '  id: id\n  parent_id: { ref: parents }\n  label: label\n', bad),
    'toys.yaml': table('toys', '  id: id\n  parent_id: { ref: parents }\n', bad),
    'grandchildren.yaml': table('grandchildren', '  id: id\n  child_id: { ref: children }\n'),
    'people.yaml': table('people', '  id: id\n  nickname: nickname\n', bad),
    'accounts.yaml': table('accounts', '  id: id\n  email: { expr: "lower(email)" }\n', bad),
    'stock.yaml': table('stock', '  region: region\n  item: item\n  qty: qty\n', bad),
    'codes.yaml': table('codes', '  id: id\n  code: code\n', bad),
    'measures.yaml': table('measures', '  id: id\n  price: price\n  rank: rank\n', bad),
    'ratios.yaml': table('ratios', '  id: id\n  amount: { expr: "amount::int" }\n', bad),
    'notes.yaml': table('notes', '  id: id\n  body: body\n'),
  };
}

/**
 * Each migration's mapped values on the source and what the target holds, hashed in SQL. `key` is
 * the source key joined with commas, so that rows can be left out by key.
 */
const CHECKSUMS: Record<string, { source: string; key: string; target: string }> = {
  parents: {
    source: 'SELECT id, name FROM legacy.parents WHERE active',
    key: 'id::text',
    target: 'SELECT id, name FROM app.parents',
  },
  children: {
    source: 'SELECT id, parent_id, label FROM legacy.children WHERE true',
    key: 'id::text',
    target: 'SELECT id, parent_id, label FROM app.children',
  },
  toys: {
    source: 'SELECT id, parent_id FROM legacy.toys WHERE true',
    key: 'id::text',
    target: 'SELECT id, parent_id FROM app.toys',
  },
  grandchildren: {
    source: 'SELECT id, child_id FROM legacy.grandchildren WHERE true',
    key: 'id::text',
    target: 'SELECT id, child_id FROM app.grandchildren',
  },
  people: {
    source: 'SELECT id, nickname FROM legacy.people WHERE true',
    key: 'id::text',
    target: 'SELECT id, nickname FROM app.people',
  },
  accounts: {
    source: 'SELECT id, lower(email) FROM legacy.accounts WHERE true',
    key: 'id::text',
    target: 'SELECT id, email FROM app.accounts',
  },
  stock: {
    source: 'SELECT region, item, qty FROM legacy.stock WHERE true',
    key: "region || ',' || item",
    target: 'SELECT region, item, qty FROM app.stock',
  },
  codes: {
    source: 'SELECT id, code FROM legacy.codes WHERE true',
    key: 'id::text',
    target: 'SELECT id, code::text FROM app.codes',
  },
  measures: {
    source: 'SELECT id, price::numeric(6,2), rank FROM legacy.measures WHERE true',
    key: 'id::text',
    target: 'SELECT id, price, rank::int FROM app.measures',
  },
  ratios: {
    source: 'SELECT id, amount::int FROM legacy.ratios WHERE true',
    key: 'id::text',
    target: 'SELECT id, amount FROM app.ratios',
  },
  notes: {
    source: 'SELECT id, body FROM legacy.notes WHERE true',
    key: 'id::text',
    target: 'SELECT id, body FROM app.notes',
  },
};

/** The bad rows of each migration in key order, each with its batch, and what the target says. */
const BAD: Record<string, { rows: [string[], number][]; sqlstate: string; constraint?: string }> = {
  children: {
    rows: [
      [['62'], 2],
      [['75'], 2],
      [['88'], 2],
      [['240'], 5],
    ],
    sqlstate: '23503',
    constraint: 'children_parent_id_fkey',
  },
  toys: {
    rows: [
      [['24'], 1],
      [['37'], 1],
      [['50'], 1],
      [['202'], 5],
    ],
    sqlstate: '23503',
    constraint: 'toys_parent_id_fkey',
  },
  people: {
    rows: [
      [['3'], 1],
      [['4'], 1],
      [['49'], 1],
      [['151'], 4],
    ],
    sqlstate: '23502',
  },
  accounts: {
    rows: [
      [['12'], 1],
      [['20'], 1],
      [['130'], 3],
    ],
    sqlstate: '23505',
    constraint: 'accounts_email_key',
  },
  stock: {
    rows: [
      [['east', '61'], 2],
      [['east', '77'], 2],
      [['east', '99'], 2],
      [['west', '100'], 6],
    ],
    sqlstate: '23514',
    constraint: 'stock_qty_check',
  },
  codes: {
    rows: [
      [['101'], 3],
      [['102'], 3],
      [['149'], 3],
      [['299'], 6],
    ],
    sqlstate: '22001',
  },
  measures: {
    rows: [
      [['201'], 5],
      [['220'], 5],
      [['250'], 5],
      [['280'], 6],
    ],
    sqlstate: '22003',
  },
  ratios: {
    rows: [
      [['33'], 1],
      [['34'], 1],
      [['180'], 4],
    ],
    sqlstate: '22P02',
  },
};

const badKeys = (name: string) => (BAD[name]?.rows ?? []).map(([key]) => key);

let workload: Workload;

afterEach(async () => {
  await workload?.drop();
});

async function build(label: string, onError: OnError): Promise<void> {
  workload = await inlineWorkload({
    label,
    sourceSql: SOURCE_SQL,
    targetSql: TARGET_SQL,
    specs: specs(onError),
  });
}

const ferry = (args: string[]) => runFerry(args, { cwd: workload.projectDir, env: workload.env });

/** Source and target agree on `migrations`, the source without the rows of `without` (by source key). */
async function expectTablesAgree(
  migrations: readonly string[],
  without: Readonly<Record<string, readonly string[][]>> = {},
): Promise<void> {
  for (const name of migrations) {
    const { source, key, target } = CHECKSUMS[name] as (typeof CHECKSUMS)[string];
    const left = (without[name] ?? []).map((k) => k.join(','));
    const expected = await checksum(workload.source, `${source} AND NOT (${key}) = ANY ($1)`, [left]);
    expect(await checksum(workload.target, target), name).toEqual(expected);
  }
}

interface PausedReason {
  batch: number;
  range: { low: string[] | null; high: string[] | null };
  sqlstate: string;
  constraint?: string;
  offending: { key: string[]; sqlstate: string; message: string; constraint?: string; detail?: string }[];
}

async function control(): Promise<Record<string, { phase: string; reason: PausedReason | null }>> {
  const rows = await workload.target.query<{ migration: string; phase: string; reason: PausedReason | null }>(
    'SELECT migration, phase, paused_reason AS reason FROM _ferry.migration_control ORDER BY migration',
  );
  return Object.fromEntries(rows.map((row) => [row.migration, { phase: row.phase, reason: row.reason }]));
}

/** What a pause names: the batch, and per offending row its key, SQLSTATE and constraint. */
function pauseOf(reason: PausedReason | null) {
  if (!reason) return null;
  return {
    batch: reason.batch,
    sqlstate: reason.sqlstate,
    constraint: reason.constraint ?? null,
    offending: reason.offending.map((row) => [row.key, row.sqlstate, row.constraint ?? null]),
  };
}

/** The pause `name` must show when its first bad batch is `batch`. */
function expectedPause(name: string, batch: number) {
  const bad = BAD[name] as (typeof BAD)[string];
  return {
    batch,
    sqlstate: bad.sqlstate,
    constraint: bad.constraint ?? null,
    offending: bad.rows
      .filter(([, b]) => b === batch)
      .map(([key]) => [key, bad.sqlstate, bad.constraint ?? null]),
  };
}

async function rowCount(table: string): Promise<number> {
  const [row] = await workload.target.query<{ n: number }>(`SELECT count(*)::int AS n FROM app.${table}`);
  return (row as { n: number }).n;
}

/** The migrations with bad rows, in the order `_ferry` tables sort them. */
const PAUSING = Object.keys(BAD).sort();

describe('a violation', () => {
  it('pauses naming exactly the bad source keys, lets independent migrations finish, and resumes once fixed', async () => {
    await build('violations_pause', 'pause');
    expect((await ferry(['plan'])).exitCode).toBe(0);

    const first = await ferry(['apply']);
    expect(first.exitCode).toBe(3);
    expect(first.stdout).toContain('2 of 11 migrations done');
    const firstBatch = {
      accounts: 1,
      children: 2,
      codes: 3,
      measures: 5,
      people: 1,
      ratios: 1,
      stock: 2,
      toys: 1,
    };
    let state = await control();
    for (const [name, batch] of Object.entries(firstBatch)) {
      expect(state[name]?.phase, name).toBe('paused');
      expect(pauseOf(state[name]?.reason ?? null), name).toEqual(expectedPause(name, batch));
      // The batches before the paused one committed, the paused one did not.
      expect(await rowCount(name), name).toBe((batch - 1) * 50);
    }
    // The unique violation names the row that repeats an earlier one, with the server's detail.
    expect(state.accounts?.reason?.offending.map((row) => row.detail)).toEqual([
      'Key (email)=(user5@mail.example) already exists.',
      'Key (email)=(user3@mail.example) already exists.',
    ]);
    // Each overflowing row carries its own message: the numeric(6,2) and the smallint.
    expect(state.measures?.reason?.offending.map((row) => row.message)).toEqual([
      'numeric field overflow',
      'value "40000" is out of range for type smallint',
      'numeric field overflow',
    ]);
    expect(state.children?.reason?.range).toEqual({ low: ['50'], high: ['100'] });
    expect(state.stock?.reason?.range).toEqual({ low: ['east', '50'], high: ['east', '100'] });
    // Independent migrations finished; the paused one's descendant never started.
    expect([state.parents?.phase, state.notes?.phase]).toEqual(['done', 'done']);
    expect(state.grandchildren).toBeUndefined();
    expect(first.stdout).toContain('grandchildren: skipped, `children`, which it depends on, is paused');
    expect(await rowCount('grandchildren')).toBe(0);
    await expectTablesAgree(['parents', 'notes']);

    // Fix the rows of the paused batches only: each migration goes on to its next bad batch.
    await workload.source.query(`
      UPDATE legacy.children SET parent_id = 1 WHERE id IN (62, 75, 88);
      UPDATE legacy.toys SET parent_id = 1 WHERE id IN (24, 37, 50);
      UPDATE legacy.people SET nickname = 'fixed' WHERE id IN (3, 4, 49);
      UPDATE legacy.accounts SET email = 'fixed' || id || '@mail.example' WHERE id IN (12, 20);
      UPDATE legacy.stock SET qty = 0 WHERE region = 'east' AND item IN (61, 77, 99);
      UPDATE legacy.codes SET code = 'F' || id WHERE id IN (101, 102, 149);
      UPDATE legacy.measures SET price = 1, rank = 1 WHERE id IN (201, 220, 250);
      UPDATE legacy.ratios SET amount = '0' WHERE id IN (33, 34);
    `);
    const second = await ferry(['apply']);
    expect(second.exitCode).toBe(3);
    const secondBatch = {
      accounts: 3,
      children: 5,
      codes: 6,
      measures: 6,
      people: 4,
      ratios: 4,
      stock: 6,
      toys: 5,
    };
    state = await control();
    for (const [name, batch] of Object.entries(secondBatch)) {
      expect(state[name]?.phase, name).toBe('paused');
      expect(pauseOf(state[name]?.reason ?? null), name).toEqual(expectedPause(name, batch));
      expect(await rowCount(name), name).toBe((batch - 1) * 50);
    }
    // 130 repeats 30, loaded by an earlier batch that committed.
    expect(state.accounts?.reason?.offending[0]?.detail).toBe(
      'Key (email)=(user30@mail.example) already exists.',
    );
    expect(await rowCount('parents')).toBe(296);
    expect(await rowCount('notes')).toBe(300);

    // Fix the rest: the source rows, and for stock the target (a dropped constraint needs a new plan).
    await workload.source.query(`
      UPDATE legacy.children SET parent_id = 1 WHERE id = 240;
      UPDATE legacy.toys SET parent_id = 1 WHERE id = 202;
      UPDATE legacy.people SET nickname = 'fixed' WHERE id = 151;
      UPDATE legacy.accounts SET email = 'fixed' || id || '@mail.example' WHERE id = 130;
      UPDATE legacy.codes SET code = 'F' || id WHERE id = 299;
      UPDATE legacy.measures SET rank = 1 WHERE id = 280;
      UPDATE legacy.ratios SET amount = '0' WHERE id = 180;
    `);
    await workload.target.query('ALTER TABLE app.stock DROP CONSTRAINT stock_qty_check');
    const stale = await ferry(['apply']);
    expect(stale.exitCode).toBe(1);
    expect(stale.stderr).toContain(
      'error[lock.stale]: ferry.lock is stale: target table app.stock changed structure',
    );
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const third = await ferry(['apply']);
    expectApplyFinished(third, 11);
    state = await control();
    for (const name of Object.keys(CHECKSUMS)) expect([name, state[name]?.phase]).toEqual([name, 'done']);
    await expectTablesAgree(Object.keys(CHECKSUMS));
    const batches = await workload.target.query<{ migration: string; done: number; rejected: number }>(
      `SELECT migration, count(*) FILTER (WHERE status = 'done')::int AS done, sum(rejected)::int AS rejected
       FROM _ferry.migration_batches GROUP BY migration ORDER BY migration`,
    );
    expect(batches).toEqual(
      Object.keys(CHECKSUMS)
        .sort()
        .map((migration) => ({ migration, done: migration === 'grandchildren' ? 1 : 6, rejected: 0 })),
    );
  });

  it('with onError: reject sets exactly the bad rows aside and loads the rest', async () => {
    await build('violations_reject', 'reject');
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const first = await ferry(['apply']);
    expectApplyFinished(first, 11);
    const state = await control();
    for (const name of Object.keys(CHECKSUMS)) expect([name, state[name]?.phase]).toEqual([name, 'done']);

    const rejects = () =>
      workload.target.query<{
        migration: string;
        batch_no: number;
        source_key: string[];
        sqlstate: string;
        constraint_name: string | null;
      }>(
        `SELECT migration, batch_no, source_key, sqlstate, constraint_name
         FROM _ferry.migration_rejects ORDER BY migration, batch_no, id`,
      );
    const expected = PAUSING.flatMap((migration) => {
      const bad = BAD[migration] as (typeof BAD)[string];
      return bad.rows.map(([key, batch]) => ({
        migration,
        batch_no: batch,
        source_key: key,
        sqlstate: bad.sqlstate,
        constraint_name: bad.constraint ?? null,
      }));
    });
    expect(await rejects()).toEqual(expected);
    // The row as ferry mapped it, by target column, and the server's verdict on it.
    expect(
      await workload.target.query(
        `SELECT migration, row, message, detail FROM _ferry.migration_rejects
         WHERE (migration, source_key) IN (('codes', '["101"]'), ('accounts', '["130"]'), ('measures', '["220"]'), ('ratios', '["33"]'))
         ORDER BY migration`,
      ),
    ).toEqual([
      {
        migration: 'accounts',
        row: { id: 130, email: 'user30@mail.example' },
        message: 'duplicate key value violates unique constraint "accounts_email_key"',
        detail: 'Key (email)=(user30@mail.example) already exists.',
      },
      {
        migration: 'codes',
        row: { id: 101, code: 'TOOLONG101' },
        message: 'value too long for type character varying(5)',
        detail: null,
      },
      {
        migration: 'measures',
        row: { id: 220, price: 220.25, rank: 40000 },
        message: 'value "40000" is out of range for type smallint',
        detail: null,
      },
      // The source cannot compute this row's mapped values: the reject keeps its key and the verdict.
      {
        migration: 'ratios',
        row: null,
        message: 'invalid input syntax for type integer: "n/a"',
        detail: null,
      },
    ]);

    const outcomes = () =>
      workload.target.query<{ migration: string; rows: number; rejected: number }>(
        `SELECT migration, sum(rows)::int AS rows, sum(rejected)::int AS rejected
         FROM _ferry.migration_batches GROUP BY migration ORDER BY migration`,
      );
    const counted = Object.keys(CHECKSUMS)
      .sort()
      .map((migration) => {
        const all = migration === 'grandchildren' ? 50 : migration === 'parents' ? 296 : 300;
        const rejected = badKeys(migration).length;
        return { migration, rows: all - rejected, rejected };
      });
    expect(await outcomes()).toEqual(counted);
    // status counts what each migration set aside.
    const status = JSON.parse((await ferry(['status', '--json'])).stdout) as {
      migrations: { migration: string; status: { rows: number; rejected: number } }[];
    };
    expect(
      status.migrations
        .map(({ migration, status: s }) => ({ migration, rows: s.rows, rejected: s.rejected }))
        .sort((a, b) => a.migration.localeCompare(b.migration)),
    ).toEqual(counted);
    expect((await ferry(['status'])).stdout).toMatch(/\n +left out: 3 rejected\n/);
    const without = Object.fromEntries(PAUSING.map((name) => [name, badKeys(name)]));
    await expectTablesAgree(Object.keys(CHECKSUMS), without);

    const second = await ferry(['apply']);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).not.toContain('committed');
    expect(await rejects()).toEqual(expected);
    expect(await outcomes()).toEqual(counted);
    await expectTablesAgree(Object.keys(CHECKSUMS), without);
  });
});
