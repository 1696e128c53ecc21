// MySQL-source tests run against a real MySQL or MariaDB server named by FERRY_TEST_MYSQL_URL (CI sets
// it to the machine's MariaDB). Without one they are skipped, and the suite says why once.

import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { inject } from 'vitest';
import { createTestDatabase } from './database.js';
import { ROOT, type Workload, workloadIn } from './workload.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The MySQL server's URL, or why there is none. */
    mysql: { readonly url: string } | { readonly skipped: string };
  }
}

/** The server's URL, or undefined when MySQL-source tests are skipped on this machine. */
export function mysqlServerUrl(): string | undefined {
  const provided = inject('mysql');
  return 'url' in provided ? provided.url : undefined;
}

export interface MysqlTestDatabase {
  readonly url: string;
  readonly name: string;
  /** Runs SQL (several statements allowed) and returns the rows of the last one. */
  query<Row = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<Row[]>;
  drop(): Promise<void>;
}

async function withConnection<T>(
  url: string,
  work: (connection: mysql.Connection) => Promise<T>,
): Promise<T> {
  const connection = await mysql.createConnection({ uri: url, multipleStatements: true, dateStrings: true });
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates a database `ferry_test_<label>_<random>`, empty or built by `script`. */
export async function createMysqlTestDatabase(label: string, script?: string): Promise<MysqlTestDatabase> {
  const server = mysqlServerUrl();
  if (!server) throw new Error('no MySQL server for the tests (FERRY_TEST_MYSQL_URL)');
  const name = `ferry_test_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await withConnection(server, (c) => c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`));
  const url = withDatabase(server, name);
  const database: MysqlTestDatabase = {
    url,
    name,
    query: async <Row>(sql: string, values?: unknown[]) =>
      withConnection(url, async (connection) => {
        const [result] = await connection.query(sql, values);
        const last = Array.isArray(result) && Array.isArray(result.at(-1)) ? result.at(-1) : result;
        return (Array.isArray(last) ? last : []) as Row[];
      }),
    drop: () => withConnection(server, (c) => c.query(`DROP DATABASE IF EXISTS \`${name}\``)).then(() => {}),
  };
  if (script !== undefined) {
    try {
      await database.query(script);
    } catch (error) {
      await database.drop();
      throw error;
    }
  }
  return database;
}

/** The MySQL edition of the reference workload as a project: MariaDB source, PostgreSQL target. */
export type MysqlWorkload = Workload<MysqlTestDatabase>;

/**
 * bench/workload/legacy_source.mysql.sql at `scale` in a database of its own (the file's `legacy`
 * renamed), the PostgreSQL target of the reference workload, and the repository's specs pointed at
 * that database. The file needs MariaDB (its sequence engine and EXECUTE IMMEDIATE).
 */
export async function mysqlReferenceWorkload(label: string, scale = '0.001'): Promise<MysqlWorkload> {
  const sourceSql = await readFile(join(ROOT, 'bench/workload/legacy_source.mysql.sql'), 'utf8');
  const source = await createMysqlTestDatabase(`${label}_src`);
  try {
    const script = sourceSql
      .replace('DROP DATABASE IF EXISTS legacy;', '')
      .replace(/CREATE DATABASE legacy [^;]*;/, '')
      .replace('USE legacy;', '')
      .replace('SET @scale = COALESCE(@scale, 1);', `SET @scale = ${Number(scale)};`);
    await source.query(script);
    const target = await createTestDatabase(
      `${label}_tgt`,
      await readFile(join(ROOT, 'bench/workload/legacy_target.sql'), 'utf8'),
    );
    const projectDir = await mkdtemp(join(tmpdir(), 'ferry-project-'));
    await cp(join(ROOT, 'specs'), join(projectDir, 'specs'), { recursive: true });
    for (const file of await readdir(join(projectDir, 'specs'))) {
      const path = join(projectDir, 'specs', file);
      const text = await readFile(path, 'utf8');
      await writeFile(
        path,
        text.replaceAll('legacy.', `${source.name}.`).replace(/schema: legacy$/m, `schema: ${source.name}`),
      );
    }
    return workloadIn(projectDir, source, target);
  } catch (error) {
    await source.drop();
    throw error;
  }
}
