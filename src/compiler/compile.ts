// The compiler: specs (and, once introspected, the target's foreign keys) → a Plan whose layers put
// every parent before the migrations that reference it. Cycles through nullable references are broken
// with fix-up steps; any other cycle is an error that names its members in order.

import { DirectedGraph } from 'graphology';
import { topologicalGenerations } from 'graphology-dag';
import type { Catalog, CatalogTable } from '../catalog/types.js';
import { type Diagnostic, errorDiagnostic } from '../errors.js';
import type { MigrationSpec, SpecSet } from '../spec/types.js';
import { compareText } from '../util/compare.js';
import { cycleThrough, cyclicComponents } from './cycles.js';
import { type DependencyEdge, type MigrationNode, PLAN_FORMAT_VERSION, type Plan } from './plan.js';

export interface CompileResult {
  /** Present only when there are no errors. */
  readonly plan?: Plan;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Compiles loaded specs into a Plan.
 *
 * @example
 * const { specs } = await loadSpecs('specs');
 * const { plan } = compilePlan(specs, { target: targetCatalog });
 * console.log(plan?.layers); // [['brackets', 'tags'], ['case_files'], ['case_file_tags', 'orders']]
 */
export interface CompileOptions {
  /**
   * The introspected target. With it, the target's foreign keys between migrated tables become edges,
   * and references know whether their columns are nullable (only those can be fixed up later).
   */
  readonly target?: Catalog;
}

export function compilePlan(specs: SpecSet, options: CompileOptions = {}): CompileResult {
  const diagnostics: Diagnostic[] = [];
  const byName = new Map(specs.migrations.map((m) => [m.name, m]));
  const targetTables = new Map(
    specs.migrations.map((m) => [
      m.name,
      options.target?.tables.find((t) => t.schema === m.to.schema && t.name === m.to.name),
    ]),
  );
  const nullable = (migration: string, columns: readonly string[]): boolean | undefined => {
    const table = targetTables.get(migration);
    if (!table) return undefined;
    return columns.every((name) => table.columns.find((c) => c.name === name)?.nullable === true);
  };

  const allEdges = [
    ...specEdges(specs.migrations, nullable, diagnostics),
    ...(options.target ? foreignKeyEdges(specs.migrations, targetTables) : []),
  ].filter((e) => byName.has(e.parent) && byName.has(e.child));
  const fixups = new Map<string, Set<string>>(specs.migrations.map((m) => [m.name, new Set()]));
  for (const edge of allEdges.filter((e) => e.parent === e.child)) {
    if (edge.nullable || nullable(edge.child, edge.columns) === undefined) {
      for (const column of edge.columns) fixups.get(edge.child)?.add(column);
    } else {
      diagnostics.push(notNullSelfReference(byName.get(edge.child) as MigrationSpec, edge.columns));
    }
  }
  const edges = allEdges.filter((e) => e.parent !== e.child);
  let active = edges;
  for (;;) {
    const graph = dependencyGraph(specs.migrations, active);
    const components = cyclicComponents(graph);
    if (components.length === 0) break;
    const broken = breakCycles(components, active, fixups);
    if (broken.length === 0) {
      for (const component of components) diagnostics.push(cycleDiagnostic(graph, component, byName));
      break;
    }
    active = active.filter((e) => !broken.includes(e));
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };

  const graph = dependencyGraph(specs.migrations, active);
  const layers = topologicalGenerations(graph).map((layer) => [...layer].sort());
  const order = new Map(layers.flat().map((name, i) => [name, i]));
  const migrations = [...specs.migrations]
    .sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0))
    .map((m) => migrationNode(m, fixups.get(m.name) ?? new Set()));
  return {
    plan: {
      formatVersion: PLAN_FORMAT_VERSION,
      migrations,
      edges: sortEdges(active),
      layers,
      decisions: [],
      warnings: [],
    },
    diagnostics,
  };
}

function specEdges(
  migrations: readonly MigrationSpec[],
  nullable: (migration: string, columns: readonly string[]) => boolean | undefined,
  diagnostics: Diagnostic[],
): DependencyEdge[] {
  const edges: DependencyEdge[] = [];
  for (const migration of migrations) {
    const refColumns = new Map<string, string[]>();
    for (const [column, spec] of migration.columns) {
      if (spec.ref === undefined) continue;
      refColumns.set(spec.ref, [...(refColumns.get(spec.ref) ?? []), column]);
    }
    for (const [parent, columns] of refColumns) {
      // Without the target's catalog nullability is unknown, and an unknown reference is not breakable.
      const edgeNullable = nullable(migration.name, columns) ?? false;
      edges.push({ parent, child: migration.name, kind: 'ref', columns, nullable: edgeNullable });
    }
    for (const parent of migration.dependsOn) {
      if (parent === migration.name) {
        diagnostics.push(
          errorDiagnostic('graph.cycle', `migration \`${migration.name}\` depends on itself`, {
            hint: 'remove it from its own `dependsOn`',
            location: migration.location,
          }),
        );
        continue;
      }
      edges.push({ parent, child: migration.name, kind: 'dependsOn', columns: [], nullable: false });
    }
  }
  return edges;
}

/** Foreign keys of each migration's target table that reference another migrated table (or itself). */
function foreignKeyEdges(
  migrations: readonly MigrationSpec[],
  targetTables: ReadonlyMap<string, CatalogTable | undefined>,
): DependencyEdge[] {
  const migrationByTable = new Map(migrations.map((m) => [`${m.to.schema}\u0000${m.to.name}`, m.name]));
  return migrations.flatMap((migration) => {
    const table = targetTables.get(migration.name);
    return (table?.foreignKeys ?? []).flatMap((foreignKey) => {
      const parent = migrationByTable.get(
        `${foreignKey.referencedSchema}\u0000${foreignKey.referencedTable}`,
      );
      if (parent === undefined) return [];
      const nullable = foreignKey.columns.every(
        (name) => table?.columns.find((c) => c.name === name)?.nullable,
      );
      return [
        { parent, child: migration.name, kind: 'foreignKey' as const, columns: foreignKey.columns, nullable },
      ];
    });
  });
}

function notNullSelfReference(migration: MigrationSpec, columns: readonly string[]): Diagnostic {
  return {
    severity: 'warning',
    code: 'graph.self-reference',
    message: `${columns.join(', ')} of \`${migration.name}\` reference the same table but are NOT NULL, so they cannot be filled in after the load`,
    hint: 'rows load in key order: a row whose parent has a higher key fails; make the column nullable (or its constraint DEFERRABLE) to load it in a fix-up step',
    location: migration.location,
  };
}

function dependencyGraph(
  migrations: readonly MigrationSpec[],
  edges: readonly DependencyEdge[],
): DirectedGraph {
  const graph = new DirectedGraph();
  for (const m of migrations) graph.mergeNode(m.name);
  for (const e of edges) graph.mergeEdge(e.parent, e.child);
  return graph;
}

/** Breaks each cycle at one nullable reference (the child loads it as NULL and fixes it up after). */
function breakCycles(
  components: readonly string[][],
  edges: readonly DependencyEdge[],
  fixups: Map<string, Set<string>>,
): DependencyEdge[] {
  const broken: DependencyEdge[] = [];
  for (const component of components) {
    const members = new Set(component);
    const candidate = edges
      .filter((e) => e.nullable && e.kind !== 'dependsOn' && members.has(e.parent) && members.has(e.child))
      .sort((a, b) => compareText(a.child, b.child) || compareText(a.parent, b.parent))[0];
    if (!candidate) continue;
    broken.push(candidate);
    for (const column of candidate.columns) fixups.get(candidate.child)?.add(column);
  }
  return broken;
}

function cycleDiagnostic(
  graph: DirectedGraph,
  component: readonly string[],
  byName: ReadonlyMap<string, MigrationSpec>,
): Diagnostic {
  const cycle = cycleThrough(graph, component);
  return errorDiagnostic('graph.cycle', `dependency cycle: ${cycle.join(' → ')}`, {
    hint: 'remove one `dependsOn` or `ref` of the cycle; a reference through a nullable target column is loaded as NULL and fixed up after the table is loaded',
    location: byName.get(cycle[0] as string)?.location,
  });
}

function migrationNode(spec: MigrationSpec, fixups: ReadonlySet<string>): MigrationNode {
  return {
    name: spec.name,
    from: spec.from,
    to: spec.to,
    keys: spec.keys,
    columns: [...spec.columns].map(([target, c]) => ({
      target,
      ...(c.from === undefined ? {} : { from: c.from }),
      ...(c.expr === undefined ? {} : { expr: c.expr }),
      ...(c.ref === undefined ? {} : { ref: c.ref }),
      ...(c.omit ? { omit: true as const } : {}),
      origin: { kind: 'declared' as const },
      location: c.location,
    })),
    ...(spec.where === undefined ? {} : { where: spec.where }),
    onError: spec.onError,
    onOrphan: spec.onOrphan,
    ...(spec.class === undefined ? {} : { class: spec.class }),
    batch: spec.batch,
    ...(spec.incremental === undefined ? {} : { incremental: spec.incremental }),
    fixups: [...fixups].sort(),
    specHash: spec.hash,
    location: spec.location,
    locations: spec.locations,
  };
}

function sortEdges(edges: readonly DependencyEdge[]): DependencyEdge[] {
  return [...edges].sort(
    (a, b) => compareText(a.child, b.child) || compareText(a.parent, b.parent) || compareText(a.kind, b.kind),
  );
}
