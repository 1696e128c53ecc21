// The reference workload's specs and every example, checked against the schemas their SQL files build
// on the real test server: the compiled graph, and every table, column, `expr` and `where` they name.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlan } from '../src/compiler/load-plan.js';
import type { MigrationNode, Plan } from '../src/compiler/plan.js';
import { embedExpression } from '../src/spec/expression.js';
import { formatQualifiedName } from '../src/spec/qualified-name.js';
import type { QualifiedName } from '../src/spec/types.js';
import type { TestDatabase } from './support/database.js';
import {
  HR_FILES,
  ROOT,
  referenceFiles,
  SHOP_FILES,
  type WorkloadFiles,
  workloadDatabases,
} from './support/workload.js';

interface Workload extends WorkloadFiles {
  readonly name: string;
  readonly layers: readonly (readonly string[])[];
  /** `parent → child (kind)` for every edge of the plan. */
  readonly edges: readonly string[];
  /** Migrations with fix-up columns; every other migration must have none. */
  readonly fixups: Readonly<Record<string, readonly string[]>>;
  readonly generatedKeys: readonly string[];
  /** Target columns the specs leave to the mapping agent, per migration; unlisted migrations leave none. */
  readonly undeclared: Readonly<Record<string, readonly string[]>>;
}

const WORKLOADS: readonly Workload[] = [
  {
    name: 'reference workload',
    ...referenceFiles('0.001'),
    layers: [['brackets', 'tags'], ['case_files'], ['case_file_tags', 'orders']],
    edges: [
      'case_files → case_file_tags (ref)',
      'tags → case_file_tags (ref)',
      'brackets → case_files (ref)',
      'case_files → orders (ref)',
    ],
    fixups: {},
    generatedKeys: [],
    undeclared: {
      brackets: ['created_at', 'id', 'max_weight', 'min_weight'],
      tags: ['id', 'label'],
      case_files: ['case_number', 'id', 'notes', 'opened_on', 'status'],
      orders: ['currency', 'id', 'placed_at'],
    },
  },
  {
    name: 'examples/hr',
    ...HR_FILES,
    layers: [['departments', 'jobs'], ['employees'], ['job_history']],
    edges: [
      'departments → employees (ref)',
      'jobs → employees (ref)',
      'departments → job_history (ref)',
      'employees → job_history (ref)',
      'jobs → job_history (ref)',
    ],
    fixups: { employees: ['manager_id'] },
    generatedKeys: [],
    undeclared: {},
  },
  {
    name: 'examples/shop',
    ...SHOP_FILES,
    layers: [
      ['categories', 'customers'],
      ['orders', 'products'],
      ['order_lines', 'payments'],
    ],
    edges: [
      'orders → order_lines (ref)',
      'products → order_lines (ref)',
      'customers → orders (ref)',
      'orders → payments (dependsOn)',
      'categories → products (ref)',
    ],
    fixups: {},
    generatedKeys: ['customers', 'orders'],
    undeclared: {},
  },
];

interface ColumnInfo {
  readonly notNull: boolean;
  /** An identity column or one with a default: the target can fill it in by itself. */
  readonly generated: boolean;
}

interface ForeignKey {
  readonly columns: readonly string[];
  readonly parent: QualifiedName;
}

interface TableInfo {
  /** pg_class.relkind: r, p (tables), v, m (views), f (foreign tables). */
  readonly kind: string;
  readonly columns: Map<string, ColumnInfo>;
  primaryKey: readonly string[];
  readonly foreignKeys: ForeignKey[];
}

type Catalog = ReadonlyMap<string, TableInfo>;

function tableKey(name: QualifiedName): string {
  return JSON.stringify([name.schema, name.name]);
}

function quoteIdentifier(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

function quoteTable(name: QualifiedName): string {
  return `${quoteIdentifier(name.schema)}.${quoteIdentifier(name.name)}`;
}

async function readCatalog(db: TestDatabase): Promise<Catalog> {
  const columns = await db.query<{
    schema: string;
    table: string;
    kind: string;
    column: string;
    not_null: boolean;
    generated: boolean;
  }>(
    `SELECT n.nspname AS schema, c.relname AS table, c.relkind::text AS kind, a.attname AS column,
            a.attnotnull AS not_null, (a.attidentity <> '' OR a.atthasdef) AS generated
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      ORDER BY n.nspname, c.relname, a.attnum`,
  );
  const catalog = new Map<string, TableInfo>();
  for (const row of columns) {
    const key = tableKey({ schema: row.schema, name: row.table });
    let table = catalog.get(key);
    if (!table) {
      table = { kind: row.kind, columns: new Map(), primaryKey: [], foreignKeys: [] };
      catalog.set(key, table);
    }
    table.columns.set(row.column, { notNull: row.not_null, generated: row.generated });
  }
  const constraints = await db.query<{
    schema: string;
    table: string;
    type: 'p' | 'f';
    columns: string[];
    parent_schema: string | null;
    parent_table: string | null;
  }>(
    `SELECT n.nspname AS schema, c.relname AS table, con.contype::text AS type,
            array(SELECT a.attname::text
                    FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, position)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                   ORDER BY k.position) AS columns,
            pn.nspname AS parent_schema, pc.relname AS parent_table
       FROM pg_constraint con
       JOIN pg_class c ON c.oid = con.conrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_class pc ON pc.oid = con.confrelid
       LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
      WHERE con.contype IN ('p', 'f')`,
  );
  for (const row of constraints) {
    const table = catalog.get(tableKey({ schema: row.schema, name: row.table }));
    if (!table) continue;
    if (row.type === 'p') table.primaryKey = row.columns;
    else if (row.parent_schema !== null && row.parent_table !== null) {
      table.foreignKeys.push({
        columns: row.columns,
        parent: { schema: row.parent_schema, name: row.parent_table },
      });
    }
  }
  return catalog;
}

const TABLE_KINDS = ['r', 'p'];
const READABLE_KINDS = ['r', 'p', 'v', 'm', 'f'];

/** The source column a column spec reads: its `from`, or for a bare `ref` the column of the same name. */
function sourceColumnOf(column: MigrationNode['columns'][number]): string | undefined {
  if (column.from !== undefined) return column.from;
  if (column.ref !== undefined && column.expr === undefined) return column.target;
  return undefined;
}

function sourceProblems(migration: MigrationNode, source: Catalog): string[] {
  const from = formatQualifiedName(migration.from);
  const table = source.get(tableKey(migration.from));
  if (!table || !READABLE_KINDS.includes(table.kind)) {
    return [`${migration.name}: source table ${from} does not exist`];
  }
  const problems: string[] = [];
  for (const column of migration.columns) {
    const read = sourceColumnOf(column);
    if (read !== undefined && !table.columns.has(read)) {
      problems.push(`${migration.name}.${column.target}: source column ${from}.${read} does not exist`);
    }
  }
  return problems;
}

function targetProblems(migration: MigrationNode, target: Catalog): string[] {
  const to = formatQualifiedName(migration.to);
  const table = target.get(tableKey(migration.to));
  if (!table || !TABLE_KINDS.includes(table.kind)) {
    return [`${migration.name}: target table ${to} does not exist`];
  }
  return migration.columns
    .filter((column) => !table.columns.has(column.target))
    .map(
      (column) => `${migration.name}.${column.target}: target column ${to}.${column.target} does not exist`,
    );
}

/** Runs each `expr` and the `where` on the source table, as the generated SELECT would embed them. */
async function sqlProblems(
  migration: MigrationNode,
  source: TestDatabase,
): Promise<{ problems: string[]; checked: number }> {
  const from = quoteTable(migration.from);
  const statements: { label: string; sql: string }[] = migration.columns.flatMap((column) =>
    column.expr === undefined
      ? []
      : [
          {
            label: `${migration.name}.${column.target}: expr`,
            sql: `SELECT ${embedExpression(column.expr)} FROM ${from} LIMIT 0`,
          },
        ],
  );
  if (migration.where !== undefined) {
    statements.push({
      label: `${migration.name}: where`,
      sql: `SELECT 1 FROM ${from} WHERE ${embedExpression(migration.where)} LIMIT 0`,
    });
  }
  const problems: string[] = [];
  for (const { label, sql } of statements) {
    try {
      await source.query(sql);
    } catch (error) {
      problems.push(`${label} fails on ${formatQualifiedName(migration.from)}: ${(error as Error).message}`);
    }
  }
  return { problems, checked: statements.length };
}

/** A `ref` column must be a foreign key to the referenced migration's target table. */
function refProblems(migration: MigrationNode, plan: Plan, target: Catalog): string[] {
  const table = target.get(tableKey(migration.to));
  const byName = new Map(plan.migrations.map((m) => [m.name, m]));
  const problems: string[] = [];
  for (const column of migration.columns) {
    if (column.ref === undefined) continue;
    const parent = byName.get(column.ref);
    const covered = table?.foreignKeys.some(
      (fk) =>
        fk.columns.length === 1 &&
        fk.columns[0] === column.target &&
        parent !== undefined &&
        tableKey(fk.parent) === tableKey(parent.to),
    );
    if (!covered) {
      const child = `${formatQualifiedName(migration.to)}.${column.target}`;
      const referenced = parent ? formatQualifiedName(parent.to) : `the unknown migration ${column.ref}`;
      problems.push(
        `${migration.name}.${column.target}: ref ${column.ref} but no foreign key from ${child} to ${referenced}`,
      );
    }
  }
  for (const fixup of migration.fixups) {
    if (table?.columns.get(fixup)?.notNull !== false) {
      problems.push(
        `${migration.name}.${fixup}: fixed up after loading, so it must be nullable in the target`,
      );
    }
  }
  return problems;
}

function generatedKeyProblems(migration: MigrationNode, target: Catalog): string[] {
  const table = target.get(tableKey(migration.to));
  if (!table || table.primaryKey.length === 0) {
    return [`${migration.name}: keys: generate needs a primary key on ${formatQualifiedName(migration.to)}`];
  }
  const declared = new Set(migration.columns.filter((c) => !c.omit).map((c) => c.target));
  return table.primaryKey.flatMap((column) => [
    ...(table.columns.get(column)?.generated
      ? []
      : [`${migration.name}.${column}: keys: generate, but the target does not generate it`]),
    ...(declared.has(column) ? [`${migration.name}.${column}: keys: generate, but the spec writes it`] : []),
  ]);
}

function undeclaredColumns(migration: MigrationNode, target: Catalog): string[] {
  const table = target.get(tableKey(migration.to));
  if (!table) return [];
  const declared = new Set(migration.columns.map((c) => c.target));
  const generatedKey = migration.keys === 'generate' ? new Set(table.primaryKey) : new Set<string>();
  return [...table.columns.keys()].filter((c) => !declared.has(c) && !generatedKey.has(c)).sort();
}

function describeEdges(plan: Plan): string[] {
  return plan.edges.map((e) => `${e.parent} → ${e.child} (${e.kind})`);
}

for (const workload of WORKLOADS) {
  describe(workload.name, () => {
    const databases: TestDatabase[] = [];
    let plan: Plan;
    let source: TestDatabase;
    let sourceCatalog: Catalog;
    let targetCatalog: Catalog;

    beforeAll(async () => {
      ({ plan } = await loadPlan(join(ROOT, workload.specsDir), { requireEnv: false }));
      const built = await workloadDatabases(workload.label, workload);
      source = built.source;
      databases.push(built.source, built.target);
      [sourceCatalog, targetCatalog] = await Promise.all([
        readCatalog(built.source),
        readCatalog(built.target),
      ]);
    });

    afterAll(async () => {
      for (const db of databases) await db.drop();
    });

    it('compiles to the expected layers, edges and fix-ups', () => {
      expect(plan.layers).toEqual(workload.layers);
      expect(describeEdges(plan)).toEqual(workload.edges);
      const fixups = Object.fromEntries(plan.migrations.map((m) => [m.name, m.fixups]));
      const expected = Object.fromEntries(
        plan.migrations.map((m) => [m.name, workload.fixups[m.name] ?? []]),
      );
      expect(fixups).toEqual(expected);
      const generated = plan.migrations.filter((m) => m.keys === 'generate').map((m) => m.name);
      expect(generated.sort()).toEqual([...workload.generatedKeys].sort());
    });

    it('builds a source with rows in every table a migration reads', async () => {
      for (const migration of plan.migrations) {
        const [row] = await source.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${quoteTable(migration.from)}`,
        );
        expect(row?.n, `${migration.name}: ${formatQualifiedName(migration.from)} is empty`).toBeGreaterThan(
          0,
        );
      }
    });

    it('reads only source tables and columns that exist', () => {
      expect(plan.migrations.flatMap((m) => sourceProblems(m, sourceCatalog))).toEqual([]);
    });

    it('writes only target tables and columns that exist', () => {
      expect(plan.migrations.flatMap((m) => targetProblems(m, targetCatalog))).toEqual([]);
    });

    it('has every expr and where run as SQL on its source table', async () => {
      const results = await Promise.all(plan.migrations.map((m) => sqlProblems(m, source)));
      expect(results.flatMap((r) => r.problems)).toEqual([]);
      const expressions = plan.migrations.reduce(
        (n, m) => n + m.columns.filter((c) => c.expr !== undefined).length + (m.where === undefined ? 0 : 1),
        0,
      );
      expect(expressions).toBeGreaterThan(0);
      expect(results.reduce((n, r) => n + r.checked, 0)).toBe(expressions);
    });

    it('follows a target foreign key with every ref, and fixes up only nullable columns', () => {
      expect(plan.migrations.flatMap((m) => refProblems(m, plan, targetCatalog))).toEqual([]);
    });

    it('leaves generated keys to the target', () => {
      const generating = plan.migrations.filter((m) => m.keys === 'generate');
      expect(generating.flatMap((m) => generatedKeyProblems(m, targetCatalog))).toEqual([]);
    });

    it('leaves exactly the expected target columns to the mapping agent', () => {
      const actual = Object.fromEntries(
        plan.migrations.map((m) => [m.name, undeclaredColumns(m, targetCatalog)]),
      );
      const expected = Object.fromEntries(
        plan.migrations.map((m) => [m.name, workload.undeclared[m.name] ?? []]),
      );
      expect(actual).toEqual(expected);
    });
  });
}

describe('the checks above', () => {
  const databases: TestDatabase[] = [];
  let employees: MigrationNode;
  let plan: Plan;
  let source: TestDatabase;
  let target: TestDatabase;

  beforeAll(async () => {
    ({ plan } = await loadPlan(join(ROOT, HR_FILES.specsDir), { requireEnv: false }));
    employees = plan.migrations.find((m) => m.name === 'employees') as MigrationNode;
    ({ source, target } = await workloadDatabases('checks', HR_FILES));
    databases.push(source, target);
  });

  afterAll(async () => {
    for (const db of databases) await db.drop();
  });

  it('name the migration and column of each mistake', async () => {
    const broken: MigrationNode = {
      ...employees,
      columns: [
        { target: 'id', from: 'emp_number', origin: { kind: 'declared' } },
        { target: 'salary', expr: 'sal * raise_factor', origin: { kind: 'declared' } },
        { target: 'nickname', from: 'first_nm', origin: { kind: 'declared' } },
        { target: 'job_code', from: 'job_cd', ref: 'departments', origin: { kind: 'declared' } },
      ],
      where: "emp_type = 'E' AND hire_dt",
    };
    const [sourceCatalog, targetCatalog] = await Promise.all([readCatalog(source), readCatalog(target)]);
    expect(sourceProblems(broken, sourceCatalog)).toEqual([
      'employees.id: source column legacy_hr.tbl_emp.emp_number does not exist',
    ]);
    expect(targetProblems(broken, targetCatalog)).toEqual([
      'employees.nickname: target column hr.employees.nickname does not exist',
    ]);
    expect(refProblems(broken, plan, targetCatalog)).toEqual([
      'employees.job_code: ref departments but no foreign key from hr.employees.job_code to hr.departments',
    ]);
    const { problems, checked } = await sqlProblems(broken, source);
    expect(checked).toBe(2);
    expect(problems).toEqual([
      expect.stringMatching(/^employees\.salary: expr fails on legacy_hr\.tbl_emp: .*raise_factor/),
      expect.stringMatching(/^employees: where fails on legacy_hr\.tbl_emp: .*boolean/),
    ]);
    expect(generatedKeyProblems({ ...employees, keys: 'generate' }, targetCatalog)).toEqual([
      'employees.id: keys: generate, but the target does not generate it',
      'employees.id: keys: generate, but the spec writes it',
    ]);
  });

  it('report missing tables, and quote names that need it', async () => {
    const missing: MigrationNode = {
      ...employees,
      from: { schema: 'legacy_hr', name: 'tbl_employee' },
      to: { schema: 'hr', name: 'staff' },
    };
    const [sourceCatalog, targetCatalog] = await Promise.all([readCatalog(source), readCatalog(target)]);
    expect(sourceProblems(missing, sourceCatalog)).toEqual([
      'employees: source table legacy_hr.tbl_employee does not exist',
    ]);
    expect(targetProblems(missing, targetCatalog)).toEqual([
      'employees: target table hr.staff does not exist',
    ]);

    await source.query(
      `CREATE TABLE legacy_hr."Badge ""Scans""" ("Door" text NOT NULL, "scan""ts" timestamp NOT NULL)`,
    );
    const odd: MigrationNode = {
      ...employees,
      from: { schema: 'legacy_hr', name: 'Badge "Scans"' },
      columns: [
        { target: 'door', from: 'Door', origin: { kind: 'declared' } },
        { target: 'scanned_at', expr: '"scan""ts" AT TIME ZONE \'UTC\'', origin: { kind: 'declared' } },
      ],
      where: '"Door" <> \'\'',
    };
    expect(sourceProblems(odd, await readCatalog(source))).toEqual([]);
    expect(await sqlProblems(odd, source)).toEqual({ problems: [], checked: 2 });
  });
});
