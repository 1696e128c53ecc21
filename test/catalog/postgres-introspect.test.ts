// PostgreSQL introspection against a real server: exact catalog tables, a query count that does not
// grow with the schema, and fingerprints that follow structure and nothing else.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { introspectPostgres } from '../../src/catalog/postgres/introspect.js';
import type { Catalog } from '../../src/catalog/types.js';
import {
  createTestDatabase,
  introspectDatabase as introspect,
  type TestDatabase,
} from '../support/database.js';
import { SHOP_DDL, SHOP_FINGERPRINTS, SHOP_TABLES } from './shop-schema.js';

const databases: TestDatabase[] = [];

afterAll(async () => {
  for (const database of databases) await database.drop();
});

async function newDatabase(label: string, ddl: string): Promise<TestDatabase> {
  const database = await createTestDatabase(label, ddl);
  databases.push(database);
  return database;
}

function fingerprints(catalog: Catalog): Record<string, string> {
  return Object.fromEntries(
    catalog.tables.map((table) => [`${table.schema}.${table.name}`, table.fingerprint]),
  );
}

function tableNames(catalog: Catalog): string[] {
  return catalog.tables.map((table) => `${table.schema}.${table.name}`);
}

describe('introspectPostgres', () => {
  let shop: TestDatabase;
  beforeAll(async () => {
    shop = await newDatabase('catalog_shop', SHOP_DDL);
  });

  it('reads every table of the schema exactly', async () => {
    const catalog = await introspect(shop, { schemas: ['shop'] });
    expect(catalog.tables).toStrictEqual(SHOP_TABLES);
    // Plain data: it survives the trip through the lockfile unchanged.
    expect(JSON.parse(JSON.stringify(catalog))).toStrictEqual(catalog);
  });

  it('marks virtual generated columns as generated where the server has them', async (context) => {
    const [server] = await shop.query<{ version: number }>(
      `select current_setting('server_version_num')::int4 as version`,
    );
    // Virtual generated columns exist from PostgreSQL 18 on; an older server cannot create one to read.
    if ((server?.version ?? 0) < 180000) context.skip();
    const database = await newDatabase(
      'catalog_virtual',
      'create table boxes (width int not null, area int generated always as (width * width) virtual)',
    );
    const [boxes] = (await introspect(database)).tables;
    expect(boxes?.columns[1]).toStrictEqual({
      name: 'area',
      ordinal: 2,
      type: 'integer',
      baseType: 'int4',
      nullable: true,
      serial: false,
      generated: true,
      generationExpression: '(width * width)',
    });
  });

  it('names the engine and the server version', async () => {
    const catalog = await introspect(shop, { schemas: [] });
    const [server] = await shop.query<{ version: string }>(
      `select current_setting('server_version') as version`,
    );
    expect(catalog).toStrictEqual({ engine: 'postgres', serverVersion: server?.version, tables: [] });
  });

  it('lists user schemas only, without partitions or _ferry', async () => {
    const catalog = await introspect(shop);
    expect(tableNames(catalog)).toStrictEqual([
      'public.settings',
      'shop.Order Lines',
      'shop.customers',
      'shop.event_notes',
      'shop.events',
      'shop.orders',
      'shop.products',
    ]);
  });

  it('reads only the schemas asked for, and never _ferry', async () => {
    expect(tableNames(await introspect(shop, { schemas: ['public'] }))).toStrictEqual(['public.settings']);
    expect(tableNames(await introspect(shop, { schemas: ['_ferry', 'public'] }))).toStrictEqual([
      'public.settings',
    ]);
  });

  it('leaves the session as it found it', async () => {
    await shop.withClient(async (client) => {
      await client.query('set search_path to shop, public');
      await introspectPostgres(client, {});
      const { rows } = await client.query<{ path: string }>(`select current_setting('search_path') as path`);
      expect(rows).toStrictEqual([{ path: 'shop, public' }]);
    });
  });
});

describe('introspectPostgres query count', () => {
  function chainOfTables(count: number): string {
    return Array.from({ length: count }, (_, i) =>
      i === 0
        ? 'create table t0 (id int primary key, label text unique);'
        : `create table t${i} (id int primary key, parent int references t${i - 1} (id), check (id > 0));`,
    ).join('\n');
  }

  async function countQueries(database: TestDatabase): Promise<{ queries: number; tables: number }> {
    return database.withClient(async (client) => {
      const query = vi.spyOn(client, 'query');
      const catalog = await introspectPostgres(client, {});
      return { queries: query.mock.calls.length, tables: catalog.tables.length };
    });
  }

  it('is the same for 3 tables and for 30', async () => {
    const few = await countQueries(await newDatabase('catalog_few', chainOfTables(3)));
    const many = await countQueries(await newDatabase('catalog_many', chainOfTables(30)));
    expect(few.tables).toBe(3);
    expect(many.tables).toBe(30);
    // begin, session settings, tables, columns, constraints, unique indexes, statistics, commit.
    expect(many.queries).toBe(few.queries);
    expect(few.queries).toBe(8);
  });
});

describe('table fingerprints', () => {
  it('ignore ANALYZE and rows, while estimates follow them', async () => {
    const database = await newDatabase('catalog_analyze', SHOP_DDL);
    const before = await introspect(database, { schemas: ['shop'] });
    await database.query(`
      insert into shop.customers (email) select 'c' || n || '@example.com' from generate_series(1, 50) n;
      insert into shop.orders (customer_id, placed_at)
        select 1 + n % 50, timestamp '2025-01-01' + n * interval '1 hour' from generate_series(1, 200) n;
      insert into shop.events (id, happened_on, kind)
        select n, date '2024-06-01' + n, 'seen' from generate_series(1, 300) n;
      analyze;
    `);
    const after = await introspect(database, { schemas: ['shop'] });
    expect(fingerprints(after)).toStrictEqual(fingerprints(before));

    const orders = after.tables.find((table) => table.name === 'orders');
    const events = after.tables.find((table) => table.name === 'events');
    const widths = await database.query<{ table_name: string; width: number }>(`
      select tablename::text as table_name, sum(avg_width)::int4 as width
      from pg_stats
      where schemaname = 'shop' and tablename in ('orders', 'events') and inherited = (tablename = 'events')
      group by tablename`);
    expect(orders?.rowEstimate).toBe(200);
    expect(events?.rowEstimate).toBe(300);
    expect({ orders: orders?.averageRowWidth, events: events?.averageRowWidth }).toStrictEqual({
      orders: widths.find((row) => row.table_name === 'orders')?.width,
      events: widths.find((row) => row.table_name === 'events')?.width,
    });
    expect(before.tables.some((table) => table.rowEstimate !== undefined)).toBe(false);
  });

  it('are the same on every server version', async () => {
    const database = await newDatabase('catalog_pinned', SHOP_DDL);
    expect(fingerprints(await introspect(database))).toStrictEqual(SHOP_FINGERPRINTS);
  });

  it('are identical for the same DDL in two databases, whatever the column history', async () => {
    const first = await newDatabase('catalog_twin_a', SHOP_DDL);
    const second = await newDatabase('catalog_twin_b', SHOP_DDL);
    await second.query(
      'alter table shop.orders add column scratch int; alter table shop.orders drop column scratch;',
    );
    const firstCatalog = await introspect(first);
    const secondCatalog = await introspect(second);
    expect(fingerprints(secondCatalog)).toStrictEqual(fingerprints(firstCatalog));
    expect(secondCatalog.tables).toStrictEqual(firstCatalog.tables);
  });

  it('change with a column type, a nullability or a new foreign key, and not with a constraint name', async () => {
    const database = await newDatabase(
      'catalog_alter',
      `create table teams (id int primary key);
       create table players (id int primary key, team_id int not null, rating numeric(5,2));`,
    );
    const history = [fingerprints(await introspect(database))];
    const alterations = [
      'alter table players alter column rating type numeric(6,2)',
      'alter table players alter column team_id drop not null',
      'alter table players add foreign key (team_id) references teams (id)',
    ];
    for (const alteration of alterations) {
      await database.query(alteration);
      history.push(fingerprints(await introspect(database)));
    }
    const players = history.map((snapshot) => snapshot['public.players']);
    expect(new Set(players).size).toBe(alterations.length + 1);
    expect(new Set(history.map((snapshot) => snapshot['public.teams'])).size).toBe(1);

    await database.query('alter table players rename constraint players_pkey to players_primary_key');
    expect(fingerprints(await introspect(database))).toStrictEqual(history.at(-1));
  });
});
