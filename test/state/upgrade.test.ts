// The `_ferry` schema creates and upgrades itself: from nothing, again as a no-op, by two processes at
// once, and never over a newer version than this ferry knows.

import { describe, expect, it } from 'vitest';
import { LATEST_STATE_VERSION, STATE_MIGRATIONS } from '../../src/state/migrations/index.js';
import { stateVersion, upgradeState } from '../../src/state/version.js';
import { stateDatabases } from './state-database.js';

const createDatabase = stateDatabases();

const ALL_VERSIONS = STATE_MIGRATIONS.map((migration) => ({ version: migration.version }));

const TABLES_SQL = `
select table_name::text as name
from information_schema.tables
where table_schema = '_ferry'
order by table_name`;

describe('upgradeState', () => {
  it('creates _ferry from nothing and records every version', async () => {
    const database = await createDatabase('state_upgrade', { upgraded: false });
    const client = await database.connect();
    expect(await stateVersion(client)).toBeUndefined();

    expect(await upgradeState(client)).toEqual({ from: 0, to: LATEST_STATE_VERSION });

    expect(await stateVersion(client)).toBe(LATEST_STATE_VERSION);
    expect((await database.query(TABLES_SQL)).map((row) => row.name)).toEqual([
      'deferred_ddl',
      'deferred_tables',
      'migration_batches',
      'migration_control',
      'migration_log',
      'migration_rejects',
      'migration_sequences',
      'schema_version',
    ]);
    expect(await database.query('select version from _ferry.schema_version order by version')).toEqual(
      ALL_VERSIONS,
    );
  });

  it('does nothing when the schema is current', async () => {
    const database = await createDatabase('state_upgrade_twice');
    const client = await database.connect();
    const before = await database.query('select version, applied_at from _ferry.schema_version');

    expect(await upgradeState(client)).toEqual({ from: LATEST_STATE_VERSION, to: LATEST_STATE_VERSION });

    expect(await database.query('select version, applied_at from _ferry.schema_version')).toEqual(before);
  });

  it('lets two processes upgrade at once: one upgrades, the other waits and finds it done', async () => {
    const database = await createDatabase('state_upgrade_race', { upgraded: false });
    const [first, second] = [await database.connect(), await database.connect()];
    for (let round = 0; round < 10; round++) {
      await database.query('drop schema if exists _ferry cascade');
      const results = await Promise.all([upgradeState(first), upgradeState(second)]);
      expect(results.map((result) => result.from).sort()).toEqual([0, LATEST_STATE_VERSION]);
      expect(results.map((result) => result.to)).toEqual([LATEST_STATE_VERSION, LATEST_STATE_VERSION]);
      expect(await database.query('select version from _ferry.schema_version order by version')).toEqual(
        ALL_VERSIONS,
      );
    }
  });

  it('upgrades a _ferry schema that holds no version yet', async () => {
    const database = await createDatabase('state_upgrade_empty', { upgraded: false });
    await database.query('create schema _ferry');
    const client = await database.connect();
    expect(await stateVersion(client)).toBe(0);
    expect(await upgradeState(client)).toEqual({ from: 0, to: LATEST_STATE_VERSION });
  });

  it('upgrades a version 1 schema to the latest, keeping what it holds', async () => {
    const database = await createDatabase('state_upgrade_from_1', { upgraded: false });
    await database.query(`${STATE_MIGRATIONS[0]?.sql}
      insert into _ferry.schema_version (version) values (1);
      insert into _ferry.migration_control (migration, phase) values ('orders', 'done');`);
    const client = await database.connect();

    expect(await upgradeState(client)).toEqual({ from: 1, to: LATEST_STATE_VERSION });

    expect(await database.query('select migration, phase from _ferry.migration_control')).toEqual([
      { migration: 'orders', phase: 'done' },
    ]);
    expect(await database.query('select count(*)::int as records from _ferry.deferred_ddl')).toEqual([
      { records: 0 },
    ]);
  });

  it('refuses a schema a newer ferry upgraded, naming both versions', async () => {
    const database = await createDatabase('state_too_new');
    const newer = LATEST_STATE_VERSION + 1;
    await database.query('insert into _ferry.schema_version (version) values ($1)', [newer]);
    const client = await database.connect();

    const failure = upgradeState(client);

    await expect(failure).rejects.toMatchObject({ code: 'state.too-new' });
    await expect(failure).rejects.toThrow(
      `version ${newer}, newer than this ferry knows (up to version ${LATEST_STATE_VERSION})`,
    );
    expect(await stateVersion(client)).toBe(newer);
  });

  it('ships migrations numbered 1, 2, 3… that can run twice', async () => {
    expect(STATE_MIGRATIONS.map((migration) => migration.version)).toEqual(
      STATE_MIGRATIONS.map((_, index) => index + 1),
    );
    const database = await createDatabase('state_idempotent');
    for (const migration of STATE_MIGRATIONS) await database.query(migration.sql);
    expect(await database.query('select version from _ferry.schema_version order by version')).toEqual(
      ALL_VERSIONS,
    );
  });
});
