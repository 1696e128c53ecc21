// Connections to PostgreSQL (source or target): one place that opens them, names them in
// pg_stat_activity, and turns connection failures into diagnostics that never show a password.

import pg from 'pg';
import { errorDiagnostic, FerryError } from '../errors.js';
import { maskUrl } from '../util/mask-url.js';

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
 * Opens a client for `url`. Errors name the role and show the URL with its password masked.
 *
 * @example
 * const client = await connectPostgres(process.env.FERRY_TARGET_URL ?? '', 'target');
 */
export async function connectPostgres(url: string, role: DatabaseRole): Promise<pg.Client> {
  assertPostgresUrl(url, role);
  const client = new pg.Client({
    connectionString: url,
    application_name: `ferry ${role}`,
    connectionTimeoutMillis: 15_000,
  });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new FerryError(
      errorDiagnostic(
        'connection.failed',
        `cannot connect to the ${role} (${maskUrl(url)}): ${reasonOf(error, url)}`,
        {
          hint: `check the ${role} URL in the environment and that the server accepts connections from here`,
        },
      ),
    );
  }
  // A connection that drops while idle must not crash the process; the next query reports it.
  client.on('error', () => {});
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
