// Databases for the state tests: each with `_ferry` already upgraded (unless asked not to), and
// clients of their own that the tests hold open, to act as separate workers.

import pg from 'pg';
import { afterAll } from 'vitest';
import { upgradeState } from '../../src/state/version.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

export interface StateDatabase extends TestDatabase {
  /** A new connection, as a separate worker process would hold; closed after the test file. */
  connect(): Promise<pg.Client>;
}

/** Call at the top of a test file: databases it creates are dropped when the file ends. */
export function stateDatabases(): (
  label: string,
  options?: { upgraded?: boolean },
) => Promise<StateDatabase> {
  const databases: TestDatabase[] = [];
  const clients: pg.Client[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
    for (const database of databases) await database.drop();
  });
  return async (label, options = {}) => {
    const database = await createTestDatabase(label);
    databases.push(database);
    const connect = async (): Promise<pg.Client> => {
      const client = new pg.Client({ connectionString: database.url });
      client.on('error', () => {});
      await client.connect();
      clients.push(client);
      return client;
    };
    if (options.upgraded !== false) await database.withClient((client) => upgradeState(client));
    return { ...database, connect };
  };
}
