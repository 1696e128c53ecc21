// Whether ferry.lock still holds for the current specs and databases: which migrations' pinned
// decisions can be reused as they are, and, for --frozen-lock and apply, every way it went stale.

import { type Catalogs, findTable } from '../compiler/catalog-checks.js';
import type { MigrationNode, Plan } from '../compiler/plan.js';
import type { PinnedMigration } from '../compiler/resolve.js';
import { type Diagnostic, errorDiagnostic, type SourceLocation, sortDiagnostics } from '../errors.js';
import { formatQualifiedName } from '../spec/qualified-name.js';
import { LOCK_FILE_NAME, type Lockfile, pinnedFromLock } from './lockfile.js';

export interface LockChange {
  readonly migration: string;
  readonly message: string;
  /** What went stale: the migration's spec or lock entry, or the structure of one of its tables. */
  readonly cause: 'spec' | 'source-structure' | 'target-structure';
  readonly location?: SourceLocation;
}

export interface LockFreshness {
  /** Migrations whose lock entry matches spec and both tables: their decisions are reused. */
  readonly reusable: ReadonlyMap<string, PinnedMigration>;
  /** Everything that differs from the lock; empty when the lock is fresh. */
  readonly changes: readonly LockChange[];
}

/** `lockName` names the pins in messages: ferry.lock, or a saved plan that `diff` compares against. */
export function compareWithLock(
  lock: Lockfile | undefined,
  plan: Plan,
  catalogs: Catalogs,
  lockName = LOCK_FILE_NAME,
): LockFreshness {
  const reusable = new Map<string, PinnedMigration>();
  const changes: LockChange[] = [];
  const locked = lock?.migrations ?? {};
  for (const migration of plan.migrations) {
    const entry = locked[migration.name];
    if (!entry) {
      changes.push({
        migration: migration.name,
        message: `\`${migration.name}\` is not in ${lockName} yet`,
        cause: 'spec',
        location: migration.location,
      });
      continue;
    }
    const reasons = differences(migration, entry, catalogs, lockName);
    if (reasons.length === 0) reusable.set(migration.name, pinnedFromLock(migration.name, entry));
    for (const { message, cause } of reasons)
      changes.push({ migration: migration.name, message, cause, location: migration.location });
  }
  const planned = new Set(plan.migrations.map((m) => m.name));
  for (const name of Object.keys(locked).sort()) {
    if (!planned.has(name))
      changes.push({
        migration: name,
        message: `\`${name}\` is in ${lockName} but no longer in the specs`,
        cause: 'spec',
      });
  }
  return { reusable, changes };
}

function differences(
  migration: MigrationNode,
  entry: Lockfile['migrations'][string],
  catalogs: Catalogs,
  lockName: string,
): Pick<LockChange, 'message' | 'cause'>[] {
  const reasons: Pick<LockChange, 'message' | 'cause'>[] = [];
  const spec = (message: string) => reasons.push({ message, cause: 'spec' });
  const from = formatQualifiedName(migration.from);
  const to = formatQualifiedName(migration.to);
  if (entry.spec !== migration.specHash)
    spec(`the spec of \`${migration.name}\` changed (${migration.location.file})`);
  if (entry.source.table !== from)
    spec(`\`${migration.name}\` now reads ${from} instead of ${entry.source.table}`);
  else if (findTable(catalogs.source, migration.from)?.fingerprint !== entry.source.fingerprint) {
    reasons.push({
      message: `source table ${from} changed structure since ${lockName} was written`,
      cause: 'source-structure',
    });
  }
  if (entry.target.table !== to)
    spec(`\`${migration.name}\` now writes ${to} instead of ${entry.target.table}`);
  else if (findTable(catalogs.target, migration.to)?.fingerprint !== entry.target.fingerprint) {
    reasons.push({
      message: `target table ${to} changed structure since ${lockName} was written`,
      cause: 'target-structure',
    });
  }
  return reasons;
}

/**
 * A change of the pinned source time zone as a change of each migration whose values it decides
 * (`diff` lists changes per migration); a migration it does not touch is as fresh as it was, and one
 * already stale for its spec (not in the lock yet, say) needs no second line.
 */
export function timeZoneLockChanges(
  change: { readonly message: string } | undefined,
  plan: Plan,
  changes: readonly LockChange[],
): LockChange[] {
  if (!change) return [];
  const affected = new Set(plan.sourceTimeZone?.affectedColumns.map((c) => c.migration));
  const stale = new Set(changes.filter((c) => c.cause === 'spec').map((c) => c.migration));
  return plan.migrations
    .filter((m) => affected.has(m.name) && !stale.has(m.name))
    .map((m) => ({ migration: m.name, message: change.message, cause: 'spec', location: m.location }));
}

/** One `lock.stale` diagnostic per change (of a migration, or of the pinned source time zone). */
export function staleLockDiagnostics(
  changes: readonly Pick<LockChange, 'message' | 'location'>[],
): Diagnostic[] {
  const diagnostics = changes.map((change) =>
    errorDiagnostic('lock.stale', `ferry.lock is stale: ${change.message}`, {
      hint: 'run `ferry plan` without --frozen-lock, review the diff of ferry.lock and commit it',
      location: change.location,
    }),
  );
  return sortDiagnostics(diagnostics);
}
