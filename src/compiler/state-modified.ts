// What changed against the base branch's lockfile: the migrations whose spec, mapping, tables or
// dependencies differ from what the base branch pinned, those it does not know, and those it knew that
// are gone. `--select state:modified` selects from it; the pull-request report highlights it.

import type { LockedMigration, Lockfile } from '../lock/lockfile.js';
import { formatQualifiedName } from '../spec/qualified-name.js';
import type { DependencyEdge, MigrationNode, SourceTimeZone } from './plan.js';

/** The base branch's ferry.lock, and how messages name it. */
export interface BaseLock {
  readonly lock: Lockfile;
  readonly name: string;
}

/** Why a migration counts as changed; several may hold at once. */
export type ChangeKind = 'new' | 'spec' | 'mapping' | 'dependencies' | 'structure';

export interface MigrationChange {
  readonly migration: string;
  readonly kinds: readonly ChangeKind[];
  /** One short phrase per difference, for people. */
  readonly details: readonly string[];
}

export interface StateComparison {
  /** Migrations that changed themselves, in plan order. */
  readonly changed: readonly MigrationChange[];
  /** Descendants of changed migrations that did not change themselves, in plan order. */
  readonly affected: readonly string[];
  /** Migrations the base lockfile pins that are no longer planned, sorted. */
  readonly deleted: readonly string[];
  readonly baseName: string;
}

/** What is compared: a plan's migrations and edges (bare names, like rollback's unplanned ones, are skipped). */
export interface ComparableGraph {
  readonly migrations: readonly { readonly name: string }[];
  readonly edges: readonly DependencyEdge[];
  readonly sourceTimeZone?: Pick<SourceTimeZone, 'name' | 'affectedColumns'>;
}

export interface CompareOptions {
  /**
   * The committed ferry.lock, read for the mapping of migrations the plan has not resolved (a plan
   * compiled without the databases, as `ferry graph` makes). A resolved migration speaks for itself.
   */
  readonly currentLock?: Lockfile;
}

/** What one column writes, as a lock entry pins it (its origin aside). */
interface ColumnValue {
  readonly from?: string | undefined;
  readonly expr?: string | undefined;
  readonly ref?: string | undefined;
  readonly omit?: true | undefined;
}

/** The side of one migration that is compared: what a lock entry pins, as far as it is known. */
interface Pinned {
  readonly spec: string;
  readonly source: { readonly table: string; readonly fingerprint: string };
  readonly target: { readonly table: string; readonly fingerprint: string };
  readonly keys: string;
  /** Absent when nothing says how the columns resolve. */
  readonly columns?: Readonly<Record<string, ColumnValue>>;
}

/**
 * Compares the plan with the base branch's lockfile.
 *
 * @example
 * const { changed, affected } = compareWithBase(plan, await readBaseLock('base.lock', 'base.lock'));
 * console.log(changed.map((c) => `${c.migration}: ${c.details.join(', ')}`));
 */
export function compareWithBase(
  graph: ComparableGraph,
  base: BaseLock,
  options: CompareOptions = {},
): StateComparison {
  const nodes = graph.migrations.filter(isMigrationNode);
  const parents = parentsByChild(graph.edges);
  const zoneMoved = zoneChange(graph, base.lock);
  const changed: MigrationChange[] = [];
  for (const node of nodes) {
    const change = compareMigration(node, base.lock, parents.get(node.name) ?? [], options.currentLock);
    const zone = zoneMoved.get(node.name);
    if (zone && !change?.kinds.includes('new'))
      changed.push(withDetail(change ?? { migration: node.name, kinds: [], details: [] }, 'mapping', zone));
    else if (change) changed.push(change);
  }
  const changedNames = new Set(changed.map((c) => c.migration));
  const reached = descendantsOf([...changedNames], graph.edges);
  const planned = new Set(graph.migrations.map((m) => m.name));
  return {
    changed,
    affected: nodes.map((n) => n.name).filter((name) => reached.has(name) && !changedNames.has(name)),
    deleted: Object.keys(base.lock.migrations)
      .filter((name) => !planned.has(name))
      .sort(),
    baseName: base.name,
  };
}

/** Every migration `state:modified` selects: the changed ones and their descendants. */
export function modifiedNames(comparison: StateComparison): Set<string> {
  return new Set([...comparison.changed.map((c) => c.migration), ...comparison.affected]);
}

/**
 * A source time zone pinned differently from the base branch's changes the values of the columns it
 * decides: their migrations count as changed mappings.
 */
function zoneChange(graph: ComparableGraph, base: Lockfile): Map<string, string> {
  const before = base.sourceTimeZone?.name;
  const now = graph.sourceTimeZone;
  if (before === undefined || now === undefined || before === now.name) return new Map();
  return new Map(now.affectedColumns.map((c) => [c.migration, `source time zone ${before} → ${now.name}`]));
}

function withDetail(change: MigrationChange, kind: ChangeKind, detail: string): MigrationChange {
  const kinds = change.kinds.includes(kind) ? change.kinds : sortKinds([...change.kinds, kind]);
  return { ...change, kinds, details: [...change.details, detail] };
}

const KIND_ORDER: readonly ChangeKind[] = ['new', 'spec', 'mapping', 'dependencies', 'structure'];

function sortKinds(kinds: readonly ChangeKind[]): ChangeKind[] {
  return KIND_ORDER.filter((k) => kinds.includes(k));
}

function isMigrationNode(migration: { readonly name: string }): migration is MigrationNode {
  return 'specHash' in migration;
}

function compareMigration(
  node: MigrationNode,
  base: Lockfile,
  parents: readonly DependencyEdge[],
  currentLock: Lockfile | undefined,
): MigrationChange | undefined {
  const then = base.migrations[node.name];
  if (!then) return { migration: node.name, kinds: ['new'], details: ['new since the base branch'] };
  const now = pinnedNow(node, currentLock?.migrations[node.name]);
  const found = new Map<ChangeKind, string[]>();
  const note = (kind: ChangeKind, detail: string) => found.set(kind, [...(found.get(kind) ?? []), detail]);

  if (now.spec !== then.spec) note('spec', 'spec edited');
  for (const detail of mappingDifferences(now, then)) note('mapping', detail);
  for (const detail of dependencyDifferences(parents, then, base)) note('dependencies', detail);
  for (const side of ['source', 'target'] as const) {
    const [a, b] = [now[side].fingerprint, then[side].fingerprint];
    if (now[side].table === then[side].table && a !== '' && b !== '' && a !== b)
      note('structure', `${side} table ${now[side].table} changed structure`);
  }
  if (found.size === 0) return undefined;
  const kinds = KIND_ORDER.filter((k) => found.has(k));
  return { migration: node.name, kinds, details: kinds.flatMap((k) => found.get(k) ?? []) };
}

/** The node's own resolution when it has one; else the committed lock's, with the node's spec hash. */
function pinnedNow(node: MigrationNode, locked: LockedMigration | undefined): Pinned {
  const tables = {
    source: { table: formatQualifiedName(node.from), fingerprint: node.tables?.source.fingerprint ?? '' },
    target: { table: formatQualifiedName(node.to), fingerprint: node.tables?.target.fingerprint ?? '' },
  };
  if (node.tables !== undefined || locked === undefined) {
    // Unresolved, a node holds only its declared columns: what they change shows in the spec hash.
    const columns =
      node.tables === undefined
        ? {}
        : { columns: Object.fromEntries(node.columns.map((c) => [c.target, c])) };
    return { spec: node.specHash, ...tables, keys: node.keys, ...columns };
  }
  return {
    spec: node.specHash,
    source: locked.source,
    target: locked.target,
    keys: locked.keys,
    columns: locked.columns,
  };
}

function mappingDifferences(now: Pinned, then: LockedMigration): string[] {
  const details: string[] = [];
  if (now.source.table !== then.source.table)
    details.push(`reads ${now.source.table} instead of ${then.source.table}`);
  if (now.target.table !== then.target.table)
    details.push(`writes ${now.target.table} instead of ${then.target.table}`);
  if (now.keys !== then.keys) details.push(`keys: ${then.keys} → ${now.keys}`);
  if (now.columns === undefined) return details;
  const targets = [...new Set([...Object.keys(now.columns), ...Object.keys(then.columns)])].sort();
  const differing = targets.filter(
    (target) => columnValue(now.columns?.[target]) !== columnValue(then.columns[target]),
  );
  if (differing.length > 0)
    details.push(`column${differing.length === 1 ? '' : 's'} ${differing.map((c) => `\`${c}\``).join(', ')}`);
  return details;
}

/** What a column writes; its origin is left out, as in mappingHash: the same value pinned otherwise writes the same. */
function columnValue(column: ColumnValue | undefined): string {
  if (column === undefined) return '';
  const { from, expr, ref, omit } = column;
  return JSON.stringify([from ?? null, expr ?? null, ref ?? null, omit === true]);
}

/**
 * The base branch's parents of a migration are not in its lock, but every kind of edge shows there:
 * `ref` edges in the columns, `dependsOn` in the spec hash, foreign keys in the target's fingerprint.
 * What is left to tell is a parent that is new, and a `ref` parent gained or lost.
 */
function dependencyDifferences(
  parents: readonly DependencyEdge[],
  then: LockedMigration,
  base: Lockfile,
): string[] {
  const details: string[] = [];
  const refsThen = new Set(Object.values(then.columns).flatMap((c) => (c.ref === undefined ? [] : [c.ref])));
  const refsNow = new Set(parents.filter((e) => e.kind === 'ref').map((e) => e.parent));
  const parentNames = [...new Set(parents.map((e) => e.parent))].sort();
  for (const parent of parentNames) {
    if (!(parent in base.migrations)) details.push(`now after \`${parent}\`, which is new`);
    else if (refsNow.has(parent) && !refsThen.has(parent)) details.push(`now refers to \`${parent}\``);
  }
  for (const parent of [...refsThen].sort())
    if (!refsNow.has(parent)) details.push(`no longer refers to \`${parent}\``);
  return details;
}

function parentsByChild(edges: readonly DependencyEdge[]): Map<string, DependencyEdge[]> {
  const parents = new Map<string, DependencyEdge[]>();
  for (const edge of edges) parents.set(edge.child, [...(parents.get(edge.child) ?? []), edge]);
  return parents;
}

function descendantsOf(seeds: readonly string[], edges: readonly DependencyEdge[]): Set<string> {
  const children = new Map<string, string[]>();
  for (const edge of edges) children.set(edge.parent, [...(children.get(edge.parent) ?? []), edge.child]);
  const seen = new Set<string>();
  const queue = [...seeds];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    for (const child of children.get(name) ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      queue.push(child);
    }
  }
  return seen;
}
