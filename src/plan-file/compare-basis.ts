// What moved between a saved plan's basis and now, in plain words: spec files edited, added or
// removed, ferry.lock rewritten, a table's structure changed, the source time zone, and how far
// each migration's applied state moved. Parts not read now (the plan could not be made) are skipped.

import { join, relative } from 'node:path';
import type { SourceLocation } from '../errors.js';
import { groupDigits } from '../report/plan-report.js';
import type { AppliedDigest, PlanBasis, TableBasis } from './basis.js';

/** One thing that differs from when the plan was made. */
export interface StaleReason {
  readonly message: string;
  readonly location?: SourceLocation;
}

/** The parts of the basis as read now; the ones that could not be read are left out. */
export type CurrentBasis = Partial<
  Pick<PlanBasis, 'specs' | 'lock' | 'sourceTimeZone' | 'tables' | 'applied'>
>;

/** How files are named in messages. */
export interface BasisNames {
  readonly specsDir: string;
  /** ferry.lock as the user would name it. */
  readonly lockName: string;
}

/**
 * Every difference between `saved` and `current`, in the order: specs, lock, tables, time zone,
 * applied state.
 *
 * @example
 * compareBasis(saved, { lock: await hashLockfile('ferry.lock') }, names); // [{ message: 'ferry.lock changed since the plan was made' }]
 */
export function compareBasis(saved: PlanBasis, current: CurrentBasis, names: BasisNames): StaleReason[] {
  return [
    ...(current.specs ? compareSpecFiles(saved.specs, current.specs, names.specsDir) : []),
    ...('lock' in current ? compareLock(saved.lock, current.lock ?? null, names.lockName) : []),
    ...(current.tables ? compareTables(saved.tables, current.tables) : []),
    ...(current.sourceTimeZone !== undefined && current.sourceTimeZone !== saved.sourceTimeZone
      ? [
          {
            message: `the source time zone is ${current.sourceTimeZone} now, ${saved.sourceTimeZone} when the plan was made`,
          },
        ]
      : []),
    ...(current.applied ? compareApplied(saved.applied, current.applied) : []),
  ];
}

function compareSpecFiles(
  saved: Readonly<Record<string, string>>,
  current: Readonly<Record<string, string>>,
  specsDir: string,
): StaleReason[] {
  const display = (key: string) => relative(process.cwd(), join(specsDir, key)) || key;
  const at = (key: string): SourceLocation => ({ file: display(key), line: 1, column: 1 });
  const reasons: StaleReason[] = [];
  for (const key of [...new Set([...Object.keys(saved), ...Object.keys(current)])].sort()) {
    const before = saved[key];
    const now = current[key];
    if (before === now) continue;
    if (before === undefined)
      reasons.push({ message: `${display(key)} was added since the plan was made`, location: at(key) });
    else if (now === undefined)
      reasons.push({ message: `${display(key)} was removed since the plan was made` });
    else reasons.push({ message: `${display(key)} changed since the plan was made`, location: at(key) });
  }
  return reasons;
}

function compareLock(saved: string | null, current: string | null, lockName: string): StaleReason[] {
  if (saved === current) return [];
  if (current === null) return [{ message: `${lockName} was removed since the plan was made` }];
  if (saved === null) return [{ message: `${lockName} was written since the plan was made` }];
  return [{ message: `${lockName} changed since the plan was made` }];
}

/** Migrations in both; one gone or new shows as its spec file's change. */
function compareTables(saved: PlanBasis['tables'], current: PlanBasis['tables']): StaleReason[] {
  const reasons: StaleReason[] = [];
  for (const [migration, before] of Object.entries(saved)) {
    const now = current[migration];
    if (!now) continue;
    for (const side of ['source', 'target'] as const) {
      const reason = compareTable(migration, side, before[side], now[side]);
      if (reason) reasons.push(reason);
    }
  }
  return reasons;
}

function compareTable(
  migration: string,
  side: 'source' | 'target',
  before: TableBasis,
  now: TableBasis,
): StaleReason | undefined {
  if (before.table !== now.table) {
    const verb = side === 'source' ? 'reads' : 'writes';
    return { message: `\`${migration}\` ${verb} ${now.table} now, ${before.table} when the plan was made` };
  }
  if (before.fingerprint === now.fingerprint) return undefined;
  return {
    message: `the structure of ${side} table ${now.table} (migration \`${migration}\`) changed since the plan was made`,
  };
}

function compareApplied(
  saved: Readonly<Record<string, AppliedDigest>>,
  current: Readonly<Record<string, AppliedDigest>>,
): StaleReason[] {
  const reasons: StaleReason[] = [];
  for (const [migration, before] of Object.entries(saved)) {
    const now = current[migration] ?? null;
    const moved = describeMove(before, now);
    if (moved) reasons.push({ message: `the target's state of \`${migration}\` moved: ${moved}` });
  }
  return reasons;
}

/** What changed in one migration's applied state, or undefined when nothing did. */
function describeMove(before: AppliedDigest, now: AppliedDigest): string | undefined {
  if (before === null)
    return now === null ? undefined : `nothing applied when the plan was made, ${describeState(now)} now`;
  if (now === null) return `${describeState(before)} when the plan was made, nothing applied now`;
  const parts: string[] = [];
  if (before.batchesDone !== now.batchesDone || before.batchesTotal !== now.batchesTotal)
    parts.push(`${batches(before)} when the plan was made, ${batches(now)} now`);
  if (before.phase !== now.phase) parts.push(`phase ${before.phase} then, ${now.phase} now`);
  if (before.rows !== now.rows)
    parts.push(`${groupDigits(before.rows)} rows then, ${groupDigits(now.rows)} now`);
  if (before.mappingHash !== now.mappingHash) parts.push('applied with another mapping since');
  return parts.length > 0 ? parts.join('; ') : undefined;
}

function describeState(digest: NonNullable<AppliedDigest>): string {
  return `${digest.phase}, ${batches(digest)}, ${groupDigits(digest.rows)} rows`;
}

function batches(digest: NonNullable<AppliedDigest>): string {
  return `${groupDigits(digest.batchesDone)} of ${groupDigits(digest.batchesTotal)} batches done`;
}
