// The guidance agent: findings raised by other agents become plain-language decisions whose every
// option is YAML that parses, with the shape a spec expects, ready to paste.

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { guidanceAgent } from '../../src/agents/builtin/guidance.js';
import {
  AGENT_PROTOCOL_VERSION,
  AgentAnswer,
  type AgentRequest,
  type DecisionProposal,
  KINDS_BY_ROLE,
  type Proposal,
} from '../../src/agents/protocol.js';
import type { CatalogColumn } from '../../src/catalog/types.js';
import { catalog, table } from '../support/catalog-fixtures.js';

type Finding = NonNullable<AgentRequest['findings']>[number];

/** The target table the findings are about: one column of each kind a placeholder depends on. */
const COLUMNS: Record<string, Partial<CatalogColumn> & Pick<CatalogColumn, 'type' | 'baseType'>> = {
  id: { type: 'bigint', baseType: 'int8', nullable: false, identity: 'by default' },
  status: { type: 'text', baseType: 'text', nullable: false },
  notes: { type: 'text', baseType: 'text', nullable: true },
  code: { type: 'character(2)', baseType: 'bpchar', nullable: false, maxLength: 2 },
  opened_on: { type: 'date', baseType: 'date', nullable: false },
  amount: { type: 'numeric(12,2)', baseType: 'numeric', nullable: false, precision: 12, scale: 2 },
  active: { type: 'boolean', baseType: 'bool', nullable: false, default: 'true' },
  placed_at: { type: 'timestamp with time zone', baseType: 'timestamptz', nullable: false },
  labels: { type: 'text[]', baseType: 'text[]', nullable: false },
  search: { type: 'tsvector', baseType: 'tsvector', nullable: true, generated: true },
};

const caseFiles = table('app.case_files', {}, { primaryKey: ['id'] });
const TARGET = catalog({
  ...caseFiles,
  columns: Object.entries(COLUMNS).map(([name, column], i) => ({
    name,
    ordinal: i + 1,
    nullable: true,
    serial: false,
    generated: false,
    ...column,
  })),
});

function request(findings: Finding[] | undefined): AgentRequest {
  return {
    protocol: AGENT_PROTOCOL_VERSION,
    role: 'guidance',
    minConfidence: 0.8,
    source: catalog(table('legacy.dispatch_casefile', { id: 'int8!', status_cd: 'bpchar!' })),
    target: TARGET,
    migrations: [
      {
        name: 'case_files',
        from: { schema: 'legacy', name: 'dispatch_casefile' },
        to: { schema: 'app', name: 'case_files' },
        keys: 'preserve',
        declaredColumns: {},
        openColumns: Object.keys(COLUMNS),
      },
    ],
    ...(findings === undefined ? {} : { findings }),
  };
}

function finding(column: string | undefined, question: string, options: Finding['options'] = []): Finding {
  return {
    kind: 'decision',
    migration: 'case_files',
    ...(column === undefined ? {} : { column }),
    question,
    options,
  };
}

/** The answer, checked against the protocol and the guidance role's kinds. */
async function guide(findings: Finding[] | undefined): Promise<Proposal[]> {
  const { proposals } = AgentAnswer.parse(await guidanceAgent.run(request(findings)));
  for (const proposal of proposals) expect(KINDS_BY_ROLE.guidance).toContain(proposal.kind);
  return proposals;
}

async function decisions(findings: Finding[]): Promise<DecisionProposal[]> {
  return (await guide(findings)).filter((p): p is DecisionProposal => p.kind === 'decision');
}

/** Each option parsed as a spec fragment: `{ columns: { <column>: { from | expr | omit } } }`. */
function parsedColumns(decision: DecisionProposal): unknown[] {
  return decision.options.map((option) => {
    expect(option.yaml.endsWith('\n')).toBe(true);
    const value = parse(option.yaml) as { columns: Record<string, Record<string, unknown>> };
    expect(Object.keys(value)).toEqual(['columns']);
    return value.columns;
  });
}

const STATUS_QUESTION =
  'Migration case_files, column app.case_files.status (text, NOT NULL, no default): no source column matches status. ' +
  'ferry will not guess: a wrong guess would load without any error and go unnoticed, and left out it would fail on every row. ' +
  'Choose an option and paste its YAML into the spec of case_files, merging it into its columns: block if it has one.';

describe('the guidance agent', () => {
  it('explains a finding without options and offers a constant placeholder for a NOT NULL column', async () => {
    expect(await guide([finding('status', 'no source column matches status')])).toEqual([
      {
        kind: 'decision',
        migration: 'case_files',
        column: 'status',
        question: STATUS_QUESTION,
        options: [
          {
            label: 'give every row one constant (replace the placeholder)',
            yaml: `columns:\n  status: { expr: "'TODO'" } # placeholder: replace 'TODO' with the value every row should get\n`,
          },
        ],
      },
    ]);
    const [decision] = await decisions([finding('status', 'no source column matches status')]);
    expect(parsedColumns(decision as DecisionProposal)).toEqual([{ status: { expr: "'TODO'" } }]);
  });

  it('picks a placeholder of the column type, and offers to leave out what the target can fill in', async () => {
    const columns = Object.keys(COLUMNS);
    const answers = await decisions(columns.map((column) => finding(column, `nothing matches ${column}`)));
    const options = Object.fromEntries(answers.map((d) => [d.column, parsedColumns(d)]));
    expect(options).toEqual({
      id: [{ id: { expr: '0' } }, { id: { omit: true } }],
      status: [{ status: { expr: "'TODO'" } }],
      notes: [{ notes: { expr: "'TODO'" } }, { notes: { omit: true } }],
      code: [{ code: { expr: "'XX'" } }],
      opened_on: [{ opened_on: { expr: "DATE '1970-01-01'" } }],
      amount: [{ amount: { expr: '0' } }],
      active: [{ active: { expr: 'false' } }, { active: { omit: true } }],
      placed_at: [{ placed_at: { expr: "TIMESTAMPTZ '1970-01-01 00:00:00+00'" } }],
      labels: [{ labels: { expr: "'{}'" } }],
      search: [{ search: { omit: true } }],
    });
    const labels = Object.fromEntries(answers.map((d) => [d.column, d.options.slice(1).map((o) => o.label)]));
    expect(labels).toMatchObject({
      id: ['let the target generate it'],
      notes: ['leave it NULL'],
      active: ["leave it to the target's default, true"],
    });
    expect(answers.find((d) => d.column === 'notes')?.question).toContain(
      '(text, nullable, no default): nothing matches notes. ferry will not guess: a wrong guess would load without any error and go unnoticed; left out, every row gets NULL.',
    );
    expect(answers.find((d) => d.column === 'search')?.options[0]?.label).toBe(
      'leave it to the target, which computes it',
    );
  });

  it("brings other agents' options into the spec's shape, and keeps their values exactly", async () => {
    const tricky = "coalesce(notes, 'n/a') || ' # ' || \"Remarks\" || E'\\\\n: {x}'";
    const [decision] = await decisions([
      finding('notes', 'two source columns could fill notes', [
        { label: 'copy notes', yaml: '{ from: notes }' },
        { label: 'copy remarks', yaml: 'from: remarks\n' },
        { label: 'combine them', yaml: `columns:\n    notes:\n        expr: ${JSON.stringify(tricky)}` },
        { label: 'copy notes again', yaml: 'columns:\n  notes: { from: notes }\n' },
        { label: 'look it up', yaml: '{ from: status_cd, ref: statuses }' },
      ]),
    ]);
    expect(decision?.options).toEqual([
      { label: 'copy notes', yaml: 'columns:\n  notes: { from: notes }\n' },
      { label: 'copy remarks', yaml: 'columns:\n  notes: { from: remarks }\n' },
      { label: 'combine them', yaml: expect.stringMatching(/^columns:\n {2}notes: \{ expr: .+ \}\n$/) },
      { label: 'look it up', yaml: 'columns:\n  notes: { from: status_cd, ref: statuses }\n' },
    ]);
    expect(parsedColumns(decision as DecisionProposal)).toEqual([
      { notes: { from: 'notes' } },
      { notes: { from: 'remarks' } },
      { notes: { expr: tricky } },
      { notes: { from: 'status_cd', ref: 'statuses' } },
    ]);
  });

  it('leaves out options that are not valid YAML mappings, with a warning for each', async () => {
    const proposals = await guide([
      finding('status', 'which status?', [
        { label: 'broken', yaml: 'columns: [' },
        { label: 'a bare word', yaml: 'status_cd' },
        { label: 'copy status_cd', yaml: '{ from: status_cd }' },
      ]),
    ]);
    expect(proposals.map((p) => p.kind)).toEqual(['decision', 'warning', 'warning']);
    expect(proposals[0]).toMatchObject({
      options: [{ label: 'copy status_cd', yaml: 'columns:\n  status: { from: status_cd }\n' }],
    });
    expect(proposals[1]).toMatchObject({
      kind: 'warning',
      migration: 'case_files',
      column: 'status',
      message: expect.stringMatching(
        /^the option "broken" for case_files\.status was left out: its YAML cannot be pasted into a spec \(.+\)$/,
      ),
    });
    expect(proposals[2]).toMatchObject({
      message:
        'the option "a bare word" for case_files.status was left out: its YAML cannot be pasted into a spec (not a YAML mapping)',
    });
  });

  it('keeps migration-wide findings and their options as written', async () => {
    const where = { label: 'open case files only', yaml: 'where: "status_cd = \'O\'"\n' };
    expect(await guide([finding(undefined, 'which rows should move', [where])])).toEqual([
      {
        kind: 'decision',
        migration: 'case_files',
        question:
          'Migration case_files (legacy.dispatch_casefile → app.case_files): which rows should move. ' +
          'ferry will not guess: a wrong guess would load without any error and go unnoticed. ' +
          'Choose an option and paste its YAML into the spec of case_files.',
        options: [where],
      },
    ]);
    expect(parse(where.yaml)).toEqual({ where: "status_cd = 'O'" });
  });

  it('says when the column is not in the target catalog', async () => {
    const [decision] = await decisions([finding('legacy_flag', 'is legacy_flag still needed?')]);
    expect(decision?.question).toMatch(
      /^Migration case_files, column app\.case_files\.legacy_flag \(not in the target catalog\): is legacy_flag still needed\? /,
    );
    expect(parsedColumns(decision as DecisionProposal)).toEqual([{ legacy_flag: { expr: "'TODO'" } }]);
  });

  it('answers only for migrations in the request, in the order of the findings, the same way every time', async () => {
    const findings = [
      { ...finding('status', 'x'), migration: 'orders' },
      finding('amount', 'amount in cents or units?'),
      finding('status', 'no source column matches status'),
    ];
    const first = await guide(findings);
    expect(first.map((p) => (p.kind === 'decision' ? p.column : p.kind))).toEqual(['amount', 'status']);
    expect(await guide(findings)).toEqual(first);
    expect(await guide(undefined)).toEqual([]);
    expect(await guide([])).toEqual([]);
  });
});
