// The order in which --bulk rebuilds what it dropped: every index and constraint index first, then the
// foreign keys, and at any moment only steps whose table locks do not conflict, so that no rebuild
// sits waiting for another one of ours (and none can deadlock with another).

import type { QualifiedName } from '../spec/types.js';
import type { DeferredObject } from '../state/deferred-ddl.js';

/** The PostgreSQL table lock modes the rebuild statements take. */
export type LockMode =
  | 'row-share'
  | 'share-update-exclusive'
  | 'share'
  | 'share-row-exclusive'
  | 'access-exclusive';

/** PostgreSQL's conflict table, for the modes above ("Explicit Locking" in its manual). */
const CONFLICTS: Readonly<Record<LockMode, ReadonlySet<LockMode>>> = {
  'row-share': new Set(['access-exclusive']),
  'share-update-exclusive': new Set([
    'share-update-exclusive',
    'share',
    'share-row-exclusive',
    'access-exclusive',
  ]),
  share: new Set(['share-update-exclusive', 'share-row-exclusive', 'access-exclusive']),
  'share-row-exclusive': new Set([
    'share-update-exclusive',
    'share',
    'share-row-exclusive',
    'access-exclusive',
  ]),
  'access-exclusive': new Set([
    'row-share',
    'share-update-exclusive',
    'share',
    'share-row-exclusive',
    'access-exclusive',
  ]),
};

export interface TableLock {
  readonly table: QualifiedName;
  readonly mode: LockMode;
}

/** One statement of one object's rebuild: `step` indexes its restoreSql. */
export interface RestoreStep {
  readonly object: DeferredObject;
  readonly step: number;
  readonly locks: readonly TableLock[];
}

/**
 * The locks step `step` of the object's rebuild takes. CREATE [UNIQUE] INDEX: SHARE, which other
 * index builds on the table share. ADD CONSTRAINT (attaching an index, or an exclusion constraint):
 * ACCESS EXCLUSIVE. ADD FOREIGN KEY: SHARE ROW EXCLUSIVE on both tables. VALIDATE CONSTRAINT: SHARE
 * UPDATE EXCLUSIVE on the table, ROW SHARE on the referenced one.
 */
export function stepLocks(object: DeferredObject, step: number): TableLock[] {
  const own = (mode: LockMode): TableLock => ({ table: object.table, mode });
  switch (object.kind) {
    case 'index':
      return [own('share')];
    case 'primary-key':
    case 'unique':
      return [own(step === 0 ? 'share' : 'access-exclusive')];
    case 'exclusion':
      return [own('access-exclusive')];
    case 'foreign-key': {
      const referenced = object.references ?? object.table;
      if (step === 0) return [own('share-row-exclusive'), { table: referenced, mode: 'share-row-exclusive' }];
      return [own('share-update-exclusive'), { table: referenced, mode: 'row-share' }];
    }
  }
}

export function sameTable(a: QualifiedName, b: QualifiedName): boolean {
  return a.schema === b.schema && a.name === b.name;
}

/** Whether two sets of locks, held by different sessions, would make one wait for the other. */
export function locksConflict(a: readonly TableLock[], b: readonly TableLock[]): boolean {
  return a.some((x) => b.some((y) => sameTable(x.table, y.table) && CONFLICTS[x.mode].has(y.mode)));
}

/**
 * Hands out rebuild steps to the connections of a restore. `objects` come in the order to try them
 * (largest tables first shortens the whole); an object's next step goes to the front once its
 * previous one commits. Foreign keys start once every index is done: they need the referenced ones.
 */
export class RestoreSchedule {
  readonly #waiting: DeferredObject[];
  readonly #running: RestoreStep[] = [];
  #stopped = false;
  #wake: (() => void)[] = [];

  constructor(objects: readonly DeferredObject[]) {
    this.#waiting = [...objects];
  }

  /**
   * A step that can start now, `wait` when every remaining step conflicts with a running one or
   * waits for the indexes to finish, `finished` when nothing is left to hand out.
   */
  next(): RestoreStep | 'wait' | 'finished' {
    if (this.#stopped) return 'finished';
    const phase = Math.min(
      ...this.#waiting.map((o) => o.restoreOrder),
      ...this.#running.map((s) => s.object.restoreOrder),
    );
    const index = this.#waiting.findIndex(
      (object) =>
        object.restoreOrder === phase &&
        !this.#running.some((running) => locksConflict(running.locks, stepLocks(object, object.stepsDone))),
    );
    const object = this.#waiting[index];
    if (object === undefined) return this.#waiting.length + this.#running.length === 0 ? 'finished' : 'wait';
    this.#waiting.splice(index, 1);
    const step = { object, step: object.stepsDone, locks: stepLocks(object, object.stepsDone) };
    this.#running.push(step);
    return step;
  }

  /** Resolves the next time a step finishes or the schedule stops: `next` may answer otherwise then. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.#wake.push(resolve));
  }

  /**
   * A step committed (`done`) or failed (the object is not tried again in this restore). Returns true
   * when the object is now restored completely.
   */
  finish(step: RestoreStep, outcome: 'done' | 'failed'): boolean {
    this.#running.splice(this.#running.indexOf(step), 1);
    const next = step.step + 1;
    const complete = outcome === 'done' && next === step.object.restoreSql.length;
    if (outcome === 'done' && !complete) this.#waiting.unshift({ ...step.object, stepsDone: next });
    this.#notify();
    return complete;
  }

  /** Hands out nothing more; the steps running finish. */
  stop(): void {
    this.#stopped = true;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = [];
    for (const resolve of wake) resolve();
  }
}
