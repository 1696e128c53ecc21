// The planning agent on catalogs introspected from real databases (the reference workload at two
// scales, the examples) and on synthetic catalogs: never analyzed, very wide rows, more cores.

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createPlanningAgent, DEFAULT_PLAN_CORES, planningAgent } from '../../src/agents/builtin/planning.js';
import {
  type Agent,
  AgentAnswer,
  type AgentRequest,
  type BatchProposal,
  KINDS_BY_ROLE,
  type Proposal,
} from '../../src/agents/protocol.js';
import type { CatalogTable } from '../../src/catalog/types.js';
import {
  agentRequest,
  introspectWorkload,
  type MigrationExtras,
  migration,
  requestFor,
  useWorkload,
} from '../support/agent-request.js';
import { catalog, table } from '../support/catalog-fixtures.js';
import { HR_FILES, referenceFiles, SHOP_FILES } from '../support/workload.js';

const twoCores = createPlanningAgent({ cores: 2 });

/** The answer, checked against the protocol: only kinds the planning role may answer with. */
async function plan(request: AgentRequest, agent: Agent = twoCores): Promise<Proposal[]> {
  const { proposals } = AgentAnswer.parse(await agent.run(request));
  for (const proposal of proposals) expect(KINDS_BY_ROLE.planning).toContain(proposal.kind);
  return proposals;
}

async function batches(request: AgentRequest, agent: Agent = twoCores): Promise<BatchProposal[]> {
  const proposals = await plan(request, agent);
  const batchProposals = proposals.filter((p): p is BatchProposal => p.kind === 'batch');
  expect(batchProposals.map((p) => p.migration)).toEqual(request.migrations.map((m) => m.name));
  return batchProposals;
}

/** `name: size × parallelism (confidence)`, one line per migration. */
async function summary(request: AgentRequest, agent: Agent = twoCores): Promise<string[]> {
  return (await batches(request, agent)).map(
    (p) => `${p.migration}: ${p.size} × ${p.parallelism} (${p.confidence})`,
  );
}

function batch(migration: string, size: number, parallelism: number, confidence: number, reason: string) {
  return { kind: 'batch', migration, size, parallelism, confidence, reason };
}

describe('the reference workload at scale 0.001', () => {
  const workload = useWorkload(referenceFiles('0.001'));

  it('puts catalog tables in one batch and sizes the others by row width', async () => {
    expect(await plan(requestFor('planning', workload()))).toEqual([
      batch(
        'brackets',
        2000,
        1,
        0.9,
        'catalog table (set in the spec): 1,569 rows × 36 bytes ≈ 55 KB → one batch of 2,000 rows',
      ),
      batch(
        'case_file_tags',
        200_000,
        1,
        0.9,
        '1,998 rows × 12 bytes ≈ 23 KB → 1 batch of 200,000 rows (≈ 2 MB each, at the 200,000-row cap); one at a time (not over 200,000 rows)',
      ),
      batch(
        'case_files',
        150_000,
        1,
        0.9,
        '1,000 rows × 77 bytes ≈ 75 KB → 1 batch of 150,000 rows (≈ 11 MB each, aiming at 12 MB); one at a time (not over 200,000 rows)',
      ),
      batch(
        'orders',
        200_000,
        1,
        0.9,
        '2,000 rows × 32 bytes ≈ 63 KB → 1 batch of 200,000 rows (≈ 6 MB each, at the 200,000-row cap); one at a time (not over 200,000 rows)',
      ),
      batch(
        'tags',
        1000,
        1,
        0.9,
        'catalog table (set in the spec): 500 rows × 11 bytes ≈ 5 KB → one batch of 1,000 rows',
      ),
    ]);
  });
});

describe('the reference workload at scale 0.1', () => {
  const workload = useWorkload(referenceFiles('0.1'));

  it('sizes batches from the measured rows and widths', async () => {
    const built = workload();
    expect(await summary(requestFor('planning', built))).toEqual([
      'brackets: 2000 × 1 (0.9)',
      'case_file_tags: 200000 × 1 (0.9)',
      'case_files: 150000 × 1 (0.9)',
      'orders: 200000 × 1 (0.9)',
      'tags: 1000 × 1 (0.9)',
    ]);
    const proposals = await batches(requestFor('planning', built));
    expect(proposals.find((p) => p.migration === 'case_files')?.reason).toBe(
      '100,000 rows × 79 bytes ≈ 8 MB → 1 batch of 150,000 rows (≈ 11 MB each, aiming at 12 MB); one at a time (not over 200,000 rows)',
    );
    expect(proposals.find((p) => p.migration === 'orders')?.reason).toBe(
      '200,000 rows × 32 bytes ≈ 6 MB → 1 batch of 200,000 rows (≈ 6 MB each, at the 200,000-row cap); one at a time (not over 200,000 rows)',
    );
  });

  it('classes brackets and tags as catalog tables by itself, as the specs do', async () => {
    const built = workload();
    const inferred = { ...built, migrations: built.migrations.map(({ class: _, ...m }) => m) };
    expect((await batches(requestFor('planning', inferred))).find((p) => p.migration === 'brackets')).toEqual(
      batch(
        'brackets',
        2000,
        1,
        0.9,
        'catalog table: 1,569 rows × 36 bytes ≈ 55 KB → one batch of 2,000 rows',
      ),
    );
  });

  it('runs the tables that grow with the scale two batches at a time at scale 1', async () => {
    const built = workload();
    const scaled = new Set(['dispatch_casefile', 'dispatch_order', 'dispatch_casefile_tags']);
    const tables = built.source.tables.map((t) =>
      scaled.has(t.name) && t.rowEstimate !== undefined ? { ...t, rowEstimate: t.rowEstimate * 10 } : t,
    );
    const request = requestFor('planning', { ...built, source: { ...built.source, tables } });
    expect(await summary(request)).toEqual([
      'brackets: 2000 × 1 (0.9)',
      'case_file_tags: 200000 × 2 (0.9)',
      'case_files: 150000 × 2 (0.9)',
      'orders: 200000 × 2 (0.9)',
      'tags: 1000 × 1 (0.9)',
    ]);
    const reasons = (await batches(request)).map((p) => p.reason);
    expect(reasons.slice(1, 4)).toEqual([
      '1,998,000 rows × 12 bytes ≈ 23 MB → 10 batches of 200,000 rows (≈ 2 MB each, at the 200,000-row cap); 2 at a time (over 200,000 rows; 2 cores)',
      '1,000,000 rows × 79 bytes ≈ 75 MB → 7 batches of 150,000 rows (≈ 11 MB each, aiming at 12 MB); 2 at a time (over 200,000 rows; 2 cores)',
      '2,000,000 rows × 32 bytes ≈ 61 MB → 10 batches of 200,000 rows (≈ 6 MB each, at the 200,000-row cap); 2 at a time (over 200,000 rows; 2 cores)',
    ]);
  });
});

describe('the examples', () => {
  it('hr and shop: small tables, one batch each', async () => {
    expect(await summary(requestFor('planning', await introspectWorkload(HR_FILES)))).toEqual([
      'departments: 1000 × 1 (0.9)',
      'employees: 150000 × 1 (0.9)',
      'job_history: 200000 × 1 (0.9)',
      'jobs: 1000 × 1 (0.9)',
    ]);
    expect(await summary(requestFor('planning', await introspectWorkload(SHOP_FILES)))).toEqual([
      'categories: 1000 × 1 (0.9)',
      'customers: 1000 × 1 (0.9)',
      'order_lines: 200000 × 1 (0.9)',
      'orders: 200000 × 1 (0.9)',
      'payments: 200000 × 1 (0.9)',
      'products: 200000 × 1 (0.9)',
    ]);
  });
});

// Synthetic catalogs: one legacy table per request, no foreign keys (so transactional unless the
// spec says otherwise), with the statistics each case needs.

function eventsRequest(source: Partial<CatalogTable>, extra: MigrationExtras = {}): AgentRequest {
  const events = {
    ...table('legacy.events', { id: 'int8!', payload: 'text' }, { primaryKey: ['id'] }),
    ...source,
  };
  const target = catalog(table('app.events', { id: 'int8!', payload: 'text' }, { primaryKey: ['id'] }));
  return agentRequest('planning', catalog(events), target, [
    migration('events', 'legacy.events', 'app.events', target, extra),
  ]);
}

describe('synthetic catalogs', () => {
  it('plans conservatively for a table that was never analyzed, and says so', async () => {
    expect(await plan(eventsRequest({}))).toEqual([
      batch(
        'events',
        10_000,
        1,
        0.5,
        'legacy.events was never analyzed, so its row count is unknown (run ANALYZE legacy.events and plan again): a conservative 10,000 rows per batch, one at a time',
      ),
    ]);
    // Fixed-width types still tell the width: wide rows get smaller batches even without statistics.
    expect(await summary(eventsRequest({ averageRowWidth: 20_000 }))).toEqual(['events: 1000 × 1 (0.5)']);
    expect(await summary(eventsRequest({ averageRowWidth: 40 }))).toEqual(['events: 10000 × 1 (0.5)']);
  });

  it('stays conservative when only the row width is unknown', async () => {
    expect(await plan(eventsRequest({ rowEstimate: 500_000 }))).toEqual([
      batch(
        'events',
        10_000,
        2,
        0.6,
        '500,000 rows of unknown width (legacy.events has no statistics: run ANALYZE legacy.events): a conservative 10,000 rows per batch; 2 at a time (over 200,000 rows; 2 cores)',
      ),
    ]);
  });

  it('keeps the row floor for extremely wide rows, and warns with the YAML for a smaller size', async () => {
    const proposals = await plan(eventsRequest({ rowEstimate: 1_000_000, averageRowWidth: 50_000 }));
    expect(proposals).toEqual([
      batch(
        'events',
        1000,
        2,
        0.7,
        '1,000,000 rows × 50,000 bytes ≈ 46.6 GB → 1,000 batches of 1,000 rows (≈ 48 MB each, at the 1,000-row floor); 2 at a time (over 200,000 rows; 2 cores)',
      ),
      {
        kind: 'warning',
        migration: 'events',
        message:
          'rows of events average 49 KB, so even a batch of 1,000 rows carries ≈ 48 MB; if batches time out, 250 rows make about 12 MB',
        yaml: 'batch:\n  size: 250\n',
      },
    ]);
    const warning = proposals[1];
    expect(warning?.kind === 'warning' && parse(warning.yaml ?? '')).toEqual({ batch: { size: 250 } });
  });

  it('rounds sizes down to readable numbers between the floor and the cap', async () => {
    const sizes = await Promise.all(
      [4, 60, 79, 100, 333, 1000, 5000, 12_000].map(async (width) => {
        const [proposal] = await batches(eventsRequest({ rowEstimate: 1_000_000, averageRowWidth: width }));
        return proposal?.size;
      }),
    );
    expect(sizes).toEqual([200_000, 200_000, 150_000, 120_000, 30_000, 12_000, 2500, 1000]);
  });

  it('runs as many batches at a time as the machine class has cores, never more than there are batches', async () => {
    const eightCores = createPlanningAgent({ cores: 8 });
    const rows = [150_000, 250_000, 2_000_000, 50_000_000];
    const plans = await Promise.all(
      rows.map(async (rowEstimate) =>
        summary(eventsRequest({ rowEstimate, averageRowWidth: 32 }), eightCores),
      ),
    );
    expect(plans.flat()).toEqual([
      'events: 200000 × 1 (0.9)',
      'events: 200000 × 2 (0.9)',
      'events: 200000 × 8 (0.9)',
      'events: 200000 × 8 (0.9)',
    ]);
    const [proposal] = await batches(
      eventsRequest({ rowEstimate: 2_000_000, averageRowWidth: 32 }),
      eightCores,
    );
    expect(proposal?.reason).toBe(
      '2,000,000 rows × 32 bytes ≈ 61 MB → 10 batches of 200,000 rows (≈ 6 MB each, at the 200,000-row cap); 8 at a time (over 200,000 rows; 8 cores)',
    );
    expect(
      await summary(
        eventsRequest({ rowEstimate: 2_000_000, averageRowWidth: 32 }),
        createPlanningAgent({ cores: 1 }),
      ),
    ).toEqual(['events: 200000 × 1 (0.9)']);
  });

  it('follows a catalog class set in the spec, and warns when that table is large', async () => {
    const proposals = await plan(
      eventsRequest({ rowEstimate: 1_234_567, averageRowWidth: 20 }, { class: 'catalog' }),
    );
    expect(proposals).toEqual([
      batch(
        'events',
        1_500_000,
        1,
        0.9,
        'catalog table (set in the spec): 1,234,567 rows × 20 bytes ≈ 24 MB → one batch of 1,500,000 rows',
      ),
      {
        kind: 'warning',
        migration: 'events',
        message:
          'events is a catalog table, so its 1,234,567 rows load in one batch: a failure retries all of them; classed transactional it would load in sized batches',
        yaml: 'class: transactional\n',
      },
    ]);
    expect(await plan(eventsRequest({}, { class: 'catalog' }))).toEqual([
      batch(
        'events',
        10_000,
        1,
        0.5,
        'catalog table (set in the spec), but legacy.events was never analyzed, so its row count is unknown (run ANALYZE legacy.events and plan again): one batch of 10,000 rows if it holds no more',
      ),
    ]);
  });

  it('sizes for a fixed machine class by default, whatever machine plans, and refuses a core count that is not one', async () => {
    const request = eventsRequest({ rowEstimate: 5_000_000, averageRowWidth: 32 });
    const fixed = createPlanningAgent({ cores: DEFAULT_PLAN_CORES });
    expect(DEFAULT_PLAN_CORES).toBe(2);
    expect(await plan(request, planningAgent)).toEqual(await plan(request, fixed));
    expect(await plan(request, planningAgent)).not.toEqual(
      await plan(request, createPlanningAgent({ cores: 8 })),
    );
    expect(planningAgent).toMatchObject({ name: 'planning', role: 'planning' });
    expect(() => createPlanningAgent({ cores: 0 })).toThrow(RangeError);
    expect(() => createPlanningAgent({ cores: 1.5 })).toThrow('cores must be a positive integer, not 1.5');
  });

  it('proposes only for the migrations it is asked about, the same way every time', async () => {
    const request = { ...eventsRequest({ rowEstimate: 10 }), migrations: [] };
    expect(await plan(request)).toEqual([]);
    const analyzed = eventsRequest({ rowEstimate: 300_000, averageRowWidth: 64 });
    expect(await plan(analyzed)).toEqual(await plan(analyzed));
  });
});
