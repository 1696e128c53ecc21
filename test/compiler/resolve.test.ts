// Resolution rules: the spec wins, then the first agent at or above the threshold; weaker proposals and
// unfillable NOT NULL columns become decisions; pinned lock entries are reused as they are.

import { describe, expect, it } from 'vitest';
import type { Proposal } from '../../src/agents/protocol.js';
import { compilePlan } from '../../src/compiler/compile.js';
import type { Plan } from '../../src/compiler/plan.js';
import { type AgentOutcome, resolvePlan } from '../../src/compiler/resolve.js';
import { lockPlan, pinnedFromLock } from '../../src/lock/lockfile.js';
import { loadSpecs } from '../../src/spec/load.js';
import type { SpecSet } from '../../src/spec/types.js';
import { catalog, table } from '../support/catalog-fixtures.js';
import { migrationYaml, TEST_ENV, writeSpecDir } from '../support/spec-fixtures.js';

const catalogs = {
  source: catalog(
    table(
      'legacy.people',
      { id: 'int4!', full_nm: 'text', flag: 'int2', team: 'int4' },
      { primaryKey: ['id'] },
    ),
  ),
  target: catalog(
    table('app.people', { id: 'int4!', name: 'text!', active: 'bool', team_id: 'int4', badge: 'text!' }),
  ),
};

async function compiled(columns = ''): Promise<Plan> {
  const dir = await writeSpecDir({
    'people.yaml': migrationYaml('people', 'legacy.people', 'app.people', columns),
  });
  const { specs } = await loadSpecs(dir, { env: TEST_ENV, cwd: dir });
  const { plan } = compilePlan(specs as SpecSet, { target: catalogs.target });
  return plan as Plan;
}

function column(
  name: string,
  value: Partial<Extract<Proposal, { kind: 'column' }>>,
  confidence: number,
): Proposal {
  return {
    kind: 'column',
    migration: 'people',
    column: name,
    confidence,
    reason: `because ${name}`,
    ...value,
  };
}

function resolve(plan: Plan, outcomes: AgentOutcome[]) {
  return resolvePlan({ plan, catalogs, outcomes, pinned: new Map(), minConfidence: 0.8 });
}

describe('resolvePlan', () => {
  it('keeps declared columns, takes the first confident proposal, and raises the rest', async () => {
    const plan = await compiled('columns:\n  badge: { expr: "\'B-\' || id" }\n');
    const resolved = resolve(plan, [
      {
        agent: 'mapping',
        proposals: [
          column('id', { from: 'id' }, 1),
          column('name', { from: 'full_nm' }, 0.6),
          column('active', { expr: 'flag <> 0' }, 0.9),
          column('badge', { from: 'full_nm' }, 1),
        ],
      },
      {
        agent: 'llm',
        proposals: [column('active', { from: 'flag' }, 0.95), column('team_id', { from: 'team' }, 0.85)],
      },
    ]);
    const people = resolved.migrations[0];
    expect(
      people?.columns.map((c) => [
        c.target,
        c.from ?? c.expr,
        c.origin.kind === 'inferred' ? c.origin.agent : 'declared',
      ]),
    ).toEqual([
      ['id', 'id', 'mapping'],
      ['active', 'flag <> 0', 'mapping'],
      ['team_id', 'team', 'llm'],
      ['badge', "'B-' || id", 'declared'],
    ]);
    expect(resolved.decisions.map((d) => [d.column, d.agent, d.options.map((o) => o.yaml)])).toEqual([
      ['name', 'mapping', ['columns:\n  name: { from: full_nm }\n']],
    ]);
    expect(resolved.decisions[0]?.question).toBe(
      'people.name (text): agent mapping suggests full_nm, but only with confidence 0.60 (because name). Confirm it or map the column yourself.',
    );
  });

  it('raises a NOT NULL column no agent can fill, and leaves a nullable one empty', async () => {
    const resolved = resolve(await compiled(), [
      { agent: 'mapping', proposals: [column('id', { from: 'id' }, 1)] },
    ]);
    expect(resolved.decisions.map((d) => [d.column, d.agent])).toEqual([
      ['name', 'ferry'],
      ['badge', 'ferry'],
    ]);
    expect(resolved.migrations[0]?.columns.map((c) => c.target)).toEqual(['id']);
  });

  it("prefers an agent's own decision to ferry's safety net, and drops decisions on columns that got resolved", async () => {
    const decision: Proposal = {
      kind: 'decision',
      migration: 'people',
      column: 'name',
      question: 'Which name?',
      options: [{ label: 'full name', yaml: 'columns:\n  name: { from: full_nm }\n' }],
    };
    const stale: Proposal = { ...decision, column: 'id', question: 'Which id?' };
    const resolved = resolve(await compiled('columns:\n  badge: { omit: true }\n'), [
      { agent: 'mapping', proposals: [decision, stale] },
      { agent: 'llm', proposals: [column('id', { from: 'id' }, 0.99)] },
    ]);
    expect(resolved.decisions.map((d) => [d.column, d.question])).toEqual([['name', 'Which name?']]);
  });

  it('gives a ref-only column its source column from the agent, keeping the ref', async () => {
    const plan = await compiled('columns:\n  team_id: { ref: people }\n');
    const resolved = resolve(plan, [
      { agent: 'mapping', proposals: [column('team_id', { from: 'team' }, 0.9)] },
    ]);
    expect(resolved.migrations[0]?.columns.find((c) => c.target === 'team_id')).toMatchObject({
      from: 'team',
      ref: 'people',
      origin: { kind: 'inferred', agent: 'mapping' },
    });
  });

  it('round-trips through ferry.lock: a pinned plan resolves to the same plan without agents', async () => {
    const plan = await compiled('columns:\n  badge: { expr: "\'B-\' || id" }\n');
    const first = resolve(plan, [
      {
        agent: 'mapping',
        proposals: [
          column('id', { from: 'id' }, 1),
          column('name', { from: 'full_nm' }, 0.9),
          column('active', { from: 'flag' }, 0.5),
        ],
      },
      {
        agent: 'planning',
        proposals: [
          {
            kind: 'batch',
            migration: 'people',
            size: 5000,
            parallelism: 1,
            confidence: 0.9,
            reason: 'small',
          },
        ],
      },
    ]);
    const entry = lockPlan(first).migrations.people;
    if (!entry) throw new Error('no lock entry');
    const pinned = new Map([['people', pinnedFromLock('people', entry)]]);
    const again = resolvePlan({ plan, catalogs, outcomes: [], pinned, minConfidence: 0.8 });
    expect(again).toEqual(first);
    expect(lockPlan(again)).toEqual(lockPlan(first));
  });
});
