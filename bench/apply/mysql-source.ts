// The MySQL edition of the reference workload: bench/workload/legacy_source.mysql.sql built once in a
// MariaDB database of the benchmark's own, and the checks that compare a target with it. Each side
// prints a row as one canonical text (`|`-separated, NULL as `N`, times in UTC) and sums the rows'
// md5 prefixes, so the two servers are compared without moving a row between them.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { Checks } from '../../test/support/checksums.js';
import { BenchmarkFailure } from './failure.js';
import { type Checksum, type Migration, REPO } from './workload.js';

/** The database the MySQL source is built in; the workload file's own `legacy` is left alone. */
export const MYSQL_DATABASE = 'ferry_bench_legacy';

const MYSQL_SOURCE_SQL = join(REPO, 'bench/workload/legacy_source.mysql.sql');

/** The source tables by migration, in the MySQL database. */
export const MYSQL_SOURCE_TABLES: Readonly<Record<Migration, string>> = {
  brackets: 'dispatch_bracket',
  tags: 'dispatch_tag',
  case_files: 'dispatch_casefile',
  orders: 'dispatch_order',
  case_file_tags: 'dispatch_casefile_tags',
};

/** pgloader names the target schema after the MySQL database. */
export const MYSQL_PGLOADER_TABLES: Readonly<Record<Migration, string>> = Object.fromEntries(
  Object.entries(MYSQL_SOURCE_TABLES).map(([name, table]) => [name, `${MYSQL_DATABASE}.${table}`]),
) as Record<Migration, string>;

const UTC_TIME_MYSQL = `'%Y-%m-%d %H:%i:%s'`;
const utcTimePostgres = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')`;

/**
 * Per migration a MySQL query and a PostgreSQL query that print each row as the same text `r`. DATETIME
 * values compare as UTC: the machine's MariaDB runs in UTC, and ferry pins that zone at plan.
 */
export const MYSQL_CHECKS: Checks = {
  brackets: [
    `SELECT CONCAT_WS('|', id, bracket_name, IFNULL(min_weight, 'N'), IFNULL(max_weight, 'N'),
                      DATE_FORMAT(created_at, ${UTC_TIME_MYSQL})) AS r FROM dispatch_bracket`,
    `SELECT concat_ws('|', id, name, coalesce(min_weight::text, 'N'), coalesce(max_weight::text, 'N'),
                      ${utcTimePostgres('created_at')}) AS r FROM app.brackets`,
  ],
  tags: [
    `SELECT CONCAT_WS('|', id, label) AS r FROM dispatch_tag`,
    `SELECT concat_ws('|', id, label) AS r FROM app.tags`,
  ],
  case_files: [
    `SELECT CONCAT_WS('|', id, case_number, IFNULL(bracket_id, 'N'), status, opened_on, IFNULL(notes, 'N'),
                      is_active <> 0) AS r FROM dispatch_casefile`,
    `SELECT concat_ws('|', id, case_number, coalesce(bracket_id::text, 'N'), status,
                      to_char(opened_on, 'YYYY-MM-DD'), coalesce(notes, 'N'), active::int) AS r FROM app.case_files`,
  ],
  orders: [
    `SELECT CONCAT_WS('|', id, casefile_id, CAST(amount_cents / 100 AS DECIMAL(12,2)), currency,
                      DATE_FORMAT(placed_at, ${UTC_TIME_MYSQL})) AS r FROM dispatch_order`,
    `SELECT concat_ws('|', id, case_file_id, amount, currency, ${utcTimePostgres('placed_at')}) AS r
       FROM app.orders`,
  ],
  case_file_tags: [
    `SELECT CONCAT_WS('|', casefile_id, tag_id) AS r FROM dispatch_casefile_tags`,
    `SELECT concat_ws('|', case_file_id, tag_id) AS r FROM app.case_file_tags`,
  ],
};

/** What the PostgreSQL side of MYSQL_CHECKS hashes per row: its one column. */
export const MYSQL_CHECK_ROW_TEXT = 't.r';

/** The server URL with the benchmark's database as its path. */
export function mysqlSourceUrl(serverUrl: string): string {
  const parsed = new URL(serverUrl);
  parsed.pathname = `/${MYSQL_DATABASE}`;
  return parsed.toString();
}

async function withConnection<T>(url: string, work: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ uri: url, multipleStatements: true });
  try {
    await connection.query(`SET NAMES utf8mb4, time_zone = '+00:00'`);
    return await work(connection);
  } finally {
    await connection.end();
  }
}

/** The workload file with its database renamed and its scale set, as one multi-statement script. */
async function mysqlSourceScript(scale: number): Promise<string> {
  const text = await readFile(MYSQL_SOURCE_SQL, 'utf8');
  const replacements: readonly [string | RegExp, string][] = [
    ['DROP DATABASE IF EXISTS legacy;', `DROP DATABASE IF EXISTS ${MYSQL_DATABASE};`],
    [/CREATE DATABASE legacy /, `CREATE DATABASE ${MYSQL_DATABASE} `],
    ['USE legacy;', `USE ${MYSQL_DATABASE};`],
    ['SET @scale = COALESCE(@scale, 1);', `SET @scale = ${scale};`],
  ];
  let script = text;
  for (const [from, to] of replacements) {
    const next = script.replace(from, to);
    if (next === script) throw new Error(`${MYSQL_SOURCE_SQL} no longer has ${String(from)}`);
    script = next;
  }
  return script;
}

/** Builds the source at `scale` in MYSQL_DATABASE (dropped first), analyzed; returns its rows per table. */
export async function buildMysqlSource(
  serverUrl: string,
  scale: number,
): Promise<Readonly<Record<Migration, number>>> {
  const script = await mysqlSourceScript(scale);
  const url = mysqlSourceUrl(serverUrl);
  const server = new URL(serverUrl);
  server.pathname = '/';
  await withConnection(server.toString(), (c) => c.query(script));
  const tables = Object.values(MYSQL_SOURCE_TABLES);
  return withConnection(url, async (c) => {
    await c.query(`ANALYZE TABLE ${tables.join(', ')}`);
    const names = Object.keys(MYSQL_SOURCE_TABLES) as Migration[];
    const counts = names.map((name) => `(SELECT COUNT(*) FROM ${MYSQL_SOURCE_TABLES[name]}) AS ${name}`);
    const [rows] = await c.query(`SELECT ${counts.join(', ')}`);
    const row = (rows as Record<Migration, number | string>[])[0];
    if (!row) throw new BenchmarkFailure('no row counts from the MySQL source');
    return Object.fromEntries(names.map((name) => [name, Number(row[name])])) as Record<Migration, number>;
  });
}

/** The MySQL side of each check: rows and the sum of their md5 prefixes, as workload.ts's checksum. */
export async function mysqlChecksums(url: string, checks: Checks): Promise<ReadonlyMap<string, Checksum>> {
  return withConnection(url, async (c) => {
    const sums = new Map<string, Checksum>();
    for (const [name, [select]] of Object.entries(checks)) {
      const [rows] = await c.query(
        `SELECT COUNT(*) AS n,
                CAST(COALESCE(SUM(CAST(CONV(LEFT(MD5(t.r), 15), 16, 10) AS UNSIGNED)), 0) AS CHAR) AS h
           FROM (${select}) t`,
      );
      const row = (rows as { n: number | string; h: string }[])[0];
      if (!row) throw new BenchmarkFailure(`no checksum of ${name} from the MySQL source`);
      sums.set(name, { rows: Number(row.n), hash: row.h });
    }
    return sums;
  });
}

/**
 * The mariadb client's options for the server (the floors' MYSQL), and MYSQL_PWD for a password, so
 * that it never appears on a command line.
 */
export function mariadbClient(serverUrl: string): { options: string; env: Record<string, string> } {
  const url = new URL(serverUrl);
  const user = decodeURIComponent(url.username || 'root');
  const options = `-h ${url.hostname} -P ${url.port || '3306'} -u ${user}`;
  return { options, env: url.password ? { MYSQL_PWD: decodeURIComponent(url.password) } : {} };
}

/** The floor scripts name their source database `legacy` in the text; here it becomes the benchmark's. */
export function mysqlFloorScript(text: string): string {
  const from = ' -B -N legacy ';
  if (!text.includes(from))
    throw new Error(`a MySQL floor script no longer reads the database with "${from}"`);
  return text.replaceAll(from, ` -B -N ${MYSQL_DATABASE} `);
}

/** The MySQL server's version line, for the results. */
export function mysqlServerVersion(url: string): Promise<string> {
  return withConnection(url, async (c) => {
    const [rows] = await c.query('SELECT VERSION() AS v');
    return String((rows as { v: string }[])[0]?.v ?? 'unknown');
  });
}
