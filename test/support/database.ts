// Each test file gets databases of its own on the suite's server, so files run in parallel and
// nothing leaks between them; introspectDatabase reads one the way ferry does.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { type IntrospectPostgresOptions, introspectPostgres } from '../../src/catalog/postgres/introspect.js';
import type { Catalog } from '../../src/catalog/types.js';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  /** Runs SQL (several statements allowed) and returns the rows of the last one. */
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    values?: unknown[],
  ): Promise<Row[]>;
  /** Runs `work` on a client of its own, closed afterwards. */
  withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

function serverUrl(): string {
  return inject('databaseUrl');
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a database named `ferry_test_<label>_<random>`, empty or built by `script`, and returns a handle
 * to it. A database whose SQL fails is dropped again.
 */
export async function createTestDatabase(label: string, script?: string): Promise<TestDatabase> {
  const name = `ferry_test_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await withClient(serverUrl(), (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = withDatabase(serverUrl(), name);
  const database: TestDatabase = {
    url,
    name,
    query: async <Row extends Record<string, unknown>>(sql: string, values?: unknown[]) =>
      withClient(url, async (client) => {
        const result = (await client.query(sql, values)) as unknown as
          | pg.QueryResult<Row>
          | pg.QueryResult<Row>[];
        const last = Array.isArray(result) ? result.at(-1) : result;
        return last?.rows ?? [];
      }),
    withClient: (work) => withClient(url, work),
    drop: () =>
      withClient(serverUrl(), (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      ).then(() => {}),
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

/** The database's catalog as ferry reads it. */
export function introspectDatabase(
  database: TestDatabase,
  options: IntrospectPostgresOptions = {},
): Promise<Catalog> {
  return database.withClient((client) => introspectPostgres(client, options));
}
