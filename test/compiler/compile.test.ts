// The compiler: layers put parents before children (junction tables after all their parents), cycles
// are named in order, self-references and nullable cycle edges become fix-ups.

import { describe, expect, it } from 'vitest';
import { compilePlan } from '../../src/compiler/compile.js';
import { loadSpecs } from '../../src/spec/load.js';
import type { SpecSet } from '../../src/spec/types.js';
import { catalog, table } from '../support/catalog-fixtures.js';
import { migrationYaml, TEST_ENV, writeSpecDir } from '../support/spec-fixtures.js';

/** `name: [parents referenced by ref]` → a loaded SpecSet. */
async function specsOf(
  shape: Record<string, string[]>,
  extra: Record<string, string> = {},
): Promise<SpecSet> {
  const files = Object.fromEntries(
    Object.entries(shape).map(([name, refs]) => {
      const columns = refs.map(
        (parent, i) => `  ${parent === name ? 'parent' : `ref_${i}`}_id: { ref: ${parent} }`,
      );
      const body = columns.length ? `columns:\n${columns.join('\n')}\n` : '';
      return [
        `${name}.yaml`,
        migrationYaml(name, `legacy.${name}`, `app.${name}`, body + (extra[name] ?? '')),
      ];
    }),
  );
  const dir = await writeSpecDir(files);
  const { specs, diagnostics } = await loadSpecs(dir, { env: TEST_ENV, cwd: dir });
  if (!specs) throw new Error(JSON.stringify(diagnostics));
  return specs;
}

describe('compilePlan', () => {
  it('layers the reference workload: catalogs, then case files, then orders and the junction table', async () => {
    const { specs } = await loadSpecs('specs', { env: TEST_ENV });
    const { plan, diagnostics } = compilePlan(specs as SpecSet);
    expect(diagnostics).toEqual([]);
    expect(plan?.layers).toEqual([['brackets', 'tags'], ['case_files'], ['case_file_tags', 'orders']]);
    expect(plan?.migrations.map((m) => m.name)).toEqual([
      'brackets',
      'tags',
      'case_files',
      'case_file_tags',
      'orders',
    ]);
    expect(plan?.edges).toEqual([
      {
        parent: 'case_files',
        child: 'case_file_tags',
        kind: 'ref',
        columns: ['case_file_id'],
        nullable: false,
      },
      { parent: 'tags', child: 'case_file_tags', kind: 'ref', columns: ['tag_id'], nullable: false },
      { parent: 'brackets', child: 'case_files', kind: 'ref', columns: ['bracket_id'], nullable: false },
      { parent: 'case_files', child: 'orders', kind: 'ref', columns: ['case_file_id'], nullable: false },
    ]);
  });

  it('puts a junction table after every parent, however deep', async () => {
    const specs = await specsOf({ a: [], b: ['a'], c: ['b'], d: [], junction: ['c', 'd'] });
    expect(compilePlan(specs).plan?.layers).toEqual([['a', 'd'], ['b'], ['c'], ['junction']]);
  });

  it('honours dependsOn as an edge of its own', async () => {
    const specs = await specsOf({ a: [], b: [] }, { b: 'dependsOn: [a]\n' });
    const { plan } = compilePlan(specs);
    expect(plan?.layers).toEqual([['a'], ['b']]);
    expect(plan?.edges).toEqual([
      { parent: 'a', child: 'b', kind: 'dependsOn', columns: [], nullable: false },
    ]);
  });

  it('turns a self-reference into a fix-up step instead of a cycle', async () => {
    const specs = await specsOf({ departments: [], employees: ['employees', 'departments'] });
    const { plan, diagnostics } = compilePlan(specs);
    expect(diagnostics).toEqual([]);
    expect(plan?.layers).toEqual([['departments'], ['employees']]);
    expect(plan?.migrations.find((m) => m.name === 'employees')?.fixups).toEqual(['parent_id']);
  });

  it('names the members of a cycle in order', async () => {
    const specs = await specsOf({ a: ['c'], b: ['a'], c: ['b'], free: [] });
    const { plan, diagnostics } = compilePlan(specs);
    expect(plan).toBeUndefined();
    expect(diagnostics.map((d) => [d.code, d.message, d.location?.file])).toEqual([
      ['graph.cycle', 'dependency cycle: a → b → c → a', 'a.yaml'],
    ]);
  });

  it('reports every independent cycle, and dependsOn on itself', async () => {
    const specs = await specsOf({ a: ['b'], b: ['a'], x: ['y'], y: ['x'], z: [] }, { z: 'dependsOn: [z]\n' });
    const { diagnostics } = compilePlan(specs);
    expect(diagnostics.map((d) => d.message)).toEqual([
      'migration `z` depends on itself',
      'dependency cycle: a → b → a',
      'dependency cycle: x → y → x',
    ]);
  });

  it('breaks a cycle at a nullable foreign key and fixes that column up afterwards', async () => {
    const specs = await specsOf({ departments: [], employees: [] });
    // departments.manager_id is nullable, employees.department_id is not.
    const target = catalog(
      table(
        'app.departments',
        { id: 'int4!', manager_id: 'int4' },
        { foreignKeys: [[['manager_id'], 'app.employees', ['id']]] },
      ),
      table(
        'app.employees',
        { id: 'int4!', department_id: 'int4!' },
        { foreignKeys: [[['department_id'], 'app.departments', ['id']]] },
      ),
    );
    const { plan, diagnostics } = compilePlan(specs, { target });
    expect(diagnostics).toEqual([]);
    expect(plan?.layers).toEqual([['departments'], ['employees']]);
    expect(plan?.migrations.find((m) => m.name === 'departments')?.fixups).toEqual(['manager_id']);
    expect(plan?.edges.map((e) => `${e.parent}->${e.child} ${e.kind}`)).toEqual([
      'departments->employees foreignKey',
    ]);
  });

  it('orders by the target foreign keys even where no spec says ref', async () => {
    const specs = await specsOf({ orders: [], customers: [] });
    const target = catalog(
      table('app.customers', { id: 'int4!' }),
      table(
        'app.orders',
        { id: 'int4!', customer_id: 'int4!' },
        { foreignKeys: [[['customer_id'], 'app.customers', ['id']]] },
      ),
      table('app.unrelated', { id: 'int4!' }),
    );
    const { plan } = compilePlan(specs, { target });
    expect(plan?.layers).toEqual([['customers'], ['orders']]);
    expect(plan?.edges).toEqual([
      { parent: 'customers', child: 'orders', kind: 'foreignKey', columns: ['customer_id'], nullable: false },
    ]);
  });

  it('fixes up a nullable self-reference, and warns about a NOT NULL one', async () => {
    const specs = await specsOf({ nodes: ['nodes'], strict_nodes: ['strict_nodes'] });
    const target = catalog(
      table(
        'app.nodes',
        { id: 'int4!', parent_id: 'int4' },
        { foreignKeys: [[['parent_id'], 'app.nodes', ['id']]] },
      ),
      table('app.strict_nodes', { id: 'int4!', parent_id: 'int4!' }),
    );
    const { plan, diagnostics } = compilePlan(specs, { target });
    expect(plan?.migrations.find((m) => m.name === 'nodes')?.fixups).toEqual(['parent_id']);
    expect(plan?.migrations.find((m) => m.name === 'strict_nodes')?.fixups).toEqual([]);
    expect(diagnostics.map((d) => [d.severity, d.code, d.message])).toEqual([
      [
        'warning',
        'graph.self-reference',
        'parent_id of `strict_nodes` reference the same table but are NOT NULL, so they cannot be filled in after the load',
      ],
    ]);
  });

  it('keeps a cycle through NOT NULL references an error, even with the catalog', async () => {
    const specs = await specsOf({ a: ['b'], b: ['a'] });
    const target = catalog(table('app.a', { ref_0_id: 'int4!' }), table('app.b', { ref_0_id: 'int4!' }));
    expect(compilePlan(specs, { target }).diagnostics.map((d) => d.message)).toEqual([
      'dependency cycle: a → b → a',
    ]);
  });

  it('is deterministic whatever the file order', async () => {
    const first = compilePlan(await specsOf({ z: [], m: ['z'], a: ['z'], b: ['a', 'm'] })).plan;
    const second = compilePlan(await specsOf({ b: ['a', 'm'], a: ['z'], m: ['z'], z: [] })).plan;
    expect(first?.layers).toEqual([['z'], ['a', 'm'], ['b']]);
    expect(second?.layers).toEqual(first?.layers);
    expect(second?.edges).toEqual(first?.edges);
  });
});
