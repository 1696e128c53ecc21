// `ferry doctor` with a MariaDB source: as the server's root every source check is ok (sql_mode warns
// exactly when the server's mode lets zero dates in); an account without grants cannot open the URL's
// database and is given the GRANTs; an account with SELECT on one table only is given the GRANT for
// the other, and its connection and statement limits are named; running the statements named makes
// every check ok.

import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult, DoctorResult } from '../../src/doctor/types.js';
import { runFerry } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createMysqlTestDatabase, type MysqlTestDatabase, mysqlServerUrl } from '../support/mysql.js';

const server = mysqlServerUrl();

const SOURCE_SQL = `
  CREATE TABLE Artist (ArtistId INT NOT NULL PRIMARY KEY, Name VARCHAR(120) CHARACTER SET latin1);
  CREATE TABLE Album (
    AlbumId INT NOT NULL PRIMARY KEY,
    Title VARCHAR(160) CHARACTER SET utf8mb3 NOT NULL,
    ArtistId INT NOT NULL,
    ReleasedOn DATE,
    FOREIGN KEY (ArtistId) REFERENCES Artist (ArtistId)
  );
  INSERT INTO Artist VALUES (1, 'AC/DC');
  INSERT INTO Album VALUES (1, 'Let There Be Rock', 1, '1977-03-21');`;

const TARGET_SQL = `
  CREATE SCHEMA music;
  CREATE TABLE music.artists (id integer PRIMARY KEY, name text);
  CREATE TABLE music.albums (
    id integer PRIMARY KEY, title text NOT NULL, artist_id integer NOT NULL REFERENCES music.artists (id),
    released_on date);`;

const PROJECT_YAML = `version: 1
source:
  url: \${env:FERRY_SOURCE_URL}
target:
  url: \${env:FERRY_TARGET_URL}
`;

const SOURCE_CHECK_IDS = [
  'source.connection',
  'source.version',
  'source.tls',
  'source.catalog',
  'source.tables',
  'source.sql-mode',
  'source.time-zone',
  'source.charset',
  'source.statement-timeout',
  'source.idle-timeout',
  'source.net-timeout',
  'source.connections',
];

const PASSWORD = 'doc-secret-31';
const suffix = randomBytes(4).toString('hex');
/** No grant at all. */
const bare = `ferry_doc_${suffix}`;
/** SELECT on Artist only, one connection, statements cut at 30 s (MariaDB's account limit). */
const partial = `ferry_doc_p_${suffix}`;

let source: MysqlTestDatabase;
let target: TestDatabase;
let projectDir: string;
let mariadb = false;
/** The server's default sql_mode refuses zero dates: strict, NO_ZERO_DATE and NO_ZERO_IN_DATE. */
let refusesZeroDates = false;

async function asRoot<T>(work: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ uri: server ?? '', multipleStatements: true });
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

function sourceUrlAs(user: string): string {
  const url = new URL(source.url);
  url.username = user;
  url.password = PASSWORD;
  return url.toString();
}

async function doctor(user: string | undefined, args: string[] = []) {
  const env = { FERRY_SOURCE_URL: user ? sourceUrlAs(user) : source.url, FERRY_TARGET_URL: target.url };
  const result = await runFerry(['doctor', '--json', ...args], { cwd: projectDir, env });
  expect(result.stderr).toBe('');
  expect(result.stdout).not.toContain(PASSWORD);
  const report = JSON.parse(result.stdout) as DoctorResult;
  const sourceChecks = report.checks.filter((c) => c.id.startsWith('source.'));
  return {
    exitCode: result.exitCode,
    report,
    source: sourceChecks,
    byId: Object.fromEntries(sourceChecks.map((c) => [c.id, c])),
  };
}

function statuses(checks: readonly CheckResult[]): Record<string, string> {
  return Object.fromEntries(checks.map((c) => [c.id, c.status]));
}

function fixes(checks: readonly CheckResult[]): Record<string, readonly string[]> {
  return Object.fromEntries(checks.filter((c) => c.fix).map((c) => [c.id, c.fix ?? []]));
}

beforeAll(async () => {
  if (!server) return;
  source = await createMysqlTestDatabase('doctor_my', SOURCE_SQL);
  target = await createTestDatabase('doctor_my_tgt', TARGET_SQL);
  projectDir = await mkdtemp(join(tmpdir(), 'ferry-doctor-mysql-'));
  await mkdir(join(projectDir, 'specs'));
  await writeFile(join(projectDir, 'specs', 'ferry.yaml'), PROJECT_YAML);
  await writeFile(
    join(projectDir, 'specs', 'artists.yaml'),
    `migration: artists\nfrom: ${source.name}.Artist\nto: music.artists\ncolumns:\n  id: { from: ArtistId }\n  name: { from: Name }\n`,
  );
  await writeFile(
    join(projectDir, 'specs', 'albums.yaml'),
    `migration: albums\nfrom: ${source.name}.Album\nto: music.albums\ncolumns:\n  id: { from: AlbumId }\n  title: { from: Title }\n  artist_id: { from: ArtistId, ref: artists }\n  released_on: { from: ReleasedOn }\n`,
  );
  await asRoot(async (connection) => {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT VERSION() AS version, @@GLOBAL.sql_mode AS mode',
    );
    const { version, mode } = rows[0] as { version: string; mode: string };
    mariadb = /mariadb/i.test(version);
    const modes = new Set(mode.split(','));
    refusesZeroDates =
      modes.has('TRADITIONAL') ||
      ((modes.has('STRICT_TRANS_TABLES') || modes.has('STRICT_ALL_TABLES')) &&
        modes.has('NO_ZERO_DATE') &&
        modes.has('NO_ZERO_IN_DATE'));
    const limits = mariadb ? 'MAX_USER_CONNECTIONS 1 MAX_STATEMENT_TIME 30' : 'MAX_USER_CONNECTIONS 1';
    await connection.query(`
      CREATE USER '${bare}'@'%' IDENTIFIED BY '${PASSWORD}';
      CREATE USER '${partial}'@'%' IDENTIFIED BY '${PASSWORD}' WITH ${limits};
      GRANT SELECT ON \`${source.name}\`.\`Artist\` TO '${partial}'@'%';`);
  });
});

afterAll(async () => {
  if (!server) return;
  await asRoot((c) => c.query(`DROP USER IF EXISTS '${bare}'@'%', '${partial}'@'%'`));
  await source?.drop();
  await target?.drop();
});

describe.skipIf(!server)('ferry doctor with a MySQL source', () => {
  it('finds every source check ok for root, sql_mode warning only where the server lets zero dates in', async () => {
    const { exitCode, report, source: checks, byId } = await doctor(undefined);
    expect(report.checks.map((c) => c.id).filter((id) => id.startsWith('source.'))).toEqual(SOURCE_CHECK_IDS);
    expect(statuses(checks)).toEqual({
      ...Object.fromEntries(SOURCE_CHECK_IDS.map((id) => [id, 'ok'])),
      'source.sql-mode': refusesZeroDates ? 'ok' : 'warn',
    });
    expect(report.ok).toBe(true);
    expect(exitCode).toBe(0);
    expect(byId['source.connection']?.detail).toMatch(
      new RegExp(`^database ${source.name} on 127\\.0\\.0\\.1:3306 as 'root'@'[^']+'$`),
    );
    expect(byId['source.version']?.detail).toMatch(
      mariadb ? /^MariaDB 1\d\.\d+\.\d+$/ : /^MySQL \d+\.\d+\.\d+/,
    );
    expect(byId['source.tls']?.detail).toBe('not encrypted (a local connection, no sslmode in the URL)');
    expect(byId['source.catalog']?.detail).toBe(`2 tables found in ${source.name}`);
    expect(byId['source.tables']?.detail).toBe('SELECT on 2 tables');
    expect(byId['source.charset']?.detail).toMatch(
      new RegExp(
        `^character_set_server \\w+; database ${source.name} utf8mb4; text columns: 1 latin1, 1 utf8mb3; ferry reads all text as UTF-8 \\(SET NAMES utf8mb4: the server converts it\\)$`,
      ),
    );
    expect(byId['source.sql-mode']?.detail).toMatch(
      refusesZeroDates
        ? /: zero dates are refused on write /
        : /the server takes zero dates \(0000-00-00, 2020-00-00\), so the 1 date column of the source tables may hold some: ferry reads them as NULL and counts them per batch/,
    );
    expect(byId['source.time-zone']?.detail).toMatch(
      /^time_zone = .*: plan pins \S+ and reads DATETIME values in it \(declare sourceTimeZone/,
    );
    expect(byId['source.connections']?.detail).toMatch(
      /^apply opens up to 1 at once \(the workers of its widest layer\); /,
    );
    expect(report.checks.find((c) => c.id === 'target.space')?.detail).toMatch(/^about \d+\.\d kB to write /);
  });

  it('says which zone DATETIME values are read in when the project declares one', async () => {
    const path = join(projectDir, 'specs', 'ferry.yaml');
    await writeFile(path, `${PROJECT_YAML}sourceTimeZone: Europe/Berlin\n`);
    try {
      const { byId } = await doctor(undefined);
      expect(byId['source.time-zone']).toMatchObject({ status: 'ok' });
      expect(byId['source.time-zone']?.detail).toMatch(
        /^DATETIME values are read in Europe\/Berlin, as the project file declares \(the server's time_zone = /,
      );
    } finally {
      await writeFile(path, PROJECT_YAML);
    }
  });

  it('gives an account without grants the GRANT for each table of the URL database', async () => {
    const { exitCode, report, source: checks, byId } = await doctor(bare);
    expect(exitCode).toBe(1);
    expect(report.ok).toBe(false);
    expect(checks.map((c) => c.id)).toEqual(['source.connection']);
    expect(byId['source.connection']?.status).toBe('fail');
    expect(byId['source.connection']?.detail).toContain(
      `Access denied for user '${bare}'@'%' to database '${source.name}'`,
    );
    expect(byId['source.connection']?.fix).toEqual([
      `GRANT SELECT ON \`${source.name}\`.\`Artist\` TO '${bare}'@'%';`,
      `GRANT SELECT ON \`${source.name}\`.\`Album\` TO '${bare}'@'%';`,
    ]);
  });

  it('names the missing grant and the account limits of a least-privileged account', async () => {
    const { exitCode, source: checks, byId } = await doctor(partial, ['--workers', '2']);
    expect(exitCode).toBe(1);
    expect(statuses(checks)).toEqual({
      ...Object.fromEntries(SOURCE_CHECK_IDS.map((id) => [id, 'ok'])),
      'source.catalog': 'fail',
      'source.tables': 'fail',
      'source.connections': 'fail',
      ...(mariadb ? { 'source.statement-timeout': 'warn' } : {}),
    });
    const account = `'${partial}'@'%'`;
    expect(fixes(checks)).toEqual({
      'source.tables': [`GRANT SELECT ON \`${source.name}\`.\`Album\` TO ${account};`],
      'source.connections': [`ALTER USER ${account} WITH MAX_USER_CONNECTIONS 2;`],
      ...(mariadb
        ? { 'source.statement-timeout': [`ALTER USER ${account} WITH MAX_STATEMENT_TIME 0;`] }
        : {}),
    });
    expect(byId['source.connection']?.detail).toBe(`database ${source.name} on 127.0.0.1:3306 as ${account}`);
    expect(byId['source.catalog']?.detail).toBe(
      `not visible to ${account}, which sees only the tables it may read: ${source.name}.Album (the grants under "source tables readable" make them visible)`,
    );
    expect(byId['source.tables']?.detail).toBe(`no SELECT on ${source.name}.Album`);
    // Only Artist is visible: what the settings checks count is said to be partial.
    expect(byId['source.sql-mode']?.detail).toMatch(
      /; the source tables have no DATE, DATETIME or TIMESTAMP column \(counting only the 1 of 2 source tables the account can see\)$/,
    );
    expect(byId['source.connections']?.detail).toBe(
      `apply opens up to 2 at once (the workers of its widest layer); 1 free for this account (${account} MAX_USER_CONNECTIONS 1, 0 other sessions of the account): more than the account’s MAX_USER_CONNECTIONS ever allows; raise it, or run apply with fewer --workers`,
    );
    if (mariadb) {
      expect(byId['source.statement-timeout']?.detail).toBe(
        'max_statement_time = 30s (the account’s MAX_STATEMENT_TIME): reading a batch, or a whole table for verify, diff or rollback, that takes longer is cancelled',
      );
    }
  });

  it('prints each fix under its check in text', async () => {
    const env = { FERRY_SOURCE_URL: sourceUrlAs(bare), FERRY_TARGET_URL: target.url };
    const result = await runFerry(['doctor'], { cwd: projectDir, env });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).not.toContain(PASSWORD);
    const lines = result.stdout.split('\n');
    const failed = lines.findIndex((line) => line.startsWith('fail  source reachable '));
    expect(lines[failed]).toContain(`cannot connect to the source (mysql://${bare}:****@127.0.0.1:3306/`);
    expect(lines.slice(failed + 1, failed + 3)).toEqual([
      `      GRANT SELECT ON \`${source.name}\`.\`Artist\` TO '${bare}'@'%';`,
      `      GRANT SELECT ON \`${source.name}\`.\`Album\` TO '${bare}'@'%';`,
    ]);
  });

  it('finds every source check ok once the statements it named have run', async () => {
    for (const user of [bare, partial]) {
      const before = await doctor(user, ['--workers', '2']);
      const statements = before.source.flatMap((c) => c.fix ?? []);
      expect(statements.length).toBeGreaterThan(0);
      await asRoot(async (connection) => {
        for (const statement of statements) await connection.query(statement);
      });
      const { exitCode, source: checks } = await doctor(user, ['--workers', '2']);
      expect(statuses(checks)).toEqual({
        ...Object.fromEntries(SOURCE_CHECK_IDS.map((id) => [id, 'ok'])),
        'source.sql-mode': refusesZeroDates ? 'ok' : 'warn',
      });
      expect(exitCode).toBe(0);
    }
  });
});
