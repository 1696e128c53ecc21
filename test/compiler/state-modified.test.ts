// What changed against the base branch's lockfile, over the reference workload's graph:
// brackets → case_files → {orders, case_file_tags}; tags → case_file_tags. The plan is compiled from
// the specs and given table fingerprints, as resolution would; the base lock is that plan's lock form,
// edited the way a branch would differ.

import { beforeAll, describe, expect, it } from 'vitest';
import { compilePlan } from '../../src/compiler/compile.js';
import type { MigrationNode, Plan } from '../../src/compiler/plan.js';
import { selectMigrations } from '../../src/compiler/select.js';
import { type BaseLock, compareWithBase } from '../../src/compiler/state-modified.js';
import { FerryError } from '../../src/errors.js';
import { type Lockfile, lockPlan } from '../../src/lock/lockfile.js';
import { loadSpecs } from '../../src/spec/load.js';
import type { SpecSet } from '../../src/spec/types.js';
import { TEST_ENV } from '../support/spec-fixtures.js';

let compiled: Plan;
let resolved: Plan;

beforeAll(async () => {
  const { specs } = await loadSpecs('specs', { env: TEST_ENV });
  compiled = compilePlan(specs as SpecSet).plan as Plan;
  resolved = {
    ...compiled,
    migrations: compiled.migrations.map((m) => ({
      ...m,
      tables: {
        source: { fingerprint: `sha256:src-${m.name}` },
        target: { fingerprint: `sha256:tgt-${m.name}` },
      },
    })),
  };
});

function base(edit: (lock: Lockfile) => Lockfile = (lock) => lock): BaseLock {
  return { lock: edit(structuredClone(lockPlan(resolved))), name: 'base.lock' };
}

function withMigration(plan: Plan, name: string, change: (m: MigrationNode) => MigrationNode): Plan {
  return { ...plan, migrations: plan.migrations.map((m) => (m.name === name ? change(m) : m)) };
}

function summary(plan: Plan, baseLock: BaseLock, currentLock?: Lockfile) {
  const result = compareWithBase(plan, baseLock, currentLock ? { currentLock } : {});
  return {
    changed: Object.fromEntries(result.changed.map((c) => [c.migration, c.details])),
    kinds: Object.fromEntries(result.changed.map((c) => [c.migration, c.kinds])),
    affected: result.affected,
    deleted: result.deleted,
  };
}

describe('compareWithBase', () => {
  it('finds nothing when the plan is what the base branch pinned', () => {
    expect(summary(resolved, base())).toEqual({ changed: {}, kinds: {}, affected: [], deleted: [] });
  });

  it('marks an edited spec changed and its descendants downstream', () => {
    const plan = withMigration(resolved, 'case_files', (m) => ({ ...m, specHash: 'sha256:edited' }));
    expect(summary(plan, base())).toEqual({
      changed: { case_files: ['spec edited'] },
      kinds: { case_files: ['spec'] },
      affected: ['case_file_tags', 'orders'],
      deleted: [],
    });
  });

  it('names the columns whose resolved value differs, origins aside', () => {
    const plan = withMigration(resolved, 'orders', (m) => ({
      ...m,
      columns: m.columns.map((c) =>
        c.target === 'amount'
          ? { ...c, expr: 'round(amount_cents / 100.0, 2)' }
          : { ...c, origin: { kind: 'inferred', agent: 'x', confidence: 1, reason: 'r' } },
      ),
    }));
    expect(summary(plan, base()).changed).toEqual({ orders: ['column `amount`'] });
  });

  it('tells a new migration, its children depending on something new, and a removed one', () => {
    const result = summary(
      resolved,
      base((lock) => {
        delete lock.migrations.tags;
        lock.migrations.legacy_notes = structuredClone(
          lock.migrations.brackets as Lockfile['migrations'][string],
        );
        return lock;
      }),
    );
    expect(result).toEqual({
      changed: { tags: ['new since the base branch'], case_file_tags: ['now after `tags`, which is new'] },
      kinds: { tags: ['new'], case_file_tags: ['dependencies'] },
      affected: [],
      deleted: ['legacy_notes'],
    });
  });

  it('tells a gained reference and a table whose structure changed', () => {
    const result = summary(
      resolved,
      base((lock) => {
        const orders = lock.migrations.orders as Lockfile['migrations'][string];
        orders.columns.case_file_id = { from: 'casefile_id', origin: 'declared' };
        orders.target.fingerprint = 'sha256:older';
        return lock;
      }),
    );
    expect(result.changed).toEqual({
      orders: [
        'column `case_file_id`',
        'now refers to `case_files`',
        'target table app.orders changed structure',
      ],
    });
    expect(result.kinds).toEqual({ orders: ['mapping', 'dependencies', 'structure'] });
  });

  it('reads the mapping of an unresolved plan from the committed lock', () => {
    const current = structuredClone(lockPlan(resolved));
    (current.migrations.tags as Lockfile['migrations'][string]).columns.label = {
      expr: 'upper(label)',
      origin: 'declared',
    };
    expect(summary(compiled, base(), current).changed).toEqual({ tags: ['column `label`'] });
    // Without the committed lock only the spec hashes speak, and they agree.
    expect(summary(compiled, base()).changed).toEqual({});
  });

  it('marks the migrations a moved source time zone decides', () => {
    const plan: Plan = {
      ...resolved,
      sourceTimeZone: {
        name: 'Europe/Berlin',
        origin: 'source-server',
        serverDefault: 'Europe/Berlin',
        affectedColumns: [
          { migration: 'orders', column: 'placed_at', conversion: 'timestamp → timestamptz' },
        ],
      },
    };
    const result = summary(
      plan,
      base((lock) => ({ ...lock, sourceTimeZone: { name: 'UTC', origin: 'source-server' } })),
    );
    expect(result.changed).toEqual({ orders: ['source time zone UTC → Europe/Berlin'] });
  });
});

describe('--select state:modified', () => {
  const edited = () => withMigration(resolved, 'case_files', (m) => ({ ...m, specHash: 'sha256:edited' }));

  it('selects the changed migrations and their descendants, and combines with the other selectors', () => {
    expect(selectMigrations(edited(), { select: ['state:modified'], baseLock: base() })).toEqual([
      'case_files',
      'case_file_tags',
      'orders',
    ]);
    expect(selectMigrations(edited(), { select: ['+state:modified'], baseLock: base() })).toEqual([
      'brackets',
      'tags',
      'case_files',
      'case_file_tags',
      'orders',
    ]);
    expect(
      selectMigrations(edited(), { select: ['state:modified'], exclude: ['orders'], baseLock: base() }),
    ).toEqual(['case_files', 'case_file_tags']);
  });

  it('selects nothing when nothing changed, rather than everything', () => {
    expect(selectMigrations(resolved, { select: ['state:modified'], baseLock: base() })).toEqual([]);
  });

  it('needs the base lockfile, and knows only state:modified', () => {
    const missing = captureError(() => selectMigrations(resolved, { select: ['state:modified'] }));
    expect(missing.code).toBe('select.no-base-lock');
    expect(missing.diagnostics[0]?.hint).toBe(
      'pass --base-lock FILE, written by: git show "$BASE_SHA:ferry.lock" > base.lock',
    );
    const unknown = captureError(() =>
      selectMigrations(resolved, { select: ['state:new'], baseLock: base() }),
    );
    expect(unknown.code).toBe('select.syntax');
    expect(unknown.message).toBe('cannot read selector `state:new`: unknown state `new`');
    // Plain selectors never read the base lockfile, so they need none.
    expect(selectMigrations(resolved, { select: ['orders'] })).toEqual(['orders']);
  });
});

function captureError(action: () => unknown): FerryError {
  try {
    action();
  } catch (error) {
    if (error instanceof FerryError) return error;
    throw error;
  }
  throw new Error('expected a FerryError');
}
