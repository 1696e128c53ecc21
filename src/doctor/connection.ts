// The first checks of a PostgreSQL side: can ferry connect, is the server a version ferry supports,
// and is the connection encrypted. Everything after them runs on the session they open.

import { connectionPlan } from '../db/connection-options.js';
import { connectPostgres, type DatabaseRole } from '../db/postgres.js';
import { FerryError } from '../errors.js';
import { sqlIdentifier } from '../util/sql.js';
import { grantSql } from './grants.js';
import { type Check, messageOf, runChecks, type Session } from './run-checks.js';
import { type CheckResult, type DoctorScope, type Finding, fail, ok, warn } from './types.js';

/** PostgreSQL versions ferry supports (server_version_num): 13 up to 18. */
export const OLDEST_SUPPORTED = 130000;
export const NEWEST_SUPPORTED = 189999;

export interface OpenedSide {
  readonly checks: CheckResult[];
  /** Absent when the connection failed: the side's other checks cannot run. */
  readonly session?: Session;
}

/**
 * Connects to one side and reports the connection, the server version and TLS.
 *
 * @example
 * const { checks, session } = await openSide('target', process.env.FERRY_TARGET_URL, scope);
 */
export async function openSide(
  side: DatabaseRole,
  url: string | undefined,
  scope: DoctorScope,
): Promise<OpenedSide> {
  const connection = (finding: Finding): CheckResult => ({
    id: `${side}.connection`,
    title: `${side} reachable`,
    ...finding,
  });
  if (url === undefined || url === '') {
    return {
      checks: [
        connection(
          fail(`no ${side} URL: the project file's \`${side}.url\` could not be read (see the specs check)`),
        ),
      ],
    };
  }
  let session: Session;
  try {
    session = await connect(side, url);
  } catch (error) {
    return { checks: [connection(connectionFailure(error, url))] };
  }
  const reached = connection(ok(`database ${session.database} on ${session.address} as ${session.user}`));
  const checks: Check[] = [
    { id: `${side}.version`, title: `${side} server version`, run: async () => versionFinding(session) },
    { id: `${side}.tls`, title: `${side} TLS`, run: () => tlsFinding(session, url) },
  ];
  return { session, checks: [reached, ...(await runChecks(checks, { session, scope }))] };
}

async function connect(side: DatabaseRole, url: string): Promise<Session> {
  const client = await connectPostgres(url, side);
  try {
    const { rows } = await client.query<{
      user: string;
      database: string;
      version_number: number;
      version: string;
      host: string | null;
      port: number | null;
    }>(
      `select current_user as "user", current_database() as database,
              current_setting('server_version_num')::int as version_number,
              current_setting('server_version') as version,
              host(inet_server_addr()) as host, inet_server_port() as port`,
    );
    const row = rows[0];
    if (!row) throw new Error('the server did not say who is connected');
    return {
      side,
      client,
      user: row.user,
      database: row.database,
      serverVersion: row.version_number,
      serverVersionText: row.version,
      address: row.host ? `${row.host}:${row.port}` : 'a local socket',
    };
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

function connectionFailure(error: unknown, url: string): Finding {
  const message = messageOf(error);
  const hint = error instanceof FerryError ? error.diagnostics[0]?.hint : undefined;
  const detail = hint ? `${message} (${hint})` : message;
  // The one refusal a GRANT fixes: the role may not connect to the database.
  if (/permission denied for database/i.test(message)) {
    const { user, database } = namesOf(url);
    if (user && database)
      return fail(detail, [grantSql(['CONNECT'], 'DATABASE', sqlIdentifier(database), user)]);
  }
  return fail(detail);
}

function namesOf(url: string): { user?: string; database?: string } {
  try {
    const parsed = new URL(url);
    return {
      ...(parsed.username ? { user: decodeURIComponent(parsed.username) } : {}),
      ...(parsed.pathname.length > 1 ? { database: decodeURIComponent(parsed.pathname.slice(1)) } : {}),
    };
  } catch {
    return {};
  }
}

function versionFinding({ serverVersion: versionNumber, serverVersionText }: Session): Finding {
  const text = `PostgreSQL ${serverVersionText}`;
  if (versionNumber < OLDEST_SUPPORTED) {
    return fail(`${text}: ferry supports PostgreSQL 13 to 18 (its catalog queries need 13 or later)`);
  }
  // Newer servers usually work; they are simply not what ferry was tested against.
  if (versionNumber > NEWEST_SUPPORTED)
    return warn(`${text}: newer than the versions ferry is tested with (13 to 18)`);
  return ok(text);
}

async function tlsFinding(session: Session, url: string): Promise<Finding> {
  const { rows } = await session.client.query<{ ssl: boolean; version: string | null }>(
    'select ssl, version from pg_stat_ssl where pid = pg_backend_pid()',
  );
  const mode = connectionPlan(url, session.side).sslMode;
  const setting = mode === 'ssl-parameter' ? 'the URL’s ssl parameter' : `sslmode=${mode}`;
  if (rows[0]?.ssl) return ok(`TLS (${rows[0].version ?? 'unknown version'}), ${setting}`);
  const host = session.client.host ?? '';
  if (isLocal(host)) return ok(`not encrypted (a local connection, ${setting})`);
  return warn(`not encrypted: rows and the password cross the network in the clear (${setting})`, [
    `add sslmode=verify-full&sslrootcert=/path/to/ca.crt to the ${session.side} URL (the server needs ssl = on)`,
  ]);
}

/** A Unix socket, or a loopback address or name. */
function isLocal(host: string): boolean {
  return host === '' || host.startsWith('/') || host === 'localhost' || host === '::1' || /^127\./.test(host);
}
