// What `diff` reports: the closed set of ways the target can differ from the plan, and the pure rules
// that turn one planned migration and what `_ferry` recorded of it into differences.

import { mappingHash } from '../compiler/mapping-hash.js';
import type { MigrationNode } from '../compiler/plan.js';
import type { SourceLocation } from '../errors.js';
import type { LockChange } from '../lock/freshness.js';
import { groupDigits } from '../report/plan-report.js';
import { formatQualifiedName } from '../spec/qualified-name.js';
import type { MigrationControl } from '../state/control.js';
import type { MigrationStatus } from '../state/status.js';
import type { MigrationPhase } from '../state/types.js';
import { quoteQualifiedName } from '../util/sql.js';

/** Stable names (scripts branch on them), in the order reports group them. Never renamed. */
export const DIFFERENCE_KINDS = [
  'lock-stale',
  'schema-drift',
  'not-applied',
  'partial',
  'mapping-changed',
  'spec-changed',
  'source-rows-drift',
  'not-planned',
] as const;

export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

interface DifferenceBase {
  readonly migration: string;
  /** One sentence for people; scripts read the kind and the fields beside it. */
  readonly detail: string;
  /** The migration's spec, where a pull request annotation belongs. */
  readonly location?: SourceLocation;
}

/** A spec and a mapping hash: what was planned, or what an apply recorded (null when it did not). */
export interface Hashes {
  readonly specHash: string | null;
  readonly mappingHash: string | null;
}

export type Difference =
  | (DifferenceBase & { readonly kind: 'lock-stale' | 'not-applied' })
  | (DifferenceBase & { readonly kind: 'schema-drift'; readonly table: 'source' | 'target' })
  | (DifferenceBase & {
      readonly kind: 'partial';
      readonly phase: MigrationPhase;
      readonly batches: { readonly done: number; readonly total: number };
      readonly pausedMessage?: string;
    })
  | (DifferenceBase & {
      readonly kind: 'mapping-changed' | 'spec-changed';
      readonly planned: Hashes;
      /** `at`: when the apply finished, or last wrote, as an ISO timestamp. */
      readonly applied: Hashes & { readonly at: string };
    })
  | (DifferenceBase & {
      readonly kind: 'source-rows-drift';
      /** Rows of the source table that pass the migration's `where`, counted now. */
      readonly sourceRows: number;
      /** Rows the done batches loaded, skipped or rejected. */
      readonly appliedRows: number;
      readonly delta: number;
    })
  | (DifferenceBase & {
      readonly kind: 'not-planned';
      readonly phase: MigrationPhase;
      /** As the apply recorded it (quoted), since no spec names it any more. */
      readonly targetTable: string | null;
      readonly rows: number;
    });

/** What `_ferry` holds of one migration. */
export interface AppliedMigration {
  readonly control: MigrationControl;
  readonly status: MigrationStatus;
}

/** Nothing of it is in the target: no state at all, or recorded batches of which none is done. */
export function isUnapplied(applied: AppliedMigration | undefined): boolean {
  return applied === undefined || (applied.control.phase === 'pending' && applied.status.batches.done === 0);
}

/**
 * The differences of a planned migration's state: not applied, partly applied, or applied from
 * another spec or mapping. `compareHashes` is false while the planned side waits for `ferry plan`.
 */
export function stateDifferences(
  node: MigrationNode,
  applied: AppliedMigration | undefined,
  options: { readonly compareHashes: boolean; readonly applying: boolean },
): Difference[] {
  const base = { migration: node.name, location: node.location };
  if (applied === undefined || isUnapplied(applied)) {
    return [{ ...base, kind: 'not-applied', detail: 'planned, and the target holds none of it' }];
  }
  const differences: Difference[] = [];
  if (applied.control.phase !== 'done') differences.push(partial(base, applied, options.applying));
  if (options.compareHashes) differences.push(...hashDifferences(base, node, applied.control));
  return differences;
}

type Base = Omit<DifferenceBase, 'detail'>;

function partial(base: Base, { control, status }: AppliedMigration, applying: boolean): Difference {
  const batches = { done: status.batches.done, total: status.batches.total };
  const progress = `${groupDigits(batches.done)} of ${groupDigits(batches.total)} batches done`;
  const message = pausedMessage(status.pausedReason);
  const detail =
    control.phase === 'paused'
      ? `${progress}, paused: ${message ?? 'no reason recorded'}`
      : control.phase === 'fixup'
        ? `all ${groupDigits(batches.total)} batches loaded; the fix-up step has not finished (\`ferry apply\` finishes it)`
        : control.phase === 'failed'
          ? `${progress}, failed (\`ferry apply\` retries it)`
          : applying
            ? `${progress}; an apply is loading it now`
            : `${progress}; an apply stopped in the middle (\`ferry apply\` resumes it)`;
  return {
    ...base,
    kind: 'partial',
    phase: control.phase,
    batches,
    ...(message === undefined ? {} : { pausedMessage: message }),
    detail,
  };
}

function pausedMessage(reason: unknown): string | undefined {
  const message = (reason as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

/**
 * A mapping hash that differs means the target's rows were written another way; a spec hash that
 * differs over the same mapping is an edit that writes nothing differently (a batch size, onError).
 * Applies from before mapping hashes were recorded can only tell the spec apart.
 */
function hashDifferences(base: Base, node: MigrationNode, control: MigrationControl): Difference[] {
  const planned = { specHash: node.specHash, mappingHash: mappingHash(node) };
  const finished = control.finishedAt ?? undefined;
  const at = (finished ?? control.updatedAt).toISOString();
  const when = `${finished ? 'applied' : 'last written'} ${readableTime(at)}`;
  const applied = { specHash: control.specHash, mappingHash: control.mappingHash, at };
  if (control.mappingHash !== null && control.mappingHash !== planned.mappingHash) {
    return [
      {
        ...base,
        kind: 'mapping-changed',
        planned,
        applied,
        detail: `the rows in ${formatQualifiedName(node.to)} were written by another mapping (${when})`,
      },
    ];
  }
  if (control.specHash === null || control.specHash === planned.specHash) return [];
  const detail =
    control.mappingHash === null
      ? `spec changed since ${when}; that apply recorded no mapping, so whether rows would be written differently is unknown`
      : `spec changed since ${when}, rows written the same way`;
  return [{ ...base, kind: 'spec-changed', planned, applied, detail }];
}

/** `2025-03-01 14:07 UTC`: to the minute, which is what a person compares with a commit time. */
function readableTime(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Whether the source's row count can be held against what apply accounted for: only once every batch
 * is done, and only when the rows were read the way they are planned now (same table, same `where`).
 */
export function rowsComparable(
  node: MigrationNode,
  applied: AppliedMigration | undefined,
  differences: readonly Difference[],
): applied is AppliedMigration {
  if (applied === undefined || applied.control.phase !== 'done') return false;
  if (differences.some((d) => d.kind === 'mapping-changed')) return false;
  return (
    applied.control.sourceTable === null || applied.control.sourceTable === quoteQualifiedName(node.from)
  );
}

/** Rows the source gained or lost since the apply, or nothing when the counts agree. */
export function rowsDifference(
  node: MigrationNode,
  { status }: AppliedMigration,
  sourceRows: number,
): Difference | undefined {
  const appliedRows = status.rows + status.skipped + status.rejected;
  const delta = sourceRows - appliedRows;
  if (delta === 0) return undefined;
  const counts = `${groupDigits(sourceRows)} now, ${groupDigits(appliedRows)} loaded, skipped or rejected`;
  const detail =
    delta > 0
      ? `the source has ${groupDigits(delta)} more rows than apply accounted for (${counts}): \`ferry apply\` moves rows added since`
      : `the source has ${groupDigits(-delta)} fewer rows than apply accounted for (${counts}): rows deleted from the source stay in the target`;
  return {
    migration: node.name,
    location: node.location,
    kind: 'source-rows-drift',
    sourceRows,
    appliedRows,
    delta,
    detail,
  };
}

/** A migration `_ferry` holds rows of that no planned migration names any more. */
export function notPlannedDifference({ control, status }: AppliedMigration): Difference {
  const where = control.targetTable ?? 'the target';
  return {
    migration: control.migration,
    kind: 'not-planned',
    phase: control.phase,
    targetTable: control.targetTable,
    rows: status.rows,
    detail: `applied to ${where} (${groupDigits(status.rows)} rows, ${control.phase}) but no longer planned`,
  };
}

/** A way the pins went stale: an edited spec, or a table whose structure changed since the plan. */
export function lockDifference(change: LockChange, hint: string): Difference {
  const base = {
    migration: change.migration,
    ...(change.location === undefined ? {} : { location: change.location }),
  };
  if (change.cause === 'spec') return { ...base, kind: 'lock-stale', detail: `${change.message}; ${hint}` };
  return {
    ...base,
    kind: 'schema-drift',
    table: change.cause === 'source-structure' ? 'source' : 'target',
    detail: `${change.message}; ${hint}`,
  };
}
