// The order of a --bulk rebuild without a database: which steps may run side by side (PostgreSQL's lock
// conflicts), an attach that waits for the index builds of its table, foreign keys after every index.

import { describe, expect, it } from 'vitest';
import {
  locksConflict,
  RestoreSchedule,
  type RestoreStep,
  stepLocks,
} from '../../src/runner/bulk-schedule.js';
import type { DeferredObject } from '../../src/state/deferred-ddl.js';

const PARENTS = { schema: 'app', name: 'parents' };
const CHILDREN = { schema: 'app', name: 'children' };
const ORDERS = { schema: 'app', name: 'orders' };

let nextId = 1;

function object(
  kind: DeferredObject['kind'],
  name: string,
  table = PARENTS,
  extra: Partial<DeferredObject> = {},
): DeferredObject {
  const steps = kind === 'primary-key' || kind === 'unique' || kind === 'foreign-key' ? 2 : 1;
  return {
    id: nextId++,
    runId: 'run',
    table,
    kind,
    name,
    restoreSql: Array.from({ length: steps }, (_, i) => `step ${i + 1} of ${name}`),
    restoreOrder: kind === 'foreign-key' ? 2 : 1,
    stepsDone: 0,
    recordedAt: new Date(0),
    ...extra,
  };
}

function step(schedule: RestoreSchedule): RestoreStep {
  const next = schedule.next();
  if (typeof next === 'string') throw new Error(`expected a step, got ${next}`);
  return next;
}

function named(next: ReturnType<RestoreSchedule['next']>): string {
  return typeof next === 'string' ? next : `${next.object.name}#${next.step}`;
}

describe('locksConflict', () => {
  it('lets index builds on one table run together, and nothing beside an attach', () => {
    const index = object('index', 'parents_name');
    const key = object('primary-key', 'parents_pkey');
    expect(locksConflict(stepLocks(index, 0), stepLocks(key, 0))).toBe(false);
    expect(locksConflict(stepLocks(index, 0), stepLocks(key, 1))).toBe(true);
    expect(locksConflict(stepLocks(object('index', 'children_x', CHILDREN), 0), stepLocks(key, 1))).toBe(
      false,
    );
    expect(locksConflict(stepLocks(index, 0), stepLocks(object('exclusion', 'parents_no_overlap'), 0))).toBe(
      true,
    );
  });

  it('lets the validations of keys into one parent run together, not two on one table', () => {
    const fromChildren = object('foreign-key', 'children_parent_fkey', CHILDREN, { references: PARENTS });
    const fromOrders = object('foreign-key', 'orders_parent_fkey', ORDERS, { references: PARENTS });
    const fromChildrenToOrders = object('foreign-key', 'children_order_fkey', CHILDREN, {
      references: ORDERS,
    });
    expect(locksConflict(stepLocks(fromChildren, 1), stepLocks(fromOrders, 1))).toBe(false);
    expect(locksConflict(stepLocks(fromChildren, 1), stepLocks(fromChildrenToOrders, 1))).toBe(true);
    // Adding a key (SHARE ROW EXCLUSIVE on both tables) waits for a validation on either.
    expect(locksConflict(stepLocks(fromChildren, 0), stepLocks(fromOrders, 0))).toBe(true);
    expect(locksConflict(stepLocks(fromChildren, 0), stepLocks(fromChildrenToOrders, 1))).toBe(true);
    expect(locksConflict(stepLocks(fromOrders, 1), stepLocks(fromChildrenToOrders, 1))).toBe(false);
  });
});

describe('RestoreSchedule', () => {
  it('builds indexes side by side, attaches when the table is free, and adds foreign keys last', () => {
    const key = object('primary-key', 'parents_pkey');
    const index = object('index', 'parents_name');
    const foreign = object('foreign-key', 'children_parent_fkey', CHILDREN, { references: PARENTS });
    const schedule = new RestoreSchedule([foreign, key, index]);

    const keyIndex = step(schedule);
    const nameIndex = step(schedule);
    expect([named(keyIndex), named(nameIndex)]).toEqual(['parents_pkey#0', 'parents_name#0']);
    // The foreign key needs the primary key: not before every index is done.
    expect(schedule.next()).toBe('wait');

    expect(schedule.finish(keyIndex, 'done')).toBe(false);
    // The attach takes ACCESS EXCLUSIVE: it waits for the other build on the table.
    expect(schedule.next()).toBe('wait');
    expect(schedule.finish(nameIndex, 'done')).toBe(true);
    const attach = step(schedule);
    expect(named(attach)).toBe('parents_pkey#1');
    expect(schedule.next()).toBe('wait');
    expect(schedule.finish(attach, 'done')).toBe(true);

    const add = step(schedule);
    expect(named(add)).toBe('children_parent_fkey#0');
    expect(schedule.finish(add, 'done')).toBe(false);
    const validate = step(schedule);
    expect(named(validate)).toBe('children_parent_fkey#1');
    expect(schedule.finish(validate, 'done')).toBe(true);
    expect(schedule.next()).toBe('finished');
  });

  it('resumes an object at its first step not done, and does not try a failed one again', () => {
    const halfDone = object('unique', 'parents_code_key', PARENTS, { stepsDone: 1 });
    const failing = object('index', 'children_x', CHILDREN);
    const schedule = new RestoreSchedule([halfDone, failing]);

    const attach = step(schedule);
    const build = step(schedule);
    expect([named(attach), named(build)]).toEqual(['parents_code_key#1', 'children_x#0']);
    expect(schedule.finish(build, 'failed')).toBe(false);
    expect(schedule.next()).toBe('wait');
    expect(schedule.finish(attach, 'done')).toBe(true);
    expect(schedule.next()).toBe('finished');
  });

  it('hands out nothing once stopped, and wakes those waiting', async () => {
    const schedule = new RestoreSchedule([object('exclusion', 'a'), object('exclusion', 'b')]);
    step(schedule);
    expect(schedule.next()).toBe('wait');
    const woken = schedule.changed();

    schedule.stop();

    await woken;
    expect(schedule.next()).toBe('finished');
  });
});
