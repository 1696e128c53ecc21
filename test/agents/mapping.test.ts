// The mapping agent on catalogs introspected from real databases: the reference workload with only its
// table pairs declared must come out exactly right, and the examples with their declared columns
// removed must never auto-accept a wrong mapping, raising decisions for what names cannot settle.

import { describe, expect, it } from 'vitest';
import { matchTables, proposeMappings } from '../../src/agents/builtin/mapping/index.js';
import { checkProposals } from '../../src/agents/external-checks.js';
import type { AgentMigration, Proposal } from '../../src/agents/protocol.js';
import type { Catalog } from '../../src/catalog/types.js';
import type { MigrationSpec } from '../../src/spec/types.js';
import {
  agentRequest,
  declaredColumns,
  type IntrospectedWorkload,
  migration,
  useWorkload,
} from '../support/agent-request.js';
import { HR_FILES, referenceFiles, SHOP_FILES } from '../support/workload.js';
import { propose } from './mapping-proposals.js';

const MIN_CONFIDENCE = 0.8;

function columnMappings(proposals: readonly Proposal[]): string[] {
  return proposals.flatMap((p) => {
    if (p.kind !== 'column') return [];
    const value = p.from ?? (p.expr === undefined ? 'omit' : `expr ${p.expr}`);
    return [`${p.migration}.${p.column} ← ${value}`];
  });
}

function pairs(source: Catalog, target: Catalog): string[] {
  return matchTables(source, target).map((m) => `${m.target.name} ← ${m.source?.name ?? 'nothing'}`);
}

describe('the reference workload', () => {
  const scenario = useWorkload(referenceFiles());

  it('maps every column of the declared table pairs exactly, with no decision', () => {
    const proposals = proposalsWithoutDeclarations(scenario());
    expect(columnMappings(proposals)).toEqual([
      'brackets.id ← id',
      'brackets.name ← bracket_name',
      'brackets.min_weight ← min_weight',
      'brackets.max_weight ← max_weight',
      'brackets.created_at ← created_at',
      'case_file_tags.case_file_id ← casefile_id',
      'case_file_tags.tag_id ← tag_id',
      'case_files.id ← id',
      'case_files.case_number ← case_number',
      'case_files.bracket_id ← bracket_id',
      'case_files.status ← status',
      'case_files.opened_on ← opened_on',
      'case_files.notes ← notes',
      'case_files.active ← expr is_active <> 0',
      'orders.id ← id',
      'orders.case_file_id ← casefile_id',
      'orders.amount ← expr amount_cents / 100.0',
      'orders.currency ← currency',
      'orders.placed_at ← placed_at',
      'tags.id ← id',
      'tags.label ← label',
    ]);
    expect(proposals.filter((p) => p.kind !== 'column')).toEqual([]);
    for (const proposal of proposals) {
      expect(
        proposal.kind === 'column' && proposal.confidence,
        JSON.stringify(proposal),
      ).toBeGreaterThanOrEqual(MIN_CONFIDENCE);
    }
  });

  it('gives reasons a reviewer can check', () => {
    const reasons = proposalsWithoutDeclarations(scenario()).flatMap((p) =>
      p.kind === 'column' ? [`${p.migration}.${p.column} (${p.confidence}): ${p.reason}`] : [],
    );
    expect(reasons).toContain(
      "brackets.name (0.9): bracket_name carries its table's name as a prefix; compatible types (character varying(80) → text)",
    );
    expect(reasons).toContain(
      'brackets.created_at (1): same name; timestamp becomes timestamptz; the values are read in the configured source time zone',
    );
    expect(reasons).toContain(
      'orders.case_file_id (0.95): the same words apart from underscores; FK to app.case_files matches FK to legacy.dispatch_casefile; same type',
    );
    expect(reasons).toContain(
      'case_files.active (0.85): is_active is the flag active with an is_ prefix; smallint flag 0/1 becomes boolean',
    );
    expect(reasons).toContain(
      'orders.amount (0.9): amount_cents holds the amount in cents; cents become an amount (divided by 100)',
    );
  });

  it('maps what the specs as written leave open, the source of a ref-only column included', () => {
    const { source, target, specs } = scenario();
    const proposals = propose(
      source,
      target,
      specs.map((s) => specMigration(s, target)),
    );
    expect(columnMappings(proposals)).toEqual([
      'brackets.id ← id',
      'brackets.min_weight ← min_weight',
      'brackets.max_weight ← max_weight',
      'brackets.created_at ← created_at',
      'case_file_tags.tag_id ← tag_id',
      'case_files.id ← id',
      'case_files.case_number ← case_number',
      'case_files.bracket_id ← bracket_id',
      'case_files.status ← status',
      'case_files.opened_on ← opened_on',
      'case_files.notes ← notes',
      'orders.id ← id',
      'orders.currency ← currency',
      'orders.placed_at ← placed_at',
      'tags.id ← id',
      'tags.label ← label',
    ]);
    expect(proposals.filter((p) => p.kind !== 'column')).toEqual([]);
  });

  it('pairs each target table with its source table', () => {
    const { source, target } = scenario();
    expect(pairs(source, target)).toEqual([
      'brackets ← dispatch_bracket',
      'case_file_tags ← dispatch_casefile_tags',
      'case_files ← dispatch_casefile',
      'orders ← dispatch_order',
      'tags ← dispatch_tag',
    ]);
  });
});

/** The spec's table pair and key strategy only: every target column is left open. */
function undeclaredMigration(spec: MigrationSpec, target: Catalog): AgentMigration {
  return migration(spec.name, spec.from, spec.to, target, { keys: spec.keys });
}

/** The migration the compiler would send: declared columns as written, ref-only ones left open too. */
function specMigration(spec: MigrationSpec, target: Catalog): AgentMigration {
  return migration(spec.name, spec.from, spec.to, target, {
    keys: spec.keys,
    declaredColumns: declaredColumns(spec),
  });
}

interface Evaluation {
  /** Proposals that read the same source columns as the spec's own mapping. */
  readonly correct: string[];
  /** Proposals that read other columns than the spec's mapping: the defect that matters most. */
  readonly wrong: string[];
  /** Columns raised as decisions. */
  readonly raised: string[];
  /** Columns left with a warning only (they stay NULL or get their default). */
  readonly left: string[];
}

const SQL_NAME = /"((?:[^"]|"")+)"|\b([A-Za-z_][A-Za-z0-9_$]*)\b/g;

/** The source columns an expression reads (string literals skipped). */
function columnsRead(expr: string, sourceColumns: ReadonlySet<string>): string[] {
  const names = [...expr.replace(/'(?:[^']|'')*'/g, "''").matchAll(SQL_NAME)].map(
    (m) => m[1]?.replaceAll('""', '"') ?? (m[2] as string),
  );
  return [...new Set(names.filter((name) => sourceColumns.has(name)))].sort();
}

/**
 * What the spec says a column reads, as a sorted list of source columns (`omit` for a generated key).
 * The agent cannot know business rules (initcap, a time zone, which code means what), so a proposal
 * counts as correct when it reads the same source columns as the spec's mapping.
 */
function expectedReads(
  spec: MigrationSpec,
  column: string,
  primaryKey: readonly string[],
  sourceColumns: ReadonlySet<string>,
) {
  const declared = spec.columns.get(column);
  if (!declared) return spec.keys === 'generate' && primaryKey.includes(column) ? 'omit' : undefined;
  if (declared.omit) return 'omit';
  if (declared.from !== undefined) return declared.from;
  if (declared.expr !== undefined) return columnsRead(declared.expr, sourceColumns).join(', ');
  return column;
}

function evaluate(loaded: IntrospectedWorkload, proposals: readonly Proposal[]): Evaluation {
  const result: Evaluation = { correct: [], wrong: [], raised: [], left: [] };
  for (const spec of loaded.specs) {
    const source = loaded.source.tables.find(
      (t) => t.schema === spec.from.schema && t.name === spec.from.name,
    );
    const target = loaded.target.tables.find((t) => t.schema === spec.to.schema && t.name === spec.to.name);
    const sourceColumns = new Set(source?.columns.map((c) => c.name));
    for (const column of target?.columns ?? []) {
      const label = `${spec.name}.${column.name}`;
      const mine = proposals.filter(
        (p) => p.migration === spec.name && 'column' in p && p.column === column.name,
      );
      const mapping = mine.find((p) => p.kind === 'column');
      if (mapping?.kind === 'column' && mapping.confidence >= MIN_CONFIDENCE) {
        const reads =
          mapping.from ??
          (mapping.expr === undefined ? 'omit' : columnsRead(mapping.expr, sourceColumns).join(', '));
        const expected = expectedReads(spec, column.name, target?.primaryKey ?? [], sourceColumns);
        (reads === expected ? result.correct : result.wrong).push(label);
      } else if (mine.some((p) => p.kind === 'decision')) {
        result.raised.push(label);
      } else {
        result.left.push(label);
      }
    }
  }
  return result;
}

/** The agent's answer with every declared column removed, checked the way ferry checks any agent's. */
function proposalsWithoutDeclarations(loaded: IntrospectedWorkload): Proposal[] {
  const request = agentRequest(
    'mapping',
    loaded.source,
    loaded.target,
    loaded.specs.map((spec) => undeclaredMigration(spec, loaded.target)),
  );
  const proposals = proposeMappings(request);
  expect(checkProposals('mapping', 'mapping', request, { proposals })).toEqual([]);
  return proposals;
}

/** What each example with its declared columns removed must come to. */
const EXAMPLES = [
  {
    name: 'examples/hr',
    files: HR_FILES,
    raised: [
      'departments.location',
      'departments.active',
      'employees.display_name',
      'employees.terminated_on',
      'employees.status',
    ],
    correct: 20,
    pairs: [
      'departments ← tbl_dept',
      'employees ← tbl_emp',
      'job_history ← tbl_job_history',
      'jobs ← tbl_job',
    ],
  },
  {
    name: 'examples/shop',
    files: SHOP_FILES,
    raised: [
      'customers.signed_up_on',
      'order_lines.order_id',
      'orders.customer_id',
      'orders.status',
      'payments.method',
      'products.price',
      'products.active',
    ],
    correct: 21,
    pairs: [
      'categories ← categories',
      'customers ← customers',
      'order_lines ← order_lines',
      'orders ← orders',
      'payments ← payments',
      'products ← products',
    ],
  },
];

for (const example of EXAMPLES) {
  describe(`${example.name} with its declared columns removed`, () => {
    const scenario = useWorkload(example.files);

    it('auto-accepts no wrong mapping and raises what names cannot settle', () => {
      const evaluation = evaluate(scenario(), proposalsWithoutDeclarations(scenario()));
      expect(evaluation.wrong).toEqual([]);
      expect(evaluation.raised).toEqual(example.raised);
      expect(evaluation.left).toEqual([]);
      expect(evaluation.correct).toHaveLength(example.correct);
    });

    it('pairs each target table with its source table', () => {
      const { source, target } = scenario();
      expect(pairs(source, target)).toEqual(example.pairs);
    });
  });
}
