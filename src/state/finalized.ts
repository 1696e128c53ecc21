// `finalized_at` in `_ferry.migration_control`: set by `ferry finalize` once verify passed and the
// target was handed over; rollback reads it to ask for --force before deleting finalized rows.

import type pg from 'pg';

const MARK_SQL = `
update _ferry.migration_control
set finalized_at = statement_timestamp()
where migration = any($1::text[])
returning finalized_at as "finalizedAt"`;

const READ_SQL = `
select migration, finalized_at as "finalizedAt"
from _ferry.migration_control
where finalized_at is not null and migration = any($1::text[])
order by migration`;

/**
 * Stamps `migrations` as finalized now, by the server's clock, and returns the stamp (undefined when
 * none of them has a control row).
 *
 * @example
 * const at = await markFinalized(client, ['orders', 'tags']);
 */
export async function markFinalized(
  client: pg.ClientBase,
  migrations: readonly string[],
): Promise<Date | undefined> {
  const { rows } = await client.query<{ finalizedAt: Date }>(MARK_SQL, [migrations]);
  return rows[0]?.finalizedAt;
}

/**
 * When each of `migrations` was last finalized; a migration never finalized is absent.
 *
 * @example
 * (await finalizedAt(client, ['orders'])).get('orders'); // → 2025-01-31T12:00:00.000Z, or undefined
 */
export async function finalizedAt(
  client: pg.ClientBase,
  migrations: readonly string[],
): Promise<Map<string, Date>> {
  const { rows } = await client.query<{ migration: string; finalizedAt: Date }>(READ_SQL, [migrations]);
  return new Map(rows.map((row) => [row.migration, row.finalizedAt]));
}
