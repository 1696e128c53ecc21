// MySQL rows into PostgreSQL staging types through COPY text, against a real MariaDB/MySQL and a real
// PostgreSQL: every type of the conversion table arrives with its exact value, hostile text survives
// the escapes, zero dates become NULL and are counted, and key ranges cover a table exactly once.

import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspectMysql } from '../../src/catalog/mysql/introspect.js';
import type { CatalogTable } from '../../src/catalog/types.js';
import { connectMysql } from '../../src/db/mysql.js';
import { planMysqlKeyRanges } from '../../src/source/mysql/key-ranges.js';
import { rawColumnType } from '../../src/source/mysql/raw-types.js';
import { readMysqlRange } from '../../src/source/mysql/read-range.js';
import { quoteIdentifier } from '../../src/util/sql.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createMysqlTestDatabase, type MysqlTestDatabase, mysqlServerUrl } from '../support/mysql.js';

const server = mysqlServerUrl();

const SOURCE = String.raw`
CREATE TABLE every_type (
  id INT NOT NULL PRIMARY KEY,
  flag TINYINT(1), tiny_u TINYINT UNSIGNED, small_u SMALLINT UNSIGNED, int_u INT UNSIGNED, big_u BIGINT UNSIGNED,
  big_s BIGINT, price DECIMAL(30,10), ratio FLOAT, measure DOUBLE, bit1 BIT(1), bits BIT(10),
  label VARCHAR(100), latin CHAR(10) CHARACTER SET latin1, utf3 VARCHAR(20) CHARACTER SET utf8mb3, body LONGTEXT,
  status ENUM('open','it''s shut'), tags SET('red','green','blue'),
  raw_bytes BLOB, fixed BINARY(4), doc JSON,
  day DATE, moment DATETIME(6), stamped TIMESTAMP NULL, elapsed TIME, born YEAR
);
INSERT INTO every_type VALUES
 (1, 1, 255, 65535, 4294967295, 18446744073709551615, -9223372036854775808, 12345678901234567890.0123456789,
  1.5, 0.1, b'1', b'1000000001', 'tab\there, new\nline, cr\rback\\slash \\N', 'Grüße', 'naïve ✓', REPEAT('x', 70000),
  'it''s shut', 'red,blue', UNHEX('00FF5C0A09'), 'ab', '{"a": [1, "b\\"c"]}',
  '2020-02-29', '2021-03-04 05:06:07.123456', '2022-01-02 03:04:05', '-838:59:59', 2155),
 (2, 0, 0, 0, 0, 0, 9223372036854775807, -0.0000000001, -3.25e-10, 1e308, b'0', b'0', '', '', '', '',
  'open', '', '', '\0\0\0\0', 'null', '1000-01-01', '9999-12-31 23:59:59.999999', '1970-01-01 00:00:01', '838:59:59', 1901),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SET SESSION sql_mode = '';
INSERT INTO every_type (id, day, moment) VALUES (4, '0000-00-00', '2020-00-00 00:00:00'), (5, '2019-05-00', '0000-00-00 00:00:00');
SET SESSION sql_mode = 'ALLOW_INVALID_DATES';
INSERT INTO every_type (id, day, moment) VALUES (6, '2021-02-29', '2019-04-31 12:00:00');
CREATE TABLE pairs (a INT NOT NULL, b VARCHAR(10) NOT NULL, PRIMARY KEY (a, b));
`;

describe.skipIf(!server)('reading MySQL rows into PostgreSQL staging types', () => {
  let source: MysqlTestDatabase;
  let target: TestDatabase;
  let tables: Map<string, CatalogTable>;

  beforeAll(async () => {
    const pairs = Array.from({ length: 250 }, (_, i) => `(${Math.floor(i / 10)}, 'k${String(i % 10)}')`);
    source = await createMysqlTestDatabase(
      'mysql_read',
      `${SOURCE} INSERT INTO pairs VALUES ${pairs.join(', ')};`,
    );
    target = await createTestDatabase('mysql_read_target');
    const connection = await connectMysql(source.url, 'source');
    const catalog = await introspectMysql(connection, { schemas: [source.name] }).finally(() =>
      connection.end(),
    );
    tables = new Map(catalog.tables.map((table) => [table.name, table]));
  });
  afterAll(async () => {
    await source?.drop();
    await target?.drop();
  });

  function table(name: string): CatalogTable {
    const found = tables.get(name);
    if (!found) throw new Error(`no table ${name}`);
    return found;
  }

  it('moves every type with its exact value, counting zero dates made NULL', async () => {
    const everyType = table('every_type');
    const columns = everyType.columns.map(
      (column) => `${quoteIdentifier(column.name)} ${rawColumnType(column)?.type}`,
    );
    await target.query(`CREATE TABLE raw (${columns.join(', ')})`);
    const connection = await connectMysql(source.url, 'source');
    let zeroDates: ReadonlyMap<string, number> = new Map();
    try {
      await target.withClient(async (client) => {
        const read = readMysqlRange(connection, {
          table: { schema: source.name, name: 'every_type' },
          columns: everyType.columns,
          key: everyType.columns.filter((c) => c.name === 'id'),
          range: { low: null, high: null },
        });
        await pipeline(read.stream, client.query(copyFrom('COPY raw FROM STDIN')));
        zeroDates = read.encoder.zeroDates;
      });
    } finally {
      await connection.end();
    }
    expect(Object.fromEntries(zeroDates)).toStrictEqual({ day: 3, moment: 3 });
    const rows = await target.query<Record<string, string | null>>(
      `SET TimeZone = 'UTC'; SET extra_float_digits = 0;
       SELECT ${everyType.columns.map((c) => `${quoteIdentifier(c.name)}::text`).join(', ')} FROM raw ORDER BY id`,
    );
    expect(rows[0]).toStrictEqual({
      id: '1',
      flag: '1',
      tiny_u: '255',
      small_u: '65535',
      int_u: '4294967295',
      big_u: '18446744073709551615',
      big_s: '-9223372036854775808',
      price: '12345678901234567890.0123456789',
      ratio: '1.5',
      measure: '0.1',
      bit1: '1',
      bits: '1000000001',
      label: 'tab\there, new\nline, cr\rback\\slash \\N',
      latin: 'Grüße',
      utf3: 'naïve ✓',
      body: 'x'.repeat(70000),
      status: "it's shut",
      tags: 'red,blue',
      raw_bytes: '\\x00ff5c0a09',
      fixed: '\\x61620000',
      doc: '{"a": [1, "b\\"c"]}',
      day: '2020-02-29',
      moment: '2021-03-04 05:06:07.123456',
      stamped: '2022-01-02 03:04:05+00',
      elapsed: '-838:59:59',
      born: '2155',
    });
    expect(rows[1]).toMatchObject({
      big_s: '9223372036854775807',
      price: '-0.0000000001',
      ratio: '-3.25e-10',
      measure: '1e+308',
      bits: '0000000000',
      label: '',
      tags: '',
      raw_bytes: '\\x',
      fixed: '\\x00000000',
      doc: 'null',
      day: '1000-01-01',
      moment: '9999-12-31 23:59:59.999999',
      stamped: '1970-01-01 00:00:01+00',
      elapsed: '838:59:59',
    });
    expect(Object.values(rows[2] ?? {}).filter((value) => value !== null)).toStrictEqual(['3']);
    expect(rows.slice(3).map((row) => [row.id, row.day, row.moment])).toStrictEqual([
      ['4', null, null],
      ['5', null, null],
      ['6', null, null],
    ]);
  });

  it('cuts a composite key into ranges that read every row exactly once', async () => {
    const pairs = table('pairs');
    const key = pairs.columns;
    const tableName = { schema: source.name, name: 'pairs' };
    const connection = await connectMysql(source.url, 'source');
    try {
      const ranges = await planMysqlKeyRanges(connection, { table: tableName, key, batchSize: 40 });
      expect(ranges.length).toBe(7);
      expect(ranges[0]).toStrictEqual({ low: null, high: ['3', 'k9'] });
      expect(ranges[1]).toStrictEqual({ low: ['3', 'k9'], high: ['7', 'k9'] });
      const seen: string[] = [];
      for (const range of ranges) {
        const read = readMysqlRange(connection, { table: tableName, columns: key, key, range });
        for await (const chunk of read.stream) seen.push(...String(chunk).trim().split('\n').filter(Boolean));
      }
      expect(seen.length).toBe(250);
      expect(new Set(seen).size).toBe(250);
    } finally {
      await connection.end();
    }
  });
});
