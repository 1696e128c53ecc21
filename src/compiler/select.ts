// dbt-style graph selectors over a Plan: `orders`, `+orders` (with ancestors), `case_files+` (with
// descendants), `2+orders` / `orders+1` (bounded depth), `@case_files` (descendants and their
// ancestors), `dispatch_*` (glob), `state:modified` (changed against the base branch's lockfile, with
// descendants). Commas and repeated flags are unions; --exclude subtracts.

import { errorDiagnostic, FerryError } from '../errors.js';
import type { Lockfile } from '../lock/lockfile.js';
import { didYouMean } from '../spec/suggest.js';
import type { DependencyEdge, Plan } from './plan.js';
import { type BaseLock, compareWithBase, modifiedNames } from './state-modified.js';

/** What selectors walk: the migrations by name and the edges between them (a Plan is one). */
export interface SelectionGraph {
  readonly migrations: readonly { readonly name: string }[];
  readonly edges: readonly DependencyEdge[];
}

export interface Selection {
  readonly select?: readonly string[];
  readonly exclude?: readonly string[];
  /** The base branch's lockfile, which `state:modified` compares against. */
  readonly baseLock?: BaseLock;
  /** The committed ferry.lock, for a plan compiled without the databases (see compareWithBase). */
  readonly currentLock?: Lockfile;
}

const TERM = /^(@)?(?:(\d*)\+)?([a-z0-9_*]+|state:[a-z_-]*)(?:\+(\d*))?$/;

const STATE_METHODS = ['modified'] as const;

interface Adjacency {
  readonly parents: ReadonlyMap<string, readonly string[]>;
  readonly children: ReadonlyMap<string, readonly string[]>;
}

/**
 * The names of the selected migrations, in plan order. Throws FerryError (`select.syntax`,
 * `select.unknown`) for a selector that cannot be read or matches nothing.
 *
 * @example
 * selectMigrations(plan, { select: ['+orders'], exclude: ['brackets'] }); // ['case_files', 'orders']
 */
export function selectMigrations(plan: SelectionGraph, selection: Selection): string[] {
  const all = plan.migrations.map((m) => m.name);
  const graph: Graph = { all, adjacency: buildAdjacency(plan), modified: lazyModified(plan, selection) };
  const chosen = selection.select?.length ? unionOf(selection.select, graph) : new Set(all);
  const excluded = selection.exclude?.length ? unionOf(selection.exclude, graph) : new Set<string>();
  return all.filter((name) => chosen.has(name) && !excluded.has(name));
}

interface Graph {
  readonly all: readonly string[];
  readonly adjacency: Adjacency;
  /** What `state:modified` selects, compared only when a selector asks. */
  readonly modified: () => ReadonlySet<string>;
}

function lazyModified(plan: SelectionGraph, selection: Selection): () => ReadonlySet<string> {
  let modified: ReadonlySet<string> | undefined;
  return () => {
    if (modified) return modified;
    const { baseLock } = selection;
    if (!baseLock) {
      throw new FerryError(
        errorDiagnostic('select.no-base-lock', '`state:modified` needs the base branch’s lockfile', {
          hint: 'pass --base-lock FILE, written by: git show "$BASE_SHA:ferry.lock" > base.lock',
        }),
      );
    }
    const options = selection.currentLock ? { currentLock: selection.currentLock } : {};
    modified = modifiedNames(compareWithBase(plan, baseLock, options));
    return modified;
  };
}

/** The plan reduced to `names`: their nodes, the edges among them, and the non-empty layers. */
export function restrictPlan(plan: Plan, names: readonly string[]): Plan {
  const keep = new Set(names);
  return {
    ...plan,
    migrations: plan.migrations.filter((m) => keep.has(m.name)),
    edges: plan.edges.filter((e) => keep.has(e.parent) && keep.has(e.child)),
    layers: plan.layers.map((layer) => layer.filter((n) => keep.has(n))).filter((layer) => layer.length > 0),
  };
}

function unionOf(selectors: readonly string[], graph: Graph): Set<string> {
  const result = new Set<string>();
  const terms = selectors.flatMap((s) => s.split(/[\s,]+/)).filter((t) => t !== '');
  for (const term of terms) for (const name of resolveTerm(term, graph)) result.add(name);
  return result;
}

function resolveTerm(term: string, graph: Graph): Set<string> {
  const { all, adjacency } = graph;
  const match = TERM.exec(term);
  if (!match) {
    throw new FerryError(
      errorDiagnostic('select.syntax', `cannot read selector \`${term}\``, {
        hint: 'use a migration name, optionally with + before (ancestors) or after (descendants): +orders, case_files+, 1+orders; or state:modified',
      }),
    );
  }
  const [, at, up, pattern = '', down] = match;
  const seeds = pattern.startsWith('state:') ? stateSeeds(term, pattern, graph) : matchNames(pattern, all);
  if (seeds.length === 0 && !pattern.startsWith('state:')) {
    throw new FerryError(
      errorDiagnostic('select.unknown', `selector \`${term}\` matches no migration`, {
        hint: didYouMean(pattern, all, '`ferry graph` lists every migration'),
      }),
    );
  }
  const result = new Set(seeds);
  if (at !== undefined) {
    const descendants = walk(seeds, adjacency.children, Number.POSITIVE_INFINITY);
    for (const name of descendants) result.add(name);
    for (const name of walk([...descendants], adjacency.parents, Number.POSITIVE_INFINITY)) result.add(name);
    return result;
  }
  if (up !== undefined) for (const name of walk(seeds, adjacency.parents, depth(up))) result.add(name);
  if (down !== undefined) for (const name of walk(seeds, adjacency.children, depth(down))) result.add(name);
  return result;
}

/** A state selector's migrations; none is a fine answer (a pull request that changes nothing). */
function stateSeeds(term: string, pattern: string, graph: Graph): string[] {
  const method = pattern.slice('state:'.length);
  if (!(STATE_METHODS as readonly string[]).includes(method)) {
    throw new FerryError(
      errorDiagnostic('select.syntax', `cannot read selector \`${term}\`: unknown state \`${method}\``, {
        hint: 'ferry knows state:modified (changed against the base branch’s lockfile, with descendants)',
      }),
    );
  }
  const modified = graph.modified();
  return graph.all.filter((name) => modified.has(name));
}

function depth(digits: string): number {
  return digits === '' ? Number.POSITIVE_INFINITY : Number(digits);
}

function matchNames(pattern: string, all: readonly string[]): string[] {
  if (!pattern.includes('*')) return all.includes(pattern) ? [pattern] : [];
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
  return all.filter((name) => regex.test(name));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Nodes reachable from `seeds` along `next` within `maxDepth` steps (seeds excluded unless reached). */
function walk(
  seeds: readonly string[],
  next: ReadonlyMap<string, readonly string[]>,
  maxDepth: number,
): Set<string> {
  const seen = new Set<string>();
  let frontier = [...seeds];
  for (let level = 0; level < maxDepth && frontier.length > 0; level++) {
    const following: string[] = [];
    for (const node of frontier) {
      for (const neighbour of next.get(node) ?? []) {
        if (seen.has(neighbour)) continue;
        seen.add(neighbour);
        following.push(neighbour);
      }
    }
    frontier = following;
  }
  return seen;
}

function buildAdjacency(plan: SelectionGraph): Adjacency {
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const edge of plan.edges) {
    parents.set(edge.child, [...(parents.get(edge.child) ?? []), edge.parent]);
    children.set(edge.parent, [...(children.get(edge.parent) ?? []), edge.child]);
  }
  return { parents, children };
}
