// The batch SELECT as text (values in target column order, bounds as cast literals, `where` and fix-ups),
// and quoteLiteral read back by a real server with standard_conforming_strings on and off.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogTable } from '../../src/catalog/types.js';
import { batchKeyColumns, batchSelectSql, targetColumnList } from '../../src/runner/batch-sql.js';
import { quoteLiteral } from '../../src/util/sql.js';
import { table } from '../support/catalog-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { migration, scope } from './fixtures.js';

const source: CatalogTable = table('legacy.dispatch_order', {
  id: 'bigint!',
  casefile_id: 'bigint!',
  amount_cents: 'integer!',
  currency: 'character(3)!',
  placed_at: 'timestamp without time zone!',
  note: 'text',
});
const keyed: CatalogTable = { ...source, primaryKey: ['id'] };

const orders = migration(
  { schema: 'legacy', name: 'dispatch_order' },
  { schema: 'app', name: 'orders' },
  {
    id: 'id',
    case_file_id: 'casefile_id',
    amount: { expr: 'amount_cents / 100.0' },
    currency: 'currency',
    legacy_note: { omit: true },
    placed_at: 'placed_at',
  },
);

describe('batchSelectSql', () => {
  it('selects one value per written target column for a closed range, in key order', () => {
    expect(batchSelectSql(scope(orders, keyed), { low: ['1000'], high: ['2000'] })).toBe(
      'SELECT "id", "casefile_id", (\namount_cents / 100.0\n), "currency", "placed_at" ' +
        'FROM "legacy"."dispatch_order" WHERE "id" > \'1000\'::bigint AND "id" <= \'2000\'::bigint ORDER BY "id"',
    );
    expect(targetColumnList(orders)).toEqual(['id', 'case_file_id', 'amount', 'currency', 'placed_at']);
  });

  it('leaves open sides out and adds the where in parentheses', () => {
    const filtered = { ...orders, where: 'amount_cents > 0 -- positive only' };
    expect(batchSelectSql(scope(filtered, keyed), { low: null, high: null })).toMatch(
      /FROM "legacy"\."dispatch_order" WHERE \(\namount_cents > 0 -- positive only\n\) ORDER BY "id"$/,
    );
    expect(batchSelectSql(scope(filtered, keyed), { low: ['7'], high: null })).toContain(
      'WHERE "id" > \'7\'::bigint AND (\namount_cents > 0',
    );
  });

  it('compares a composite batch key as a row, each bound cast to its column type', () => {
    const byTime = { ...orders, batch: { size: 100, key: ['placed_at', 'id'] } };
    const sql = batchSelectSql(scope(byTime, keyed), {
      low: ['2016-01-01 00:01:00', '1'],
      high: ["it's", '2'],
    });
    expect(sql).toContain(
      `WHERE ("placed_at", "id") > ('2016-01-01 00:01:00'::timestamp without time zone, '1'::bigint) ` +
        `AND ("placed_at", "id") <= ('it''s'::timestamp without time zone, '2'::bigint) ORDER BY "placed_at", "id"`,
    );
    expect(batchKeyColumns(byTime, keyed).map((column) => column.type)).toEqual([
      'timestamp without time zone',
      'bigint',
    ]);
  });

  it('loads fix-up columns as NULL', () => {
    const withFixup = { ...orders, fixups: ['case_file_id'] };
    expect(batchSelectSql(scope(withFixup, keyed), { low: null, high: null })).toMatch(
      /^SELECT "id", NULL, \(/,
    );
  });

  it('refuses a table without a batch key, a range of the wrong width and an unresolved column', () => {
    expect(() => batchSelectSql(scope(orders, source), { low: null, high: null })).toThrow(
      /declare batch.key/,
    );
    expect(() => batchSelectSql(scope(orders, keyed), { low: ['1', '2'], high: null })).toThrow(
      /2 value\(s\)/,
    );
    const unresolved = {
      ...orders,
      columns: [
        ...orders.columns,
        { target: 'x', origin: orders.columns[0]?.origin ?? { kind: 'declared' as const } },
      ],
    };
    expect(() => batchSelectSql(scope(unresolved, keyed), { low: null, high: null })).toThrow(
      /resolve the plan/,
    );
  });
});

describe('quoteLiteral', () => {
  let database: TestDatabase;
  const values = [
    "it's",
    'back\\slash',
    '\\',
    "\\'",
    "'; SELECT 1; --",
    'ünï 🙂',
    '',
    'tab\tnew\nline',
    "E'x'",
  ];

  beforeAll(async () => {
    database = await createTestDatabase('quote_literal');
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('reads back as the same string whether standard_conforming_strings is on or off', async () => {
    const select = `SELECT ARRAY[${values.map(quoteLiteral).join(', ')}]::text[] AS back`;
    for (const setting of ['on', 'off']) {
      const [row] = await database.query<{ back: string[] }>(
        `SET standard_conforming_strings = ${setting}; ${select}`,
      );
      expect(row?.back, `standard_conforming_strings = ${setting}`).toEqual(values);
    }
  });

  it('writes plain quotes unless there is a backslash, and refuses NUL', () => {
    expect(quoteLiteral("O'Brien")).toBe("'O''Brien'");
    expect(quoteLiteral('C:\\temp')).toBe("E'C:\\\\temp'");
    expect(() => quoteLiteral('a\0b')).toThrow(/NUL/);
  });
});
