// What `_ferry` in the target says was applied, read once for `diff` and for the status column of the
// pull-request report. Reads only, and never creates `_ferry`.

import type { MigrationNode } from '../compiler/plan.js';
import { connectPostgres } from '../db/postgres.js';
import { FerryError } from '../errors.js';
import { readMigrationControl } from '../state/control.js';
import { isRunLockHeld } from '../state/run-lock.js';
import { readStatus } from '../state/status.js';
import { stateVersion } from '../state/version.js';
import { type AppliedMigration, stateDifferences } from './differences.js';

export interface TargetState {
  readonly applied: ReadonlyMap<string, AppliedMigration>;
  /** An apply holds the run lock right now. */
  readonly applying: boolean;
  /** The target has a `_ferry` schema at all. */
  readonly hasState: boolean;
}

/** What `_ferry` holds; nothing when the target has no `_ferry`, which stays so. */
export async function readTargetState(url: string): Promise<TargetState> {
  const client = await connectPostgres(url, 'target');
  try {
    if ((await stateVersion(client)) === undefined)
      return { applied: new Map(), applying: false, hasState: false };
    const controls = await readMigrationControl(client);
    const statuses = new Map((await readStatus(client)).map((s) => [s.migration, s]));
    const applied = new Map<string, AppliedMigration>();
    for (const control of controls) {
      const status = statuses.get(control.migration);
      if (status) applied.set(control.migration, { control, status });
    }
    return { applied, applying: await isRunLockHeld(client, 'apply'), hasState: true };
  } finally {
    await client.end().catch(() => {});
  }
}

/** A planned migration against the target, in one word a reviewer reads at a glance. */
export type AppliedStatus = 'applied' | 'not applied' | 'partial' | 'changed';

export interface MigrationAppliedStatus {
  readonly status: AppliedStatus;
  /** What a partial or changed status means, as `diff` words it. */
  readonly detail?: string;
}

/** The status of each planned migration, or why it is unknown. */
export type AppliedStatuses =
  | {
      readonly known: true;
      readonly hasState: boolean;
      readonly byMigration: ReadonlyMap<string, MigrationAppliedStatus>;
    }
  | { readonly known: false; readonly reason: string };

/** Each migration's status from the differences `diff` finds for it (source row counts aside). */
export function appliedStatuses(
  migrations: readonly MigrationNode[],
  target: TargetState,
): Map<string, MigrationAppliedStatus> {
  const statuses = new Map<string, MigrationAppliedStatus>();
  for (const node of migrations) {
    const found = stateDifferences(node, target.applied.get(node.name), {
      compareHashes: true,
      applying: target.applying,
    });
    const changed = found.find((d) => d.kind === 'mapping-changed' || d.kind === 'spec-changed');
    const partial = found.find((d) => d.kind === 'partial');
    if (found.some((d) => d.kind === 'not-applied')) statuses.set(node.name, { status: 'not applied' });
    else if (partial) statuses.set(node.name, { status: 'partial', detail: partial.detail });
    else if (changed) statuses.set(node.name, { status: 'changed', detail: changed.detail });
    else statuses.set(node.name, { status: 'applied' });
  }
  return statuses;
}

/**
 * Reads the target for the statuses; a target that cannot be read gives an unknown status with the
 * reason (its diagnostic, which never carries a password), not an error.
 */
export async function readAppliedStatuses(
  url: string,
  migrations: readonly MigrationNode[],
): Promise<AppliedStatuses> {
  try {
    const target = await readTargetState(url);
    return { known: true, hasState: target.hasState, byMigration: appliedStatuses(migrations, target) };
  } catch (error) {
    if (error instanceof FerryError) return { known: false, reason: error.message };
    const code = (error as { code?: unknown }).code;
    return {
      known: false,
      reason: `reading \`_ferry\` failed${typeof code === 'string' ? ` (SQLSTATE ${code})` : ''}`,
    };
  }
}
