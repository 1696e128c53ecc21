// Connections to PostgreSQL (source or target): one place that opens them, names them in
// pg_stat_activity, and turns connection failures into diagnostics that never show a password.

import pg from 'pg';
import { errorDiagnostic, FerryError } from '../errors.js';
import { maskUrl } from '../util/mask-url.js';
import { connectionPlan, connectWithPlan, tlsFailure } from './connection-options.js';
import { FALLBACK_TIME_ZONE, setSessionTimeZone } from './session-time-zone.js';

export type DatabaseRole = 'source' | 'target';

const POSTGRES_SCHEMES = new Set(['postgres:', 'postgresql:']);

/** Throws `connection.unsupported` unless `url` is a PostgreSQL URL. */
export function assertPostgresUrl(url: string, role: DatabaseRole): void {
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    throw new FerryError(
      errorDiagnostic('connection.unsupported', `the ${role} URL is not a URL (${maskUrl(url)})`, {
        hint: 'write it as postgres://user@host:5432/database',
      }),
    );
  }
  if (POSTGRES_SCHEMES.has(scheme)) return;
  throw new FerryError(
    errorDiagnostic('connection.unsupported', `the ${role} URL's scheme \`${scheme}\` is not supported`, {
      hint: `the ${role} must be a PostgreSQL database: postgres://user@host:5432/database`,
    }),
  );
}

/**
 * Opens a client for `url`. Errors name the role and show the URL with its password masked. The
 * session's TimeZone is set to `timeZone` (UTC when absent) before anything else runs on it.
 *
 * @example
 * const client = await connectPostgres(process.env.FERRY_TARGET_URL ?? '', 'target', { timeZone: 'Europe/Berlin' });
 */
export async function connectPostgres(
  url: string,
  role: DatabaseRole,
  options: { readonly timeZone?: string } = {},
): Promise<pg.Client> {
  assertPostgresUrl(url, role);
  // libpq's sslmode, certificate files and password sources (connection-options.ts).
  const plan = connectionPlan(url, role);
  let client: pg.Client;
  try {
    client = await connectWithPlan(
      plan,
      (config) =>
        new pg.Client({ application_name: `ferry ${role}`, ...config, connectionTimeoutMillis: 15_000 }),
    );
  } catch (error) {
    throw (
      tlsFailure(error, plan, url, role) ??
      new FerryError(
        errorDiagnostic(
          'connection.failed',
          `cannot connect to the ${role} (${maskUrl(url)}): ${reasonOf(error, url)}`,
          {
            hint: `check the ${role} URL in the environment and that the server accepts connections from here`,
          },
        ),
      )
    );
  }
  // A connection that drops while idle must not crash the process; the next query reports it.
  client.on('error', () => {});
  await setSessionTimeZone(client, options.timeZone ?? FALLBACK_TIME_ZONE, role).catch(async (error) => {
    await client.end().catch(() => {});
    throw error;
  });
  return client;
}

/** The failure's own words, with anything of the URL that could carry a secret removed. */
function reasonOf(error: unknown, url: string): string {
  let text = error instanceof Error ? error.message : String(error);
  const password = passwordOf(url);
  if (password) text = text.replaceAll(password, '****');
  return text || 'unknown error';
}

function passwordOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.password ? decodeURIComponent(parsed.password) : undefined;
  } catch {
    return undefined;
  }
}
