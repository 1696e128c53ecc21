// The saved plan's pure parts, without a database: reading a file back (every way it can fail to be
// a saved plan this ferry applies), the basis compared part by part in plain words, and the saved
// plan held against the plan made again.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationNode, Plan } from '../../src/compiler/plan.js';
import { FerryError } from '../../src/errors.js';
import type { PlanBasis } from '../../src/plan-file/basis.js';
import { compareBasis } from '../../src/plan-file/compare-basis.js';
import { planDifferences } from '../../src/plan-file/compare-plans.js';
import { FERRY_VERSION } from '../../src/plan-file/ferry-version.js';
import { readSavedPlan, writeSavedPlan } from '../../src/plan-file/saved-plan-file.js';

const HASH_A = `sha256:${'a'.repeat(64)}`;
const HASH_B = `sha256:${'b'.repeat(64)}`;

const BASIS: PlanBasis = {
  formatVersion: 1,
  ferryVersion: FERRY_VERSION,
  createdAt: '2025-01-01T00:00:00.000Z',
  specs: { 'ferry.yaml': HASH_A, 'orders.yaml': HASH_A },
  lock: HASH_A,
  sourceTimeZone: 'Europe/Berlin',
  tables: {
    orders: {
      source: { table: 'legacy.orders', fingerprint: HASH_A },
      target: { table: 'app.orders', fingerprint: HASH_A },
    },
  },
  applied: {
    orders: { phase: 'loading', mappingHash: 'm1', batchesDone: 12, batchesTotal: 40, rows: 1200 },
    tags: null,
  },
};

const NODE: MigrationNode = {
  name: 'orders',
  from: { schema: 'legacy', name: 'orders' },
  to: { schema: 'app', name: 'orders' },
  keys: 'preserve',
  columns: [
    {
      target: 'id',
      from: 'id',
      origin: { kind: 'declared' },
      location: { file: 'a/orders.yaml', line: 5, column: 3 },
    },
  ],
  onError: 'pause',
  onOrphan: 'fail',
  batch: { size: 'auto' },
  tables: { source: { fingerprint: HASH_A, rowEstimate: 10 }, target: { fingerprint: HASH_A } },
  fixups: [],
  specHash: HASH_A,
  location: { file: 'a/orders.yaml', line: 1, column: 1 },
  locations: {
    from: { file: 'a/orders.yaml', line: 2, column: 7 },
    to: { file: 'a/orders.yaml', line: 3, column: 5 },
  },
};

const PLAN: Plan = {
  formatVersion: 1,
  migrations: [NODE],
  edges: [],
  layers: [['orders']],
  decisions: [],
  warnings: [],
  sourceTimeZone: { name: 'Europe/Berlin', origin: 'declared', serverDefault: 'UTC', affectedColumns: [] },
};

const NAMES = { specsDir: 'specs', lockName: 'ferry.lock' };

/** The plan as its file holds it: plain JSON. */
const asSaved = (plan: Plan) => JSON.parse(JSON.stringify(plan)) as Record<string, unknown>;

describe('compareBasis', () => {
  it('finds nothing when everything is as it was', () => {
    const { specs, lock, sourceTimeZone, tables, applied } = BASIS;
    expect(compareBasis(BASIS, { specs, lock, sourceTimeZone, tables, applied }, NAMES)).toEqual([]);
  });

  it('names every part that moved, in order, with the spec files located', () => {
    const reasons = compareBasis(
      BASIS,
      {
        specs: { 'orders.yaml': HASH_B, 'tags.yaml': HASH_A },
        lock: null,
        sourceTimeZone: 'UTC',
        tables: {
          orders: {
            source: { table: 'legacy.orders_v2', fingerprint: HASH_A },
            target: { table: 'app.orders', fingerprint: HASH_B },
          },
        },
        applied: {
          orders: { phase: 'done', mappingHash: 'm2', batchesDone: 40, batchesTotal: 40, rows: 4000 },
          tags: { phase: 'paused', mappingHash: 'm3', batchesDone: 0, batchesTotal: 1, rows: 0 },
        },
      },
      NAMES,
    );
    expect(reasons).toEqual([
      { message: 'specs/ferry.yaml was removed since the plan was made' },
      {
        message: 'specs/orders.yaml changed since the plan was made',
        location: { file: 'specs/orders.yaml', line: 1, column: 1 },
      },
      {
        message: 'specs/tags.yaml was added since the plan was made',
        location: { file: 'specs/tags.yaml', line: 1, column: 1 },
      },
      { message: 'ferry.lock was removed since the plan was made' },
      { message: '`orders` reads legacy.orders_v2 now, legacy.orders when the plan was made' },
      {
        message:
          'the structure of target table app.orders (migration `orders`) changed since the plan was made',
      },
      { message: 'the source time zone is UTC now, Europe/Berlin when the plan was made' },
      {
        message:
          "the target's state of `orders` moved: 12 of 40 batches done when the plan was made, 40 of 40 batches done now; phase loading then, done now; 1,200 rows then, 4,000 now; applied with another mapping since",
      },
      {
        message:
          "the target's state of `tags` moved: nothing applied when the plan was made, paused, 0 of 1 batches done, 0 rows now",
      },
    ]);
  });

  it('says so when the state was taken away, and when a lockfile appeared', () => {
    const reasons = compareBasis(
      { ...BASIS, lock: null },
      { lock: HASH_A, applied: { orders: null, tags: null } },
      NAMES,
    );
    expect(reasons.map((r) => r.message)).toEqual([
      'ferry.lock was written since the plan was made',
      "the target's state of `orders` moved: loading, 12 of 40 batches done, 1,200 rows when the plan was made, nothing applied now",
    ]);
  });
});

describe('planDifferences', () => {
  it('finds nothing for the same plan written elsewhere, estimated anew, or in another zone setting', () => {
    const moved: Plan = {
      ...PLAN,
      migrations: [
        {
          ...NODE,
          columns: NODE.columns.map((c) => ({
            ...c,
            location: { file: 'b/specs/orders.yaml', line: 9, column: 9 },
          })),
          tables: { source: { fingerprint: HASH_A, rowEstimate: 99 }, target: { fingerprint: HASH_A } },
          location: { file: 'b/specs/orders.yaml', line: 1, column: 1 },
        },
      ],
      sourceTimeZone: {
        name: 'Europe/Berlin',
        origin: 'declared',
        serverDefault: 'Asia/Tokyo',
        affectedColumns: [],
      },
    };
    expect(planDifferences(asSaved(PLAN), moved)).toEqual([]);
  });

  it('names migrations added, removed or resolved otherwise, and the parts of the graph that differ', () => {
    const tags: MigrationNode = { ...NODE, name: 'tags' };
    const saved = asSaved({ ...PLAN, migrations: [NODE, tags], layers: [['orders', 'tags']] });
    const now: Plan = {
      ...PLAN,
      migrations: [
        {
          ...NODE,
          keys: 'generate',
          columns: [{ target: 'id', expr: 'id + 1', origin: { kind: 'declared' } }],
        },
        { ...NODE, name: 'items' },
      ],
      layers: [['items', 'orders']],
    };
    expect(planDifferences(saved, now)).toEqual([
      '`tags` is in the saved plan but not planned now',
      'the plan of `orders` differs from the one made now (columns, keys)',
      '`items` is planned now but not in the saved plan',
      "the plan's layers differ from the ones made now",
    ]);
  });
});

describe('readSavedPlan and writeSavedPlan', () => {
  let dir: string;
  const output = {
    ok: true,
    decisionsPending: 0,
    lock: { path: 'ferry.lock', written: false, changes: [] },
    diagnostics: [],
    plan: PLAN,
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-saved-plan-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The message of the apply.plan-file error reading `content` gives. */
  async function refusal(content: string): Promise<string> {
    const path = join(dir, 'plan.json');
    await writeFile(path, content);
    const error = await readSavedPlan(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryError);
    const [diagnostic] = (error as FerryError).diagnostics;
    expect(diagnostic?.code).toBe('apply.plan-file');
    return (diagnostic?.message ?? '').replace(`${dir}/`, '');
  }

  it('reads back what it wrote', async () => {
    const path = join(dir, 'written.json');
    await writeSavedPlan(path, output, BASIS);
    const saved = await readSavedPlan(path);
    expect(saved.basis).toEqual(BASIS);
    expect(saved.plan).toEqual(asSaved(PLAN));
  });

  it('refuses what is no saved plan of this ferry, saying which', async () => {
    const withBasis = (basis: unknown) => JSON.stringify({ ...output, basis });
    expect(await refusal('{"ok": true, "plan": ')).toMatch(/^plan\.json is not JSON: /);
    expect(await refusal('[]')).toBe('plan.json is not a saved ferry plan: not a JSON object');
    expect(await refusal(JSON.stringify(output))).toBe(
      'plan.json is a plan without its basis: it was not saved with `ferry plan --out`',
    );
    expect(
      await refusal(JSON.stringify({ ok: false, diagnostics: [{ code: 'spec.schema', message: 'x' }] })),
    ).toBe('plan.json holds the diagnostics of a plan that failed, not a plan');
    expect(await refusal(withBasis({ ...BASIS, formatVersion: 2 }))).toBe(
      'plan.json is a saved plan of format 2; this ferry reads format 1',
    );
    expect(await refusal(withBasis({ ...BASIS, lock: 42 }))).toMatch(
      /^plan\.json is not a saved ferry plan: .* at basis\.lock$/,
    );
    expect(await refusal(withBasis({ ...BASIS, ferryVersion: '0.0.1' }))).toBe(
      `plan.json was saved by ferry 0.0.1; this is ferry ${FERRY_VERSION}, which may plan differently`,
    );
  });
});
