// Connections to a MySQL or MariaDB source: the URL read the way ferry reads a PostgreSQL one (TLS
// parameters in the query string, the password from the URL or MYSQL_PWD), sessions pinned to settings
// that make values come out the same whatever the server's defaults, and errors that never show a
// password. ferry only ever reads from a MySQL source: every session is read-only.

import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { errorDiagnostic, FerryError } from '../errors.js';
import { maskUrl } from '../util/mask-url.js';
import type { DatabaseRole } from './postgres.js';

const MYSQL_SCHEMES = new Set(['mysql:', 'mariadb:']);

/** True when `url` names a MySQL or MariaDB server (`mysql://` or `mariadb://`). */
export function isMysqlUrl(url: string): boolean {
  try {
    return MYSQL_SCHEMES.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * libpq's `sslmode` words, and MySQL's own `ssl-mode` ones, mapped to what the driver does: no TLS,
 * TLS without checking the certificate, or TLS with the certificate checked against `sslrootcert`.
 */
const SSL_MODES: Readonly<Record<string, 'off' | 'encrypt' | 'verify'>> = {
  disable: 'off',
  disabled: 'off',
  prefer: 'off',
  preferred: 'off',
  allow: 'off',
  require: 'encrypt',
  required: 'encrypt',
  'verify-ca': 'verify',
  verify_ca: 'verify',
  'verify-full': 'verify',
  verify_identity: 'verify',
};

const TLS_FILE_PARAMETERS = {
  ca: ['sslrootcert', 'ssl-ca'],
  cert: ['sslcert', 'ssl-cert'],
  key: ['sslkey', 'ssl-key'],
} as const;

/** The driver's options for `url`; throws `connection.unsupported` for a URL it cannot read. */
export function mysqlConnectionOptions(url: string, role: DatabaseRole): mysql.ConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw unsupported(`the ${role} URL is not a URL (${maskUrl(url)})`);
  }
  if (!MYSQL_SCHEMES.has(parsed.protocol))
    throw unsupported(`the ${role} URL's scheme \`${parsed.protocol}\` is not a MySQL one`);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  const password = parsed.password ? decodeURIComponent(parsed.password) : process.env.MYSQL_PWD;
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username) || 'root',
    ...(password ? { password } : {}),
    ...(database ? { database } : {}),
    ...tlsOptions(parsed.searchParams, role),
    // Values arrive as the server prints them: no Date objects in the machine's zone, no doubles
    // for DECIMAL or BIGINT. The batch reader asks for raw bytes where it needs them.
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    jsonStrings: true,
    charset: 'utf8mb4_general_ci',
    timezone: 'Z',
    connectTimeout: 15_000,
    multipleStatements: false,
  };
}

function tlsOptions(params: URLSearchParams, role: DatabaseRole): Pick<mysql.ConnectionOptions, 'ssl'> {
  const modeText = (params.get('sslmode') ?? params.get('ssl-mode') ?? '').toLowerCase();
  const mode = modeText === '' ? 'off' : SSL_MODES[modeText];
  if (mode === undefined)
    throw unsupported(`the ${role} URL's sslmode \`${modeText}\` is not one ferry knows`, {
      hint: 'use sslmode=disable, require, verify-ca or verify-full',
    });
  const files: Record<string, string> = {};
  for (const [option, names] of Object.entries(TLS_FILE_PARAMETERS)) {
    const path = names.map((name) => params.get(name)).find((value) => value);
    if (path) files[option] = readTlsFile(path, role);
  }
  if (mode === 'off' && Object.keys(files).length === 0) return {};
  return { ssl: { ...files, rejectUnauthorized: mode === 'verify' } };
}

function readTlsFile(path: string, role: DatabaseRole): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new FerryError(
      errorDiagnostic(
        'connection.failed',
        `cannot read ${path}, named in the ${role} URL: ${(error as NodeJS.ErrnoException).code ?? error}`,
        { hint: 'the TLS file parameters (sslrootcert, sslcert, sslkey) take paths readable by ferry' },
      ),
    );
  }
}

function unsupported(message: string, extra: { hint?: string } = {}): FerryError {
  return new FerryError(
    errorDiagnostic('connection.unsupported', message, {
      hint: extra.hint ?? 'write it as mysql://user@host:3306/database',
    }),
  );
}

/**
 * Session settings every source connection starts with. `time_zone` is UTC so TIMESTAMP columns
 * (stored in UTC) print as UTC, and DATETIME (zone-less) prints as stored; `sql_mode` is emptied of
 * what changes values read (PAD_CHAR_TO_FULL_LENGTH) or how SQL parses (ANSI_QUOTES); the text
 * arrives as UTF-8 whatever each column's character set; idle and write timeouts are long.
 */
const SESSION_SETTINGS = [
  "SET SESSION time_zone = '+00:00'",
  "SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'",
  'SET NAMES utf8mb4',
  // A worker waits between batches, and a stream waits while PostgreSQL takes a batch in: neither
  // should end the session under the server's shorter defaults.
  'SET SESSION wait_timeout = 28800, net_write_timeout = 3600',
  'SET SESSION TRANSACTION READ ONLY',
];

/**
 * Opens a read-only session on the MySQL or MariaDB server behind `url`. Errors name the role and show
 * the URL with its password masked.
 *
 * @example
 * const source = await connectMysql('mysql://reader@legacy-db:3306/legacy', 'source');
 */
export async function connectMysql(url: string, role: DatabaseRole): Promise<mysql.Connection> {
  const options = mysqlConnectionOptions(url, role);
  let connection: mysql.Connection;
  try {
    connection = await mysql.createConnection(options);
  } catch (error) {
    throw new FerryError(
      errorDiagnostic(
        'connection.failed',
        `cannot connect to the ${role} (${maskUrl(url)}): ${reasonOf(error, options.password)}`,
        {
          hint: `check the ${role} URL in the environment and that the server accepts connections from here`,
        },
      ),
    );
  }
  // A connection that drops while idle must not crash the process; the next query reports it.
  connection.on('error', () => {});
  for (const statement of SESSION_SETTINGS) await connection.query(statement);
  return connection;
}

function reasonOf(error: unknown, password: string | undefined): string {
  let text = error instanceof Error ? error.message : String(error);
  if (password) text = text.replaceAll(password, '****');
  return text || 'unknown error';
}
