// The suite's PostgreSQL server is real and each test database is isolated.
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';

describe('test database', () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of databases) await db.drop();
  });

  it('is a real PostgreSQL server, 13 or newer', async () => {
    const db = await createTestDatabase('server');
    databases.push(db);
    const [row] = await db.query<{ version: number }>(
      `select current_setting('server_version_num')::int as version`,
    );
    expect(row?.version).toBeGreaterThanOrEqual(130000);
  });

  it('gives each test its own database', async () => {
    const first = await createTestDatabase('isolation');
    const second = await createTestDatabase('isolation');
    databases.push(first, second);
    await first.query('create table only_here (id int)');
    const rows = await second.query(`select count(*)::int as n from pg_tables where tablename = 'only_here'`);
    expect(rows).toEqual([{ n: 0 }]);
  });
});
