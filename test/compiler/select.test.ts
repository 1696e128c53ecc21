// dbt-style selectors over the reference workload's graph:
// brackets → case_files → {orders, case_file_tags}; tags → case_file_tags.

import { beforeAll, describe, expect, it } from 'vitest';
import { compilePlan } from '../../src/compiler/compile.js';
import type { Plan } from '../../src/compiler/plan.js';
import { restrictPlan, selectMigrations } from '../../src/compiler/select.js';
import { FerryError } from '../../src/errors.js';
import { loadSpecs } from '../../src/spec/load.js';
import type { SpecSet } from '../../src/spec/types.js';
import { TEST_ENV } from '../support/spec-fixtures.js';

let plan: Plan;
beforeAll(async () => {
  const { specs } = await loadSpecs('specs', { env: TEST_ENV });
  plan = compilePlan(specs as SpecSet).plan as Plan;
});

describe('selectMigrations', () => {
  it.each([
    [['orders'], [], ['orders']],
    [['+orders'], [], ['brackets', 'case_files', 'orders']],
    [['1+orders'], [], ['case_files', 'orders']],
    [['case_files+'], [], ['case_files', 'case_file_tags', 'orders']],
    [['brackets+1'], [], ['brackets', 'case_files']],
    [['+case_file_tags'], [], ['brackets', 'tags', 'case_files', 'case_file_tags']],
    [['@brackets'], [], ['brackets', 'tags', 'case_files', 'case_file_tags', 'orders']],
    [['tags,orders'], [], ['tags', 'orders']],
    [['tags', 'orders'], [], ['tags', 'orders']],
    [['case_*'], [], ['case_files', 'case_file_tags']],
    [[], ['case_files+'], ['brackets', 'tags']],
    [['+orders'], ['brackets'], ['case_files', 'orders']],
  ])('select %j exclude %j → %j', (select, exclude, expected) => {
    expect(selectMigrations(plan, { select, exclude })).toEqual(expected);
  });

  it('suggests the migration meant by an unknown name', () => {
    const error = captureError(() => selectMigrations(plan, { select: ['+order'] }));
    expect(error.code).toBe('select.unknown');
    expect(error.message).toBe('selector `+order` matches no migration');
    expect(error.diagnostics[0]?.hint).toBe('did you mean `orders`?');
  });

  it('refuses a selector it cannot read', () => {
    expect(captureError(() => selectMigrations(plan, { select: ['orders++'] })).code).toBe('select.syntax');
    expect(captureError(() => selectMigrations(plan, { select: ['state:'] })).code).toBe('select.syntax');
  });
});

describe('restrictPlan', () => {
  it('keeps the selected nodes, the edges among them and non-empty layers', () => {
    const sub = restrictPlan(plan, ['tags', 'case_file_tags']);
    expect(sub.layers).toEqual([['tags'], ['case_file_tags']]);
    expect(sub.edges.map((e) => `${e.parent}->${e.child}`)).toEqual(['tags->case_file_tags']);
    expect(sub.migrations.map((m) => m.name)).toEqual(['tags', 'case_file_tags']);
  });
});

function captureError(run: () => unknown): FerryError {
  try {
    run();
  } catch (error) {
    if (error instanceof FerryError) return error;
    throw error;
  }
  throw new Error('expected a FerryError');
}
