// Creates and upgrades the `_ferry` schema with the numbered migrations ferry ships, so every ferry
// that touches a target first brings the state to the version it understands, or refuses a newer one.

import type pg from 'pg';
import { inTransaction } from '../db/transaction.js';
import { errorDiagnostic, FerryError } from '../errors.js';
import { FERRY_LOCK_SPACE, UPGRADE_LOCK_ID } from './advisory-locks.js';
import { LATEST_STATE_VERSION, STATE_MIGRATIONS } from './migrations/index.js';

const SCHEMA_EXISTS_SQL = `
select exists (select from pg_namespace where nspname = '_ferry') as has_schema,
       to_regclass('_ferry.schema_version') is not null as has_versions`;

const CURRENT_VERSION_SQL = 'select coalesce(max(version), 0) as version from _ferry.schema_version';

/** Waits for any other upgrade of this database; released when the upgrade's transaction ends. */
const UPGRADE_LOCK_SQL = 'select pg_advisory_xact_lock($1::int4, $2::int4)';

const RECORD_VERSION_SQL = `
insert into _ferry.schema_version (version, applied_at)
values ($1, now())
on conflict (version) do nothing`;

/**
 * The version of the `_ferry` schema in the connected database: undefined when there is no `_ferry`
 * schema, 0 for a `_ferry` schema that holds no version yet. Reads only; never creates anything.
 *
 * @example
 * const version = await stateVersion(client);
 * if (version === undefined) console.log('ferry has never applied anything here');
 */
export async function stateVersion(client: pg.ClientBase): Promise<number | undefined> {
  const { rows } = await client.query<{ has_schema: boolean; has_versions: boolean }>(SCHEMA_EXISTS_SQL);
  const found = rows[0];
  if (!found?.has_schema) return undefined;
  if (!found.has_versions) return 0;
  const current = await client.query<{ version: number }>(CURRENT_VERSION_SQL);
  return current.rows[0]?.version ?? 0;
}

/**
 * Creates `_ferry` or upgrades it to the latest version this ferry ships, applying each missing
 * migration in order inside one transaction that holds an advisory lock, so that processes starting
 * at the same time wait for each other instead of colliding. Runs its own transaction: call it on a
 * client that is not inside one. Throws `state.too-new` when the database was upgraded by a newer ferry.
 *
 * @example
 * const { from, to } = await upgradeState(client);
 * if (from !== to) console.log(`_ferry upgraded from version ${from} to ${to}`);
 */
export async function upgradeState(client: pg.ClientBase): Promise<{ from: number; to: number }> {
  // Most calls find the schema current: answer them without a transaction or a lock.
  const seen = await stateVersion(client);
  if (seen !== undefined) assertKnownVersion(seen);
  if (seen === LATEST_STATE_VERSION) return { from: seen, to: seen };

  return inTransaction(client, async () => {
    await client.query(UPGRADE_LOCK_SQL, [FERRY_LOCK_SPACE, UPGRADE_LOCK_ID]);
    // Read again under the lock: another process may have upgraded while this one waited.
    const from = (await stateVersion(client)) ?? 0;
    assertKnownVersion(from);
    for (const migration of STATE_MIGRATIONS) {
      if (migration.version <= from) continue;
      await client.query(migration.sql);
      await client.query(RECORD_VERSION_SQL, [migration.version]);
    }
    return { from, to: LATEST_STATE_VERSION };
  });
}

function assertKnownVersion(version: number): void {
  if (version <= LATEST_STATE_VERSION) return;
  throw new FerryError(
    errorDiagnostic(
      'state.too-new',
      `the _ferry schema in the target is at version ${version}, newer than this ferry knows (up to version ${LATEST_STATE_VERSION})`,
      {
        hint: 'a newer ferry has applied to this database: upgrade ferry to that release or later; an older ferry must not write its state',
      },
    ),
  );
}
