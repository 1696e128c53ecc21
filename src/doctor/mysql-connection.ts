// The first checks of a MySQL or MariaDB source: can ferry connect (as apply connects: read-only, the
// URL's TLS parameters and password), is the server a version ferry supports, and is the session
// encrypted. Everything after them runs on the session they open.

import type mysql from 'mysql2/promise';
import { connectMysql } from '../db/mysql.js';
import { FerryError } from '../errors.js';
import type { QualifiedName } from '../spec/types.js';
import { mysqlAccountText, mysqlGrantSql, parseMysqlAccount } from './mysql-grants.js';
import { messageOf } from './run-checks.js';
import { type DoctorScope, type Finding, fail, ok, warn } from './types.js';

/** The account a MySQL login was matched to: `'ferry'@'%'`. */
export interface MysqlAccount {
  readonly user: string;
  readonly host: string;
}

export interface MysqlSession {
  readonly connection: mysql.Connection;
  readonly url: string;
  /** CURRENT_USER(): the account the server matched the login to, the one every GRANT names. */
  readonly account: MysqlAccount;
  /** The database the URL names, if it names one. */
  readonly database?: string;
  /** `host:port` as the URL gives them. */
  readonly address: string;
  /** VERSION(), as the server words it: `8.0.36`, `10.11.19-MariaDB-0+deb12u1`. */
  readonly version: string;
  readonly mariadb: boolean;
}

/** Versions ferry supports, [major, minor]: its catalog queries need MySQL 5.7 or MariaDB 10.3. */
export const MYSQL_SUPPORTED = { oldest: [5, 7], newestMajor: 8 } as const;
export const MARIADB_SUPPORTED = { oldest: [10, 3], newestMajor: 11 } as const;

/** Opens a session as ferry opens one for apply; throws what connectMysql throws. */
export async function openMysqlSession(url: string): Promise<MysqlSession> {
  const connection = await connectMysql(url, 'source');
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT CURRENT_USER() AS account, DATABASE() AS db, VERSION() AS version, @@version_comment AS comment',
    );
    const row = rows[0] as { account: string; db: string | null; version: string; comment: string | null };
    const parsed = new URL(url);
    return {
      connection,
      url,
      account: parseMysqlAccount(row.account),
      ...(row.db ? { database: row.db } : {}),
      address: `${parsed.hostname || '127.0.0.1'}:${parsed.port || '3306'}`,
      version: row.version,
      mariadb: /mariadb/i.test(`${row.version} ${row.comment ?? ''}`),
    };
  } catch (error) {
    await connection.end().catch(() => {});
    throw error;
  }
}

export function mysqlConnectedFinding(session: MysqlSession): Finding {
  const who = `${session.address} as ${mysqlAccountText(session.account)}`;
  return ok(
    session.database ? `database ${session.database} on ${who}` : `${who} (the URL names no database)`,
  );
}

const DATABASE_DENIED =
  /Access denied for user '((?:[^']|'')*)'@'((?:[^']|'')*)' to database '((?:[^']|'')*)'/;

/**
 * Why the session did not open. The one refusal a GRANT fixes: the account has no privilege in the
 * URL's database, which any privilege on a table of it gives: SELECT on the tables ferry reads.
 */
export function mysqlConnectionFailure(error: unknown, scope: DoctorScope): Finding {
  const message = messageOf(error);
  const hint = error instanceof FerryError ? error.diagnostics[0]?.hint : undefined;
  const detail = hint ? `${message} (${hint})` : message;
  const denied = DATABASE_DENIED.exec(message);
  if (!denied) return fail(detail);
  const [, user = '', host = '', database = ''] = denied.map((part) => part.replaceAll("''", "'"));
  const tables = distinctNames(scope.migrations.map((m) => m.from).filter((t) => t.schema === database));
  return fail(
    detail,
    tables.map((table) => mysqlGrantSql(table, { user, host })),
  );
}

function distinctNames(tables: readonly QualifiedName[]): QualifiedName[] {
  const seen = new Map(tables.map((t) => [JSON.stringify([t.schema, t.name]), t]));
  return [...seen.values()];
}

/** [major, minor] of a VERSION() text. */
export function versionNumbers(version: string): [number, number] {
  const match = /^(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2])] : [0, 0];
}

export function mysqlVersionFinding(session: MysqlSession): Finding {
  const [major, minor] = versionNumbers(session.version);
  const engine = session.mariadb ? 'MariaDB' : 'MySQL';
  const supported = session.mariadb ? MARIADB_SUPPORTED : MYSQL_SUPPORTED;
  const range = session.mariadb ? 'MariaDB 10.3 to 11.x' : 'MySQL 5.7 and 8.x';
  const text = `${engine} ${session.version.replace(/-MariaDB.*$/i, '')}`;
  const [oldestMajor, oldestMinor] = supported.oldest;
  if (major < oldestMajor || (major === oldestMajor && minor < oldestMinor))
    return fail(
      `${text}: ferry supports ${range} (its catalog queries need ${engine} ${oldestMajor}.${oldestMinor})`,
    );
  // Newer servers usually work; they are simply not what ferry was tested against.
  if (major > supported.newestMajor)
    return warn(`${text}: newer than the versions ferry supports (${range})`);
  return ok(text);
}

/** The TLS words of a MySQL URL as the user wrote them, for the detail. */
function sslSetting(url: string): string {
  const params = new URL(url).searchParams;
  const mode = params.get('sslmode') ?? params.get('ssl-mode');
  if (mode) return `${params.has('sslmode') ? 'sslmode' : 'ssl-mode'}=${mode}`;
  return 'no sslmode in the URL';
}

export async function mysqlTlsFinding(session: MysqlSession): Promise<Finding> {
  const [rows] = await session.connection.query<mysql.RowDataPacket[]>(
    "SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_cipher', 'Ssl_version')",
  );
  const status = Object.fromEntries(
    (rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, r.Value]),
  );
  const setting = sslSetting(session.url);
  const cipher = status.Ssl_cipher ?? '';
  if (cipher !== '') return ok(`TLS (${status.Ssl_version || 'unknown version'}, ${cipher}), ${setting}`);
  if (isLocal(new URL(session.url).hostname)) return ok(`not encrypted (a local connection, ${setting})`);
  return warn(`not encrypted: rows and the password cross the network in the clear (${setting})`, [
    'add sslmode=verify-full&sslrootcert=/path/to/ca.pem to the source URL (the server needs TLS set up: have_ssl = YES)',
  ]);
}

/** A loopback address or name; mysql2 reaches `localhost` over TCP, never through the socket file. */
function isLocal(host: string): boolean {
  return host === '' || host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
}
