// `apply --bulk` against a real target: what is dropped and recorded, a rebuild that gives back exactly
// the catalog it started from (after a load, from new connections, after a crash between steps), a
// rebuild the rows refuse, and the refusal of tables that already hold rows.

import { describe, expect, it } from 'vitest';
import type { FerryError } from '../../src/errors.js';
import {
  assertEmptyTargets,
  type DeferredObject,
  deferConstraints,
  pendingRestore,
  restoreConstraints,
} from '../../src/runner/bulk.js';
import { type StateDatabase, stateDatabases } from '../state/state-database.js';

const createDatabase = stateDatabases();

const RUN_ID = '6f1c2a57-8a43-4c55-9a0e-3c4b1d2e0001';

/**
 * Parents and children are loaded; `other` is not, but its audit table has foreign keys into parents
 * (one into the primary key, one into a unique constraint), and children have one into it.
 */
const SCHEMA = `
create schema app;
create schema other;
create table other.categories (id int primary key, label text not null);
create table app.parents (
  id int primary key,
  code text not null constraint parents_code_key unique,
  name text,
  manager_id int references app.parents (id),
  constraint parents_code_length check (length(code) > 0)
);
comment on constraint parents_code_key on app.parents is 'codes are unique; it''s what people type';
create index parents_lower_name on app.parents (lower(name));
create table app.children (
  id bigint not null,
  parent_id int not null references app.parents (id) on delete cascade,
  position int not null,
  category_id int constraint children_category_fkey references other.categories (id),
  "Weird ""Name""" text,
  status text not null,
  during int4range,
  constraint children_pkey primary key (id) include (status) with (fillfactor = 90),
  constraint children_position_key unique (parent_id, position) deferrable initially deferred,
  constraint children_no_overlap exclude using gist (during with &&) where (status = 'active')
);
create index children_active on app.children (parent_id) where status = 'active';
comment on index app.children_active is 'active children by parent';
create index "Children By ""Name""" on app.children ("Weird ""Name""" desc nulls last, parent_id);
create table other.audit (
  id int primary key,
  parent_id int references app.parents (id),
  parent_code text constraint audit_parent_code_fkey references app.parents (code)
);
`;

const PARENTS = { schema: 'app', name: 'parents' };
const CHILDREN = { schema: 'app', name: 'children' };
const LOADED = [PARENTS, CHILDREN];

const ROWS = `
insert into other.categories values (1, 'one'), (2, 'two');
insert into app.parents values (1, 'A', 'Ann', null), (2, 'B', 'Bob', 1), (3, 'C', 'Cy', 1);
insert into app.children values
  (10, 1, 1, 1, 'x', 'active', '[1,5)'),
  (11, 1, 2, 2, 'y', 'active', '[5,9)'),
  (12, 2, 1, null, null, 'retired', '[1,9)');
insert into other.audit values (100, 1, 'A'), (101, 3, 'C');
`;

/** Every constraint and index of both schemas as PostgreSQL prints them: what a rebuild must give back. */
const CATALOG_SQL = `
select conrelid::regclass::text as "table", conname::text as name, contype::text as type,
       pg_get_constraintdef(oid) as definition, convalidated as valid,
       obj_description(oid, 'pg_constraint') as comment
from pg_constraint
where connamespace in ('app'::regnamespace, 'other'::regnamespace) and contype <> 'n'
union all
-- NOT NULL read from the columns, printed the way PostgreSQL 18 prints its NOT NULL constraints, so
-- that the same list holds on servers that do not record them as constraints.
select a.attrelid::regclass::text, format('%s_%s_not_null', c.relname, a.attname), 'n',
       'NOT NULL ' || quote_ident(a.attname), true, null
from pg_attribute a
join pg_class c on c.oid = a.attrelid
where c.relnamespace in ('app'::regnamespace, 'other'::regnamespace) and c.relkind in ('r', 'p')
  and a.attnum > 0 and not a.attisdropped and a.attnotnull
union all
select i.indrelid::regclass::text, c.relname::text, 'index', pg_get_indexdef(i.indexrelid),
       i.indisvalid and i.indisready, obj_description(i.indexrelid, 'pg_class')
from pg_index i
join pg_class c on c.oid = i.indexrelid
where c.relnamespace in ('app'::regnamespace, 'other'::regnamespace)
order by 1, 2, 3`;

interface CatalogEntry {
  readonly table: string;
  readonly name: string;
  readonly type: string;
  readonly definition: string;
  readonly valid: boolean;
  readonly comment: string | null;
}

/** What stays on the loaded tables: CHECK and NOT NULL, and everything of the table not loaded. */
const KEPT: readonly CatalogEntry[] = [
  notNull('app.children', 'id'),
  notNull('app.children', 'parent_id'),
  notNull('app.children', 'position', '"position"'),
  notNull('app.children', 'status'),
  {
    table: 'app.parents',
    name: 'parents_code_length',
    type: 'c',
    definition: 'CHECK ((length(code) > 0))',
    valid: true,
    comment: null,
  },
  notNull('app.parents', 'code'),
  notNull('app.parents', 'id'),
  notNull('other.audit', 'id'),
  {
    table: 'other.audit',
    name: 'audit_pkey',
    type: 'index',
    definition: 'CREATE UNIQUE INDEX audit_pkey ON other.audit USING btree (id)',
    valid: true,
    comment: null,
  },
  {
    table: 'other.audit',
    name: 'audit_pkey',
    type: 'p',
    definition: 'PRIMARY KEY (id)',
    valid: true,
    comment: null,
  },
  notNull('other.categories', 'id'),
  notNull('other.categories', 'label'),
  {
    table: 'other.categories',
    name: 'categories_pkey',
    type: 'index',
    definition: 'CREATE UNIQUE INDEX categories_pkey ON other.categories USING btree (id)',
    valid: true,
    comment: null,
  },
  {
    table: 'other.categories',
    name: 'categories_pkey',
    type: 'p',
    definition: 'PRIMARY KEY (id)',
    valid: true,
    comment: null,
  },
];

/** A NOT NULL column, as CATALOG_SQL lists it; a column named like a keyword is printed quoted. */
function notNull(table: string, column: string, printed = column): CatalogEntry {
  const name = `${table.split('.')[1]}_${column}_not_null`;
  return { table, name, type: 'n', definition: `NOT NULL ${printed}`, valid: true, comment: null };
}

/** The records deferConstraints writes for SCHEMA, without ids and times, in restore order. */
const RECORDED = [
  {
    table: CHILDREN,
    kind: 'index',
    name: 'Children By "Name"',
    restoreSql: [
      'CREATE INDEX "Children By ""Name""" ON app.children USING btree ("Weird ""Name""" DESC NULLS LAST, parent_id)',
    ],
  },
  {
    table: CHILDREN,
    kind: 'index',
    name: 'children_active',
    restoreSql: [
      "CREATE INDEX children_active ON app.children USING btree (parent_id) WHERE (status = 'active'::text)",
    ],
    comment: 'active children by parent',
  },
  {
    table: CHILDREN,
    kind: 'exclusion',
    name: 'children_no_overlap',
    restoreSql: [
      `ALTER TABLE "app"."children" ADD CONSTRAINT "children_no_overlap" EXCLUDE USING gist (during WITH &&) WHERE ((status = 'active'::text))`,
    ],
  },
  {
    table: CHILDREN,
    kind: 'primary-key',
    name: 'children_pkey',
    restoreSql: [
      "CREATE UNIQUE INDEX children_pkey ON app.children USING btree (id) INCLUDE (status) WITH (fillfactor='90')",
      'ALTER TABLE "app"."children" ADD CONSTRAINT "children_pkey" PRIMARY KEY USING INDEX "children_pkey"',
    ],
  },
  {
    table: CHILDREN,
    kind: 'unique',
    name: 'children_position_key',
    restoreSql: [
      'CREATE UNIQUE INDEX children_position_key ON app.children USING btree (parent_id, "position")',
      'ALTER TABLE "app"."children" ADD CONSTRAINT "children_position_key" UNIQUE USING INDEX "children_position_key" DEFERRABLE INITIALLY DEFERRED',
    ],
  },
  {
    table: PARENTS,
    kind: 'unique',
    name: 'parents_code_key',
    restoreSql: [
      'CREATE UNIQUE INDEX parents_code_key ON app.parents USING btree (code)',
      'ALTER TABLE "app"."parents" ADD CONSTRAINT "parents_code_key" UNIQUE USING INDEX "parents_code_key"',
    ],
    comment: "codes are unique; it's what people type",
  },
  {
    table: PARENTS,
    kind: 'index',
    name: 'parents_lower_name',
    restoreSql: ['CREATE INDEX parents_lower_name ON app.parents USING btree (lower(name))'],
  },
  {
    table: PARENTS,
    kind: 'primary-key',
    name: 'parents_pkey',
    restoreSql: [
      'CREATE UNIQUE INDEX parents_pkey ON app.parents USING btree (id)',
      'ALTER TABLE "app"."parents" ADD CONSTRAINT "parents_pkey" PRIMARY KEY USING INDEX "parents_pkey"',
    ],
  },
  foreignKey(
    CHILDREN,
    'children_category_fkey',
    'FOREIGN KEY (category_id) REFERENCES other.categories(id)',
    {
      schema: 'other',
      name: 'categories',
    },
  ),
  foreignKey(
    CHILDREN,
    'children_parent_id_fkey',
    'FOREIGN KEY (parent_id) REFERENCES app.parents(id) ON DELETE CASCADE',
    PARENTS,
  ),
  foreignKey(
    PARENTS,
    'parents_manager_id_fkey',
    'FOREIGN KEY (manager_id) REFERENCES app.parents(id)',
    PARENTS,
  ),
  foreignKey(
    { schema: 'other', name: 'audit' },
    'audit_parent_code_fkey',
    'FOREIGN KEY (parent_code) REFERENCES app.parents(code)',
    PARENTS,
  ),
  foreignKey(
    { schema: 'other', name: 'audit' },
    'audit_parent_id_fkey',
    'FOREIGN KEY (parent_id) REFERENCES app.parents(id)',
    PARENTS,
  ),
];

function foreignKey(
  table: { schema: string; name: string },
  name: string,
  definition: string,
  references: { schema: string; name: string },
) {
  const alter = `ALTER TABLE "${table.schema}"."${table.name}"`;
  return {
    table,
    kind: 'foreign-key',
    name,
    references,
    restoreSql: [
      `${alter} ADD CONSTRAINT "${name}" ${definition} NOT VALID`,
      `${alter} VALIDATE CONSTRAINT "${name}"`,
    ],
  };
}

function withoutIdentity(objects: readonly DeferredObject[]) {
  return objects.map(
    ({ id: _id, runId: _runId, recordedAt: _at, stepsDone: _steps, restoreOrder: _o, ...rest }) => rest,
  );
}

async function targetDatabase(label: string): Promise<{ database: StateDatabase; original: CatalogEntry[] }> {
  const database = await createDatabase(label);
  await database.query(SCHEMA);
  return { database, original: await database.query<CatalogEntry & Record<string, unknown>>(CATALOG_SQL) };
}

function catalog(database: StateDatabase): Promise<CatalogEntry[]> {
  return database.query<CatalogEntry & Record<string, unknown>>(CATALOG_SQL);
}

async function rejection(work: Promise<unknown>): Promise<FerryError> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (error === undefined) throw new Error('expected a rejection');
  return error as FerryError;
}

describe('deferConstraints', () => {
  it('records every index and key of the loaded tables and every key into them, then drops them', async () => {
    const { database } = await targetDatabase('bulk_defer');
    const client = await database.connect();

    const dropped = await deferConstraints(client, { runId: RUN_ID, tables: LOADED });

    expect(withoutIdentity(dropped)).toEqual(RECORDED);
    expect(dropped.every((object) => object.runId === RUN_ID && object.stepsDone === 0)).toBe(true);
    expect(dropped.map((object) => object.restoreOrder)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
    expect(await catalog(database)).toEqual(KEPT);
    expect(await pendingRestore(client)).toEqual(dropped);
  });

  it('drops and records nothing twice: a second call finds everything recorded and gone', async () => {
    const { database } = await targetDatabase('bulk_defer_twice');
    const client = await database.connect();
    await deferConstraints(client, { runId: RUN_ID, tables: LOADED });
    const records = await pendingRestore(client);

    expect(
      await deferConstraints(client, { runId: '6f1c2a57-8a43-4c55-9a0e-3c4b1d2e0002', tables: LOADED }),
    ).toEqual([]);

    expect(await pendingRestore(client)).toEqual(records);
    expect(await catalog(database)).toEqual(KEPT);
  });

  it('drops nothing and records nothing when a table does not exist', async () => {
    const { database, original } = await targetDatabase('bulk_defer_unknown');
    const client = await database.connect();

    const error = await rejection(
      deferConstraints(client, { runId: RUN_ID, tables: [PARENTS, { schema: 'app', name: 'Orders' }] }),
    );

    expect(error.code).toBe('catalog.unknown-table');
    expect(error.message).toBe('target table app.Orders does not exist');
    expect(await catalog(database)).toEqual(original);
    expect(await pendingRestore(client)).toEqual([]);
  });

  it('leaves the indexes of a partitioned table, and drops and restores its foreign keys', async () => {
    const { database } = await targetDatabase('bulk_partitioned');
    await database.query(`
      create table app.events (id int not null, parent_id int references app.parents (id), at date not null,
                               primary key (id, at)) partition by range (at);
      create table app.events_2024 partition of app.events for values from ('2024-01-01') to ('2025-01-01');`);
    const original = await catalog(database);
    const client = await database.connect();

    const dropped = await deferConstraints(client, {
      runId: RUN_ID,
      tables: [{ schema: 'app', name: 'events' }],
    });

    expect(withoutIdentity(dropped)).toEqual([
      {
        table: { schema: 'app', name: 'events' },
        kind: 'foreign-key',
        name: 'events_parent_id_fkey',
        references: PARENTS,
        restoreSql: [
          'ALTER TABLE "app"."events" ADD CONSTRAINT "events_parent_id_fkey" FOREIGN KEY (parent_id) REFERENCES app.parents(id)',
        ],
      },
    ]);
    const left = await catalog(database);
    expect(left.filter((entry) => entry.type === 'f' && entry.table.startsWith('app.events'))).toEqual([]);
    expect(left.filter((entry) => entry.type === 'p').map((entry) => [entry.table, entry.name])).toEqual([
      ['app.children', 'children_pkey'],
      ['app.events', 'events_pkey'],
      ['app.events_2024', 'events_2024_pkey'],
      ['app.parents', 'parents_pkey'],
      ['other.audit', 'audit_pkey'],
      ['other.categories', 'categories_pkey'],
    ]);

    await restoreConstraints(() => database.connect(), { parallelism: 2 });

    expect(await catalog(database)).toEqual(original);
  });
});

describe('restoreConstraints', () => {
  it('rebuilds exactly the catalog it started from, after a load, over new connections', async () => {
    const { database, original } = await targetDatabase('bulk_restore');
    const deferring = await database.connect();
    await deferConstraints(deferring, { runId: RUN_ID, tables: LOADED });
    // As if the process that dropped them had crashed: the restore knows only what is recorded.
    await deferring.end();
    await database.query(ROWS);
    const seen: string[] = [];

    const { restored } = await restoreConstraints(() => database.connect(), {
      parallelism: 4,
      onRestored: (object) => seen.push(object.name),
    });

    expect(await catalog(database)).toEqual(original);
    expect(restored.map((object) => object.name)).toEqual(seen);
    expect([...seen].sort()).toEqual(RECORDED.map((object) => object.name).sort());
    // Indexes and the constraints they back all come before the first foreign key.
    expect(seen.slice(0, 8).sort()).toEqual(
      RECORDED.filter((object) => object.kind !== 'foreign-key')
        .map((object) => object.name)
        .sort(),
    );
    expect(await database.withClient(pendingRestore)).toEqual([]);
    expect(await restoreConstraints(() => database.connect(), { parallelism: 4 })).toEqual({ restored: [] });
  });

  it('resumes a restore that stopped between the steps of an object, even after another defer', async () => {
    const { database, original } = await targetDatabase('bulk_resume');
    const client = await database.connect();
    await deferConstraints(client, { runId: RUN_ID, tables: LOADED });
    await database.query(ROWS);
    // What a crash leaves after the first step of a primary key and of a foreign key had committed.
    const halfDone = (await pendingRestore(client)).filter(
      (object) => object.name === 'parents_pkey' || object.name === 'children_parent_id_fkey',
    );
    for (const object of halfDone) {
      await database.query(`set search_path = ''; ${object.restoreSql[0]};
        update _ferry.deferred_ddl set steps_done = 1 where id = ${object.id}`);
    }

    // A new `apply --bulk` that defers before restoring leaves the half-built objects to the restore.
    expect(await deferConstraints(client, { runId: RUN_ID, tables: LOADED })).toEqual([]);
    expect(
      (await pendingRestore(client)).filter((object) => object.stepsDone === 1).map((o) => o.name),
    ).toEqual(['parents_pkey', 'children_parent_id_fkey']);

    const { restored } = await restoreConstraints(() => database.connect(), { parallelism: 3 });

    expect(restored).toHaveLength(RECORDED.length);
    expect(await catalog(database)).toEqual(original);
  });

  it('leaves a rebuild the rows refuse recorded, restores the rest, and finishes once the rows are fixed', async () => {
    const { database, original } = await targetDatabase('bulk_refused');
    const client = await database.connect();
    await deferConstraints(client, { runId: RUN_ID, tables: LOADED });
    await database.query(`${ROWS}
      insert into app.parents values (4, 'A', 'Al', null);
      insert into app.children values (13, 3, 1, 7, null, 'new', null);`);

    const error = await rejection(restoreConstraints(() => database.connect(), { parallelism: 4 }));

    expect(error.code).toBe('apply.bulk-restore-failed');
    expect(error.diagnostics).toEqual([
      {
        severity: 'error',
        code: 'apply.bulk-restore-failed',
        message:
          'could not restore the unique constraint "parents_code_key" of app.parents: Key (code)=(A) is duplicated.',
        hint: 'fix or delete the offending rows, then run `ferry apply` again: it restores this and everything else still recorded in _ferry.deferred_ddl; 1 foreign key(s) into app.parents wait for it too',
      },
      {
        severity: 'error',
        code: 'apply.bulk-restore-failed',
        message:
          'could not restore the foreign key "children_category_fkey" of app.children (to other.categories): Key (category_id)=(7) is not present in table "categories".',
        hint: 'fix or delete the offending rows, then run `ferry apply` again: it restores this and everything else still recorded in _ferry.deferred_ddl; it is in place as NOT VALID meanwhile, so new rows are checked',
      },
    ]);
    expect((await pendingRestore(client)).map((object) => [object.name, object.stepsDone])).toEqual([
      ['parents_code_key', 0],
      ['children_category_fkey', 1],
      ['audit_parent_code_fkey', 0],
    ]);
    const missing = new Set(['parents_code_key', 'audit_parent_code_fkey']);
    expect(await catalog(database)).toEqual(
      original
        .filter((entry) => !missing.has(entry.name))
        .map((entry) =>
          entry.name === 'children_category_fkey'
            ? { ...entry, definition: `${entry.definition} NOT VALID`, valid: false }
            : entry,
        ),
    );

    await database.query('delete from app.parents where id = 4; delete from app.children where id = 13');
    const { restored } = await restoreConstraints(() => database.connect(), { parallelism: 4 });

    expect(restored.map((object) => object.name).sort()).toEqual([
      'audit_parent_code_fkey',
      'children_category_fkey',
      'parents_code_key',
    ]);
    expect(await catalog(database)).toEqual(original);
    expect(await pendingRestore(client)).toEqual([]);
  });
  it("stops at an error that is not the rows' fault and throws it as it is, keeping the records", async () => {
    const { database } = await targetDatabase('bulk_broken');
    const client = await database.connect();
    await deferConstraints(client, { runId: RUN_ID, tables: LOADED });
    // Someone dropped the function an expression index calls: no fix in the rows can help.
    await database.query(`update _ferry.deferred_ddl
      set restore_sql = array['CREATE INDEX parents_lower_name ON app.parents USING btree (app.gone(name))']
      where object_name = 'parents_lower_name'`);

    const error = await rejection(restoreConstraints(() => database.connect(), { parallelism: 1 }));

    expect(error).toMatchObject({ code: '42883', message: 'function app.gone(text) does not exist' });
    const pending = (await pendingRestore(client)).map((object) => object.name);
    expect(pending).toContain('parents_lower_name');
    // The foreign keys come after every index: none was tried.
    expect(pending.filter((name) => name.endsWith('_fkey'))).toHaveLength(5);
  });
});

describe('assertEmptyTargets', () => {
  it('refuses tables that hold rows, naming exactly those', async () => {
    const { database } = await targetDatabase('bulk_empty');
    const client = await database.connect();
    await expect(assertEmptyTargets(client, [...LOADED, { schema: 'other', name: 'audit' }])).resolves.toBe(
      undefined,
    );
    await database.query(`insert into app.parents values (1, 'A', 'Ann', null);
      insert into other.audit values (100, 1, 'A')`);

    const error = await rejection(
      assertEmptyTargets(client, [PARENTS, CHILDREN, { schema: 'other', name: 'audit' }]),
    );

    expect(error.code).toBe('apply.bulk-not-empty');
    expect(error.diagnostics).toEqual([
      {
        severity: 'error',
        code: 'apply.bulk-not-empty',
        message: '--bulk loads only into empty tables, and these hold rows: app.parents, other.audit',
        hint: 'run `ferry apply` without --bulk to load beside the existing rows, or empty the tables first (TRUNCATE) if their rows may go',
      },
    ]);
    await expect(assertEmptyTargets(client, [CHILDREN])).resolves.toBe(undefined);
  });
});
