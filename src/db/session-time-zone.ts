// The time zone of every session ferry opens. Results must never depend on a server's or a machine's
// default: zone-less values of the source are read in one pinned zone (the project's sourceTimeZone,
// or the source server's default pinned in ferry.lock), and UTC stands in where none is known yet.

import type pg from 'pg';
import { errorDiagnostic, FerryError } from '../errors.js';
import type { DatabaseRole } from './postgres.js';

/** What a session uses before a project's zone is known (init, doctor, a project never planned). */
export const FALLBACK_TIME_ZONE = 'UTC';

/**
 * Sets the session's TimeZone. Throws `connection.time-zone` when the server does not know the zone.
 *
 * @example
 * await setSessionTimeZone(client, 'Europe/Berlin', 'target');
 */
export async function setSessionTimeZone(
  client: pg.ClientBase,
  timeZone: string,
  role: DatabaseRole,
): Promise<void> {
  try {
    await client.query('SELECT set_config($1, $2, false)', ['TimeZone', timeZone]);
  } catch (error) {
    throw new FerryError(
      errorDiagnostic(
        'connection.time-zone',
        `the ${role} server does not accept the time zone \`${timeZone}\`: ${(error as Error).message}`,
        {
          hint: 'declare `sourceTimeZone` in the project file with a name both servers list in pg_timezone_names, then run `ferry plan`',
        },
      ),
    );
  }
}

/**
 * The TimeZone a session of this server, database and role starts with (postgresql.conf, ALTER
 * DATABASE/ROLE … SET, PGOPTIONS), whatever the session has set since: what `plan` pins when the
 * project declares no zone.
 */
export async function readDefaultTimeZone(client: pg.ClientBase): Promise<string> {
  const { rows } = await client.query<{ reset_val: string }>(
    `SELECT reset_val FROM pg_catalog.pg_settings WHERE name = 'TimeZone'`,
  );
  return rows[0]?.reset_val ?? FALLBACK_TIME_ZONE;
}
