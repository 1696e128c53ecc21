// Batch boundaries on a real PostgreSQL: every row in exactly one range (checked with the batch SELECT's
// own predicate), one query per range, composite and text keys, collations, gaps, `where` and empty tables.

import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CatalogTable } from '../../src/catalog/types.js';
import { type KeyRange, planKeyRanges } from '../../src/runner/key-ranges.js';
import type { QualifiedName } from '../../src/spec/types.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { referenceFiles, workloadDatabases } from '../support/workload.js';
import { catalogTable, columnsOf, expectPartition } from './fixtures.js';

/** Text keys that break naive quoting, each on its own; none has a NUL, which text cannot hold. */
const AWKWARD_WORDS = [
  "it's",
  "''",
  'back\\slash',
  '\\',
  "\\'",
  '"quoted"',
  'ünïcödé',
  '日本語',
  '🙂 emoji',
  '',
  ' leading space',
  'trailing space ',
  '$$dollar$$',
  '--comment',
  '/* block */',
  "'); DROP TABLE public.words; --",
  'tab\there',
  'new\nline',
  "E'x\\'",
  'z',
  'A',
  'a',
  'B',
];

let database: TestDatabase;
const tables = new Map<string, CatalogTable>();

const numbers: QualifiedName = { schema: 'public', name: 'numbers' };
const words: QualifiedName = { schema: 'public', name: 'words' };
const squares: QualifiedName = { schema: 'public', name: 'squares' };
const empty: QualifiedName = { schema: 'public', name: 'empty' };
const events: QualifiedName = { schema: 'public', name: 'events' };
const loose: QualifiedName = { schema: 'public', name: 'loose' };

beforeAll(async () => {
  database = await createTestDatabase(
    'key_ranges',
    `CREATE TABLE numbers (id bigint PRIMARY KEY, payload text NOT NULL);
     INSERT INTO numbers SELECT g, 'row ' || g FROM generate_series(1, 10000) g;
     CREATE TABLE words (word text PRIMARY KEY, c_word text COLLATE "C" NOT NULL UNIQUE);
     CREATE TABLE squares (id integer PRIMARY KEY);
     INSERT INTO squares SELECT g * g FROM generate_series(1, 500) g;
     CREATE TABLE empty (id integer PRIMARY KEY);
     CREATE TABLE events (at timestamptz NOT NULL, seq smallint NOT NULL, PRIMARY KEY (at, seq));
     INSERT INTO events SELECT timestamptz '2024-03-31 00:30:00+00' + (g / 3) * interval '17 minutes', g % 3
       FROM generate_series(0, 299) g;
     CREATE TABLE loose (id integer UNIQUE);
     ANALYZE;`,
  );
  await database.query('INSERT INTO words (word, c_word) SELECT w, w FROM unnest($1::text[]) w', [
    AWKWARD_WORDS,
  ]);
  for (const name of [numbers, words, squares, empty, events, loose]) {
    tables.set(name.name, await catalogTable(database, name));
  }
});

afterAll(async () => {
  await database?.drop();
});

function table(name: QualifiedName): CatalogTable {
  const found = tables.get(name.name);
  if (!found) throw new Error(`${name.name} was not introspected`);
  return found;
}

/** Walks `name` by `key` and counts the walk's queries. */
async function walk(
  name: QualifiedName,
  key: readonly string[],
  batchSize: number,
  where?: string,
): Promise<{ ranges: KeyRange[]; queries: number }> {
  return database.withClient(async (client: pg.Client) => {
    const query = vi.spyOn(client, 'query');
    const ranges = await planKeyRanges(client, {
      table: name,
      key: columnsOf(table(name), key),
      batchSize,
      ...(where === undefined ? {} : { where }),
    });
    return { ranges, queries: query.mock.calls.length };
  });
}

describe('planKeyRanges', () => {
  it('cuts 10,000 bigint keys into 10 ranges of 1,000 rows, one query each', async () => {
    const { ranges, queries } = await walk(numbers, ['id'], 1000);
    expect(ranges).toHaveLength(10);
    expect(ranges[0]).toEqual({ low: null, high: ['1000'] });
    expect(ranges[1]).toEqual({ low: ['1000'], high: ['2000'] });
    expect(ranges.at(-1)).toEqual({ low: ['9000'], high: null });
    // The last boundary is found together with the fact that no row follows it.
    expect(queries).toBe(Math.ceil(10000 / 1000));
    const counts = await expectPartition(database, numbers, columnsOf(table(numbers), ['id']), ranges);
    expect(counts).toEqual(Array(10).fill(1000));
  });

  it('needs ceil(rows / batch size) queries when the batch size does not divide the rows', async () => {
    const { ranges, queries } = await walk(numbers, ['id'], 3000);
    expect(ranges.map((range) => range.high?.[0] ?? null)).toEqual(['3000', '6000', '9000', null]);
    expect(queries).toBe(4);
    const counts = await expectPartition(database, numbers, columnsOf(table(numbers), ['id']), ranges);
    expect(counts).toEqual([3000, 3000, 3000, 1000]);
  });

  it('counts rows, not key values, over a key with gaps', async () => {
    const { ranges, queries } = await walk(squares, ['id'], 37);
    expect(ranges).toHaveLength(Math.ceil(500 / 37));
    expect(queries).toBe(ranges.length);
    expect(ranges[0]?.high).toEqual([String(37 * 37)]);
    const counts = await expectPartition(database, squares, columnsOf(table(squares), ['id']), ranges);
    expect(counts).toEqual([...Array(13).fill(37), 500 - 13 * 37]);
  });

  it('counts only the rows of the where', async () => {
    const where = 'id % 3 = 0';
    const { ranges } = await walk(numbers, ['id'], 1000, where);
    const key = columnsOf(table(numbers), ['id']);
    expect(ranges.map((range) => range.high?.[0] ?? null)).toEqual(['3000', '6000', '9000', null]);
    expect(await expectPartition(database, numbers, key, ranges, where)).toEqual([1000, 1000, 1000, 333]);
  });

  it('gives an empty table one open range in one query', async () => {
    const { ranges, queries } = await walk(empty, ['id'], 1000);
    expect(ranges).toEqual([{ low: null, high: null }]);
    expect(queries).toBe(1);
  });

  it('splits the reference junction table by its composite key (casefile_id, tag_id)', async () => {
    const { source, target } = await workloadDatabases('key_ranges_junction', referenceFiles('0.001'));
    try {
      const junction = { schema: 'legacy', name: 'dispatch_casefile_tags' };
      const key = columnsOf(await catalogTable(source, junction), ['casefile_id', 'tag_id']);
      const ranges = await source.withClient((client) =>
        planKeyRanges(client, { table: junction, key, batchSize: 300 }),
      );
      const [{ total } = { total: '0' }] = await source.query<{ total: string }>(
        'SELECT count(*) AS total FROM legacy.dispatch_casefile_tags',
      );
      expect(ranges).toHaveLength(Math.ceil(Number(total) / 300));
      expect(ranges.every((range) => range.high === null || range.high.length === 2)).toBe(true);
      const counts = await expectPartition(source, junction, key, ranges);
      expect(counts.slice(0, -1).every((count) => count === 300)).toBe(true);
    } finally {
      await source.drop();
      await target.drop();
    }
  });

  it('walks text keys with quotes, backslashes and unicode, one boundary per row', async () => {
    const key = columnsOf(table(words), ['word']);
    const { ranges } = await walk(words, ['word'], 1);
    const highs = ranges.flatMap((range) => (range.high === null ? [] : [range.high[0]]));
    const ordered = await database.query<{ word: string }>('SELECT word FROM words ORDER BY word');
    expect(highs).toEqual(ordered.slice(0, -1).map((row) => row.word));
    expect(new Set([...highs, ...AWKWARD_WORDS]).size).toBe(AWKWARD_WORDS.length);
    const counts = await expectPartition(database, words, key, ranges);
    expect(counts).toEqual(Array(AWKWARD_WORDS.length).fill(1));
  });

  it('orders text keys by the column collation, as the index does', async (context) => {
    const [icu] = await database.query("SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'");
    if (!icu) context.skip();
    await database.query(
      `CREATE TABLE IF NOT EXISTS icu_words (word text COLLATE "und-x-icu" PRIMARY KEY);
       INSERT INTO icu_words SELECT c_word FROM words ON CONFLICT DO NOTHING`,
    );
    const icuWords = { schema: 'public', name: 'icu_words' };
    const icuKey = columnsOf(await catalogTable(database, icuWords), ['word']);
    const cKey = columnsOf(table(words), ['c_word']);
    const [byIcu, byC] = await database.withClient(async (client) => [
      await planKeyRanges(client, { table: icuWords, key: icuKey, batchSize: 1 }),
      await planKeyRanges(client, { table: words, key: cKey, batchSize: 1 }),
    ]);
    const highs = (ranges: KeyRange[]) => ranges.flatMap((range) => range.high ?? []);
    // "C" sorts by code point (B before a); ICU sorts as people read (a before B).
    expect(highs(byC).indexOf('B')).toBeLessThan(highs(byC).indexOf('a'));
    expect(highs(byIcu).indexOf('a')).toBeLessThan(highs(byIcu).indexOf('B'));
    expect(await expectPartition(database, icuWords, icuKey, byIcu)).toEqual(Array(byIcu.length).fill(1));
    expect(await expectPartition(database, words, cKey, byC)).toEqual(Array(byC.length).fill(1));
  });

  it('keeps timestamptz keys exact in a composite key', async () => {
    const key = columnsOf(table(events), ['at', 'seq']);
    const { ranges } = await walk(events, ['at', 'seq'], 7);
    expect(ranges).toHaveLength(Math.ceil(300 / 7));
    const counts = await expectPartition(database, events, key, ranges);
    expect(counts.slice(0, -1).every((count) => count === 7)).toBe(true);
  });

  it('refuses a key that may be NULL and a batch size below one', async () => {
    await expect(walk(loose, ['id'], 10)).rejects.toThrow(/may be NULL/);
    await expect(walk(numbers, ['id'], 0)).rejects.toThrow(/positive integer/);
  });
});
