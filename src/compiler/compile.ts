// The compiler: specs (and, once introspected, the target's foreign keys) → a Plan whose layers put
// every parent before the migrations that reference it. Cycles through nullable references are broken
// with fix-up steps; any other cycle is an error that names its members in order.

import { DirectedGraph } from 'graphology';
import { topologicalGenerations } from 'graphology-dag';
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
 * const { plan } = compilePlan(specs);
 * console.log(plan?.layers); // [['brackets', 'tags'], ['case_files'], ['case_file_tags', 'orders']]
 */
export function compilePlan(specs: SpecSet, extraEdges: readonly DependencyEdge[] = []): CompileResult {
  const diagnostics: Diagnostic[] = [];
  const byName = new Map(specs.migrations.map((m) => [m.name, m]));
  const fixups = new Map<string, Set<string>>(specs.migrations.map((m) => [m.name, selfReferences(m)]));

  const edges = [...specEdges(specs.migrations, diagnostics), ...extraEdges].filter(
    (e) => byName.has(e.parent) && byName.has(e.child) && e.parent !== e.child,
  );
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
  if (diagnostics.length > 0) return { diagnostics };

  const graph = dependencyGraph(specs.migrations, active);
  const layers = topologicalGenerations(graph).map((layer) => [...layer].sort());
  const order = new Map(layers.flat().map((name, i) => [name, i]));
  const migrations = [...specs.migrations]
    .sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0))
    .map((m) => migrationNode(m, fixups.get(m.name) ?? new Set()));
  return {
    plan: { formatVersion: PLAN_FORMAT_VERSION, migrations, edges: sortEdges(active), layers },
    diagnostics,
  };
}

function selfReferences(migration: MigrationSpec): Set<string> {
  const columns = [...migration.columns].filter(([, c]) => c.ref === migration.name).map(([name]) => name);
  return new Set(columns);
}

function specEdges(migrations: readonly MigrationSpec[], diagnostics: Diagnostic[]): DependencyEdge[] {
  const edges: DependencyEdge[] = [];
  for (const migration of migrations) {
    const refColumns = new Map<string, string[]>();
    for (const [column, spec] of migration.columns) {
      if (spec.ref === undefined || spec.ref === migration.name) continue;
      refColumns.set(spec.ref, [...(refColumns.get(spec.ref) ?? []), column]);
    }
    for (const [parent, columns] of refColumns) {
      // Nullability is known once the target is introspected; until then a ref is not breakable.
      edges.push({ parent, child: migration.name, kind: 'ref', columns, nullable: false });
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
    })),
    ...(spec.where === undefined ? {} : { where: spec.where }),
    onError: spec.onError,
    onOrphan: spec.onOrphan,
    ...(spec.class === undefined ? {} : { class: spec.class }),
    batch: spec.batch,
    fixups: [...fixups].sort(),
    specHash: spec.hash,
    location: spec.location,
  };
}

function sortEdges(edges: readonly DependencyEdge[]): DependencyEdge[] {
  return [...edges].sort(
    (a, b) => compareText(a.child, b.child) || compareText(a.parent, b.parent) || compareText(a.kind, b.kind),
  );
}
