// Plans built in memory for report tests: any number of migrations in a chain, with columns, warnings,
// decisions and hostile names where a test asks for them.

import type {
  ColumnPlan,
  DependencyEdge,
  MigrationNode,
  Plan,
  PlanDecision,
} from '../../src/compiler/plan.js';
import { PLAN_FORMAT_VERSION } from '../../src/compiler/plan.js';

export interface SyntheticOptions {
  readonly count: number;
  /** Columns per migration. */
  readonly columns?: number;
  /** Migrations (by index) with an open decision. */
  readonly decisions?: readonly number[];
  /** Each migration depends on the one before it (a chain), or on nothing. */
  readonly chain?: boolean;
}

export function migrationName(index: number): string {
  return `table_${String(index).padStart(5, '0')}`;
}

export function syntheticPlan(options: SyntheticOptions): Plan {
  const migrations: MigrationNode[] = [];
  const edges: DependencyEdge[] = [];
  for (let i = 0; i < options.count; i++) {
    const name = migrationName(i);
    const columns: ColumnPlan[] = Array.from({ length: options.columns ?? 4 }, (_, c) => ({
      target: `column_${c}`,
      from: `legacy_column_${c}`,
      origin:
        c % 2 === 0
          ? { kind: 'declared' }
          : {
              kind: 'inferred',
              agent: 'mapping',
              confidence: 0.93,
              reason: 'same name once the prefix is dropped',
            },
    }));
    migrations.push(node(name, columns, { schema: 'legacy', name: `tbl_${name}` }, { schema: 'app', name }));
    if (options.chain && i > 0)
      edges.push({
        parent: migrationName(i - 1),
        child: name,
        kind: 'ref',
        columns: ['parent_id'],
        nullable: false,
      });
  }
  const decisions: PlanDecision[] = (options.decisions ?? []).map((i) => ({
    migration: migrationName(i),
    column: 'status',
    question: `Which source column fills ${migrationName(i)}.status?`,
    options: [
      { label: 'map it from state', yaml: 'columns:\n  status: { from: state }\n' },
      { label: 'leave it to its default', yaml: 'columns:\n  status: { omit: true }\n' },
    ],
    agent: 'mapping',
  }));
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    migrations,
    edges,
    layers: options.chain ? migrations.map((m) => [m.name]) : [migrations.map((m) => m.name)],
    decisions,
    warnings: [],
  };
}

export function node(
  name: string,
  columns: readonly ColumnPlan[],
  from: MigrationNode['from'],
  to: MigrationNode['to'],
): MigrationNode {
  const location = { file: `specs/${name}.yaml`, line: 1, column: 1 };
  return {
    name,
    from,
    to,
    keys: 'preserve',
    columns,
    onError: 'pause',
    onOrphan: 'fail',
    batch: { size: 10_000, parallelism: 1 },
    tables: {
      source: { fingerprint: `sha256:s-${name}`, rowEstimate: 12_345 },
      target: { fingerprint: `sha256:t-${name}` },
    },
    fixups: [],
    specHash: `sha256:${name}`,
    location,
    locations: { from: location, to: location },
  };
}
