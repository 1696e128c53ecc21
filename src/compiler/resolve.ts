// Resolution: the compiled plan + both catalogs + the agents' proposals (or the decisions pinned in
// ferry.lock) → the plan with every column's value source, each table's class and batch plan, and
// the decisions a person must still take. Agents only propose; this is where ferry decides.

import type { Proposal } from '../agents/protocol.js';
import type { CatalogColumn, CatalogTable } from '../catalog/types.js';
import { columnYaml } from '../spec/column-yaml.js';
import { type Catalogs, findTable } from './catalog-checks.js';
import type {
  Classification,
  ColumnPlan,
  MigrationNode,
  Origin,
  Plan,
  PlanDecision,
  PlanWarning,
} from './plan.js';

export interface AgentOutcome {
  readonly agent: string;
  readonly proposals: readonly Proposal[];
}

/** What ferry.lock pinned for one migration, already checked to still match specs and schemas. */
export interface PinnedMigration {
  readonly columns: readonly ColumnPlan[];
  readonly classification?: Classification;
  readonly batch?: { readonly size: number; readonly parallelism: number; readonly origin: Origin };
  readonly decisions: readonly PlanDecision[];
  readonly warnings: readonly PlanWarning[];
}

export interface ResolveInput {
  readonly plan: Plan;
  readonly catalogs: Catalogs;
  readonly outcomes: readonly AgentOutcome[];
  readonly pinned: ReadonlyMap<string, PinnedMigration>;
  /** Proposals below this confidence are never applied; they become decisions. */
  readonly minConfidence: number;
}

interface Resolved {
  readonly migration: MigrationNode;
  readonly decisions: readonly PlanDecision[];
  readonly warnings: readonly PlanWarning[];
}

export function resolvePlan(input: ResolveInput): Plan {
  const resolved = input.plan.migrations.map((migration) => {
    const pin = input.pinned.get(migration.name);
    return pin ? applyPinned(migration, pin, input.catalogs) : resolveMigration(migration, input);
  });
  return {
    ...input.plan,
    migrations: resolved.map((r) => r.migration),
    decisions: resolved.flatMap((r) => r.decisions),
    warnings: resolved.flatMap((r) => r.warnings),
  };
}

function tablesOf(migration: MigrationNode, catalogs: Catalogs) {
  const source = findTable(catalogs.source, migration.from) as CatalogTable;
  const target = findTable(catalogs.target, migration.to) as CatalogTable;
  return { source, target };
}

function fingerprints(source: CatalogTable, target: CatalogTable): NonNullable<MigrationNode['tables']> {
  return {
    source: {
      fingerprint: source.fingerprint,
      ...(source.rowEstimate === undefined ? {} : { rowEstimate: source.rowEstimate }),
    },
    target: { fingerprint: target.fingerprint },
  };
}

/** A declared column that says where its value comes from (a bare `ref` still needs its source). */
function isComplete(column: ColumnPlan | undefined): boolean {
  return (
    column !== undefined && (column.from !== undefined || column.expr !== undefined || column.omit === true)
  );
}

function resolveMigration(migration: MigrationNode, input: ResolveInput): Resolved {
  const { source, target } = tablesOf(migration, input.catalogs);
  const declared = new Map(migration.columns.map((c) => [c.target, c]));
  const mine = input.outcomes.flatMap((o) =>
    o.proposals
      .filter((p) => 'migration' in p && p.migration === migration.name)
      .map((p) => ({ agent: o.agent, p })),
  );
  const columns: ColumnPlan[] = [];
  const decisions: PlanDecision[] = [];
  for (const column of target.columns) {
    const spec = declared.get(column.name);
    if (spec && isComplete(spec)) {
      columns.push(spec);
      continue;
    }
    if (column.generated) continue;
    const candidates = mine.flatMap(({ agent, p }) =>
      p.kind === 'column' && p.column === column.name ? [{ agent, p }] : [],
    );
    const accepted = candidates.find(({ p }) => p.confidence >= input.minConfidence);
    if (accepted) {
      const { agent, p } = accepted;
      columns.push({
        target: column.name,
        ...(p.from === undefined ? {} : { from: p.from }),
        ...(p.expr === undefined ? {} : { expr: p.expr }),
        ...(p.omit ? { omit: true as const } : {}),
        ...(spec?.ref === undefined ? {} : { ref: spec.ref }),
        origin: { kind: 'inferred', agent, confidence: p.confidence, reason: p.reason },
        ...(spec?.location === undefined ? {} : { location: spec.location }),
      });
      continue;
    }
    const weakest = candidates[0];
    if (weakest) decisions.push(confirmDecision(migration.name, column, weakest.agent, weakest.p));
    else if (needsValue(column, spec))
      decisions.push(missingValueDecision(migration.name, column, spec?.ref));
  }

  const resolvedColumns = new Set(columns.map((c) => c.target));
  const agentDecisions = mine.flatMap(({ agent, p }) =>
    p.kind === 'decision' && !(p.column !== undefined && resolvedColumns.has(p.column))
      ? [
          {
            migration: p.migration,
            ...(p.column === undefined ? {} : { column: p.column }),
            question: p.question,
            options: p.options,
            agent,
          },
        ]
      : [],
  );
  const warnings = mine.flatMap(({ agent, p }) =>
    p.kind === 'warning'
      ? [
          {
            migration: p.migration,
            ...(p.column === undefined ? {} : { column: p.column }),
            message: p.message,
            ...(p.yaml === undefined ? {} : { yaml: p.yaml }),
            agent,
          },
        ]
      : [],
  );
  return {
    migration: {
      ...migration,
      columns,
      ...classificationOf(migration, mine, input.minConfidence),
      batch: batchOf(migration, mine, input.minConfidence, source),
      tables: fingerprints(source, target),
    },
    decisions: mergeDecisions(agentDecisions, decisions),
    warnings,
  };
}

/** A column that must get a value: NOT NULL with nothing to fill it, or a `ref` whose source is unknown. */
function needsValue(column: CatalogColumn, spec: ColumnPlan | undefined): boolean {
  if (spec?.ref !== undefined) return true;
  return !column.nullable && column.default === undefined && column.identity === undefined && !column.serial;
}

/** Agents' own decisions come first; ferry's safety-net decisions only for columns no agent raised. */
function mergeDecisions(
  fromAgents: readonly PlanDecision[],
  fromFerry: readonly PlanDecision[],
): PlanDecision[] {
  const raised = new Set(fromAgents.map((d) => d.column));
  return [...fromAgents, ...fromFerry.filter((d) => !raised.has(d.column))];
}

function confirmDecision(
  migration: string,
  column: CatalogColumn,
  agent: string,
  proposal: Extract<Proposal, { kind: 'column' }>,
): PlanDecision {
  const value: Record<string, string | boolean> = proposal.omit
    ? { omit: true }
    : proposal.expr !== undefined
      ? { expr: proposal.expr }
      : { from: proposal.from ?? '<source column>' };
  const described = proposal.omit ? 'leaving it to its default' : (proposal.expr ?? proposal.from);
  return {
    migration,
    column: column.name,
    question: `${migration}.${column.name} (${column.type}): agent ${agent} suggests ${described}, but only with confidence ${proposal.confidence.toFixed(2)} (${proposal.reason}). Confirm it or map the column yourself.`,
    options: [{ label: `use ${described}`, yaml: columnYaml(column.name, value) }],
    agent,
  };
}

function missingValueDecision(
  migration: string,
  column: CatalogColumn,
  ref: string | undefined,
): PlanDecision {
  const why = ref
    ? `refers to ${ref}, but no source column for it was found`
    : `is NOT NULL without a default, and no source column matches it`;
  return {
    migration,
    column: column.name,
    question: `${migration}.${column.name} (${column.type}) ${why}. Say where its value comes from.`,
    options: [
      {
        label: 'copy a source column',
        yaml: columnYaml(column.name, { from: '<source column>', ...(ref ? { ref } : {}) }),
      },
      {
        label: 'compute it',
        yaml: columnYaml(column.name, { expr: '<SQL expression over source columns>' }),
      },
    ],
    agent: 'ferry',
  };
}

type Located = { agent: string; p: Proposal };

function classificationOf(migration: MigrationNode, mine: readonly Located[], minConfidence: number) {
  const proposal = mine.find(
    ({ p }) =>
      p.kind === 'classification' && (migration.class !== undefined || p.confidence >= minConfidence),
  );
  const shape = proposal?.p.kind === 'classification' ? proposal.p.shape : 'plain';
  if (migration.class !== undefined) {
    return { classification: { class: migration.class, shape, origin: { kind: 'declared' as const } } };
  }
  if (proposal?.p.kind !== 'classification') return {};
  const { p, agent } = proposal;
  return { classification: { class: p.class, shape, origin: inferred(agent, p.confidence, p.reason) } };
}

function batchOf(
  migration: MigrationNode,
  mine: readonly Located[],
  minConfidence: number,
  source: CatalogTable,
): MigrationNode['batch'] {
  const key = migration.batch.key ?? source.primaryKey;
  const keyPart = key === undefined ? {} : { key };
  const proposal = mine.find(({ p }) => p.kind === 'batch' && p.confidence >= minConfidence);
  const batch = proposal?.p.kind === 'batch' ? { agent: proposal.agent, p: proposal.p } : undefined;
  if (typeof migration.batch.size === 'number') {
    return {
      size: migration.batch.size,
      ...keyPart,
      parallelism: batch?.p.parallelism ?? 1,
      origin: { kind: 'declared' },
    };
  }
  if (!batch) return { ...migration.batch, ...keyPart };
  return {
    size: batch.p.size,
    ...keyPart,
    parallelism: batch.p.parallelism,
    origin: inferred(batch.agent, batch.p.confidence, batch.p.reason),
  };
}

function inferred(agent: string, confidence: number, reason: string): Origin {
  return { kind: 'inferred', agent, confidence, reason };
}

function applyPinned(migration: MigrationNode, pin: PinnedMigration, catalogs: Catalogs): Resolved {
  const { source, target } = tablesOf(migration, catalogs);
  const declared = new Map(migration.columns.map((c) => [c.target, c]));
  const pinned = new Map(pin.columns.map((c) => [c.target, c]));
  const columns = target.columns.flatMap((column) => {
    const spec = declared.get(column.name);
    if (spec && isComplete(spec)) return [spec];
    const kept = pinned.get(column.name);
    return kept ? [{ ...kept, ...(spec?.ref === undefined ? {} : { ref: spec.ref }) }] : [];
  });
  const classification =
    migration.class !== undefined
      ? {
          class: migration.class,
          shape: pin.classification?.shape ?? 'plain',
          origin: { kind: 'declared' as const },
        }
      : pin.classification;
  const key = migration.batch.key ?? source.primaryKey;
  const batch: MigrationNode['batch'] =
    typeof migration.batch.size === 'number'
      ? {
          size: migration.batch.size,
          ...(key ? { key } : {}),
          parallelism: pin.batch?.parallelism ?? 1,
          origin: { kind: 'declared' },
        }
      : pin.batch
        ? { ...pin.batch, ...(key ? { key } : {}) }
        : { ...migration.batch, ...(key ? { key } : {}) };
  return {
    migration: {
      ...migration,
      columns,
      ...(classification ? { classification } : {}),
      batch,
      tables: fingerprints(source, target),
    },
    decisions: pin.decisions,
    warnings: pin.warnings,
  };
}
