// `diff` as a library function: what is planned (specs + ferry.lock, or a saved plan) against what
// `_ferry` in the target says was applied, plus the source rows added or removed since. Reads only:
// it writes no lockfile, asks no agent, and never creates `_ferry`.

import { relative, resolve } from 'node:path';
import type { Catalog } from '../catalog/types.js';
import type { Catalogs } from '../compiler/catalog-checks.js';
import type { MigrationNode, Plan } from '../compiler/plan.js';
import { planProject } from '../compiler/plan-project.js';
import { restrictPlan, type Selection, selectMigrations } from '../compiler/select.js';
import { connectPostgres } from '../db/postgres.js';
import { compareWithLock, type LockChange, timeZoneLockChanges } from '../lock/freshness.js';
import { LOCK_FILE_NAME, lockPlan } from '../lock/lockfile.js';
import { sessionTimeZone } from '../runner/session.js';
import { openWholeTables, type SourceUrls } from '../source/dialect.js';
import { embedExpression } from '../spec/expression.js';
import { readMigrationControl } from '../state/control.js';
import { isRunLockHeld } from '../state/run-lock.js';
import { readStatus } from '../state/status.js';
import { stateVersion } from '../state/version.js';
import {
  type AppliedMigration,
  DIFFERENCE_KINDS,
  type Difference,
  type DifferenceKind,
  isUnapplied,
  lockDifference,
  notPlannedDifference,
  rowsComparable,
  rowsDifference,
  stateDifferences,
} from './differences.js';
import { readPlanFile } from './plan-file.js';

export interface DiffOptions extends Selection {
  /** Where specs/ and ferry.lock are. */
  readonly projectDir: string;
  readonly specsDir?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A plan saved by `ferry plan --format json`: the planned side instead of specs + ferry.lock. */
  readonly planFile?: string;
}

export interface DiffSummary {
  readonly differences: number;
  /** Migrations with at least one difference. */
  readonly migrations: number;
  /** Migrations planned (after --select/--exclude). */
  readonly planned: number;
  /** Migrations of which the target holds something. */
  readonly applied: number;
  /** Every kind, 0 included, so scripts read a fixed shape. */
  readonly byKind: Readonly<Record<DifferenceKind, number>>;
  /** What the planned side was read from: `ferry.lock`, or the saved plan's path. */
  readonly plannedFrom: string;
}

export interface DiffResult {
  /** Grouped by kind in DIFFERENCE_KINDS order, then in plan order. */
  readonly differences: readonly Difference[];
  readonly summary: DiffSummary;
}

/**
 * Compares the plan with what the target holds. Differences are a result, not an error: only what
 * stops the comparison (invalid specs, an unreachable database, an unreadable plan file) throws.
 *
 * @example
 * const { differences, summary } = await diffProject({ projectDir: '.' });
 * for (const d of differences) console.log(d.kind, d.migration, d.detail);
 * process.exitCode = summary.differences > 0 ? 2 : 0;
 */
export async function diffProject(options: DiffOptions): Promise<DiffResult> {
  // Read first: a file that is no plan fails before any database is asked.
  const saved =
    options.planFile === undefined ? undefined : await readSavedPlan(options.projectDir, options.planFile);
  const current = await planProject({
    projectDir: options.projectDir,
    ...(options.specsDir === undefined ? {} : { specsDir: options.specsDir }),
    ...(options.env === undefined ? {} : { env: options.env }),
    readOnly: true,
    agents: () => [],
  });
  const lockChanges = [
    ...current.lockChanges,
    ...timeZoneLockChanges(current.timeZoneChange, current.plan, current.lockChanges),
  ];
  const planned = plannedSide(saved, current.plan, lockChanges, current.catalogs);
  const selecting = Boolean(options.select?.length || options.exclude?.length);
  const names = selectMigrations(planned.plan, options);
  const nodes = restrictPlan(planned.plan, names).migrations;
  const plannedNames = new Set(planned.plan.migrations.map((m) => m.name));
  // Changes of migrations outside the plan (gone from the specs, or not in a saved plan) belong to
  // no selection: shown only when everything is.
  const changes = planned.changes.filter((c) =>
    plannedNames.has(c.migration) ? names.includes(c.migration) : !selecting,
  );
  // While a migration's spec is newer than its pins, what is planned for it is not settled until
  // `ferry plan` re-pins it: its hashes and rows are compared after that.
  const unsettled = new Set(
    planned.fromLock ? changes.filter((c) => c.cause === 'spec').map((c) => c.migration) : [],
  );

  const { specs } = current;
  const session = { timeZone: sessionTimeZone(current.plan) };
  const target = await readApplied(specs.project.target.url, session);
  const differences: Difference[] = [
    ...changes.map((c) => lockDifference(c, planned.hint)),
    ...(await plannedDifferences(nodes, target, unsettled, {
      urls: { source: specs.project.source.url, target: specs.project.target.url, ...session },
      catalog: current.catalogs.source,
    })),
  ];
  if (!selecting) {
    for (const applied of target.applied.values()) {
      if (!plannedNames.has(applied.control.migration) && !isUnapplied(applied))
        differences.push(notPlannedDifference(applied));
    }
  }
  const ordered = orderDifferences(differences, planned.plan);
  return {
    differences: ordered,
    summary: summarize(ordered, {
      planned: nodes.length,
      applied: nodes.filter((n) => !isUnapplied(target.applied.get(n.name))).length,
      plannedFrom: planned.name,
    }),
  };
}

/** Each planned migration's state against the target, and, once done, its source rows against it. */
async function plannedDifferences(
  nodes: readonly MigrationNode[],
  target: TargetState,
  unsettled: ReadonlySet<string>,
  source: SourceToCount,
): Promise<Difference[]> {
  const differences: Difference[] = [];
  const toCount: MigrationNode[] = [];
  for (const node of nodes) {
    const applied = target.applied.get(node.name);
    const settled = !unsettled.has(node.name);
    const found = stateDifferences(node, applied, { compareHashes: settled, applying: target.applying });
    differences.push(...found);
    if (settled && rowsComparable(node, applied, found)) toCount.push(node);
  }
  const counts = await countSourceRows(source, toCount);
  for (const node of toCount) {
    const applied = target.applied.get(node.name) as AppliedMigration;
    const drift = rowsDifference(node, applied, counts.get(node.name) ?? 0);
    if (drift) differences.push(drift);
  }
  return differences;
}

interface PlannedSide {
  readonly plan: Plan;
  readonly changes: readonly LockChange[];
  /** How the pins are named in messages. */
  readonly name: string;
  readonly fromLock: boolean;
  /** What to do about a stale pin. */
  readonly hint: string;
}

interface SavedPlan {
  readonly plan: Plan;
  /** The file as the user named it, relative to the working directory. */
  readonly name: string;
}

async function readSavedPlan(projectDir: string, file: string): Promise<SavedPlan> {
  const path = resolve(projectDir, file);
  const name = relative(process.cwd(), path) || file;
  return { plan: await readPlanFile(path, name), name };
}

/** Specs resolved with ferry.lock's pins, or the saved plan held against the specs and tables of now. */
function plannedSide(
  saved: SavedPlan | undefined,
  current: Plan,
  lockChanges: readonly LockChange[],
  catalogs: Catalogs,
): PlannedSide {
  if (saved === undefined) {
    return {
      plan: current,
      changes: lockChanges,
      name: LOCK_FILE_NAME,
      fromLock: true,
      hint: 'run `ferry plan`, review the diff of ferry.lock and commit it',
    };
  }
  return {
    plan: saved.plan,
    // A saved plan pins what a lock pins: its lock form held against now says what moved on since.
    changes: compareWithLock(lockPlan(saved.plan), current, catalogs, saved.name).changes,
    name: saved.name,
    fromLock: false,
    hint: `save a new plan: the one in ${saved.name} no longer matches`,
  };
}

interface TargetState {
  readonly applied: ReadonlyMap<string, AppliedMigration>;
  /** An apply holds the run lock right now. */
  readonly applying: boolean;
}

/** What `_ferry` holds; nothing when the target has no `_ferry`, which stays so. */
async function readApplied(url: string, session: { readonly timeZone: string }): Promise<TargetState> {
  const client = await connectPostgres(url, 'target', session);
  try {
    if ((await stateVersion(client)) === undefined) return { applied: new Map(), applying: false };
    const controls = await readMigrationControl(client);
    const statuses = new Map((await readStatus(client)).map((s) => [s.migration, s]));
    const applied = new Map<string, AppliedMigration>();
    for (const control of controls) {
      const status = statuses.get(control.migration);
      if (status) applied.set(control.migration, { control, status });
    }
    return { applied, applying: await isRunLockHeld(client, 'apply') };
  } finally {
    await client.end().catch(() => {});
  }
}

/** Where the source rows are counted: the source's URLs and its catalog, which a MySQL source stages by. */
interface SourceToCount {
  readonly urls: SourceUrls;
  readonly catalog: Catalog;
}

/** The rows of each migration's source table that pass its `where` (evaluated in the source time zone), counted now. */
async function countSourceRows(
  source: SourceToCount,
  nodes: readonly MigrationNode[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (nodes.length === 0) return counts;
  const tables = await openWholeTables(source.urls, source.catalog);
  try {
    for (const node of nodes) {
      const where = node.where === undefined ? '' : ` WHERE ${embedExpression(node.where)}`;
      const { rows } = await tables.sql.query<{ n: number }>(
        `SELECT count(*)::float8 AS n FROM ${await tables.relationOf(node)}${where}`,
      );
      counts.set(node.name, rows[0]?.n ?? 0);
    }
  } finally {
    await tables.end();
  }
  return counts;
}

function orderDifferences(differences: readonly Difference[], plan: Plan): Difference[] {
  const position = new Map(plan.migrations.map((m, i) => [m.name, i]));
  const rank = (d: Difference) => position.get(d.migration) ?? plan.migrations.length;
  return [...differences].sort(
    (a, b) =>
      DIFFERENCE_KINDS.indexOf(a.kind) - DIFFERENCE_KINDS.indexOf(b.kind) ||
      rank(a) - rank(b) ||
      (a.migration < b.migration ? -1 : a.migration > b.migration ? 1 : 0),
  );
}

function summarize(
  differences: readonly Difference[],
  counts: Pick<DiffSummary, 'planned' | 'applied' | 'plannedFrom'>,
): DiffSummary {
  const byKind = Object.fromEntries(DIFFERENCE_KINDS.map((k) => [k, 0])) as Record<DifferenceKind, number>;
  for (const d of differences) byKind[d.kind] += 1;
  return {
    differences: differences.length,
    migrations: new Set(differences.map((d) => d.migration)).size,
    planned: counts.planned,
    applied: counts.applied,
    byKind,
    plannedFrom: counts.plannedFrom,
  };
}
