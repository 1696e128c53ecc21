// Expressions a MySQL source computes while it reads (src/runner/shipped-value.ts) must write exactly
// what PostgreSQL's evaluation of the same spec expression writes. Each case is run both ways against
// a real MariaDB/MySQL and a real PostgreSQL: the rows staged and the expression evaluated by
// PostgreSQL, and the expression shipped to MySQL and its COPY text loaded straight into the target.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspectMysql } from '../../src/catalog/mysql/introspect.js';
import { introspectPostgres } from '../../src/catalog/postgres/introspect.js';
import type { Catalog, CatalogTable } from '../../src/catalog/types.js';
import { connectMysql } from '../../src/db/mysql.js';
import { passThroughColumns } from '../../src/runner/pass-through.js';
import { mysqlReader, mysqlSourceRelation } from '../../src/source/mysql/reader.js';
import { stagedCatalog } from '../../src/source/mysql/staged-catalog.js';
import { loadExpressionParser } from '../../src/spec/expression.js';
import { migration } from '../runner/fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createMysqlTestDatabase, type MysqlTestDatabase, mysqlServerUrl } from '../support/mysql.js';

const server = mysqlServerUrl();

const SOURCE = String.raw`
CREATE TABLE vals (
  id INT NOT NULL PRIMARY KEY, flag TINYINT(1), n INT, big_u BIGINT UNSIGNED, cents INT,
  small_u SMALLINT UNSIGNED, note VARCHAR(20), day DATE
);
INSERT INTO vals VALUES
 (1, 0, 0, 0, 0, 0, '', '2020-01-01'),
 (2, 1, -7, 18446744073709551615, 1234, 65535, 'x', NULL),
 (3, 2, 2147483647, 9223372036854775807, -5, 1, NULL, '2020-01-01'),
 (4, NULL, NULL, NULL, NULL, NULL, 'n', NULL),
 (5, -1, -2147483648, 1, 99999999, 3, 'tab\there', '2020-01-01'),
 (6, 1, 5, 5, -99999999, 0, NULL, NULL),
 (7, 127, 6, 3, 5, 2, 'NULL', '2020-01-01'),
 (8, -128, 4, 2, -15, 4, '\\N', NULL);
`;

/** [expr, target column type]: each must be shipped, and write what PostgreSQL writes. */
const SHIPPED: readonly (readonly [string, string])[] = [
  ['flag <> 0', 'boolean'],
  ['flag = 1', 'boolean'],
  ['n >= 5 AND (big_u = 1 OR note IS NULL)', 'boolean'],
  ['NOT (cents < 0)', 'boolean'],
  ['big_u > 3 OR n <= 4', 'boolean'],
  ['note IS NOT NULL', 'boolean'],
  ['n IS NULL OR cents != 5', 'boolean'],
  ['cents / 100.0', 'numeric(12,2)'],
  ['cents / 1000.00', 'numeric(10,1)'],
  ['cents / 10.', 'numeric(11,3)'],
  ['small_u::integer', 'integer'],
  ['n::bigint', 'bigint'],
];

describe.skipIf(!server)('expressions computed by a MySQL source', () => {
  let source: MysqlTestDatabase;
  let target: TestDatabase;
  let mysqlCatalog: Catalog;
  let staged: CatalogTable;

  beforeAll(async () => {
    await loadExpressionParser();
    source = await createMysqlTestDatabase('mysql_shipped', SOURCE);
    target = await createTestDatabase('mysql_shipped_target');
    const connection = await connectMysql(source.url, 'source');
    mysqlCatalog = await introspectMysql(connection, { schemas: [source.name] }).finally(() =>
      connection.end(),
    );
    staged = stagedCatalog(mysqlCatalog).tables.find((t) => t.name === 'vals') as CatalogTable;
  });
  afterAll(async () => {
    await source?.drop();
    await target?.drop();
  });

  /** The rows of vals with `expr` into a column of `type`: evaluated by PostgreSQL, and shipped. */
  async function bothWays(expr: string, type: string, into: string) {
    await target.query(`CREATE TABLE ${into} (id integer, v ${type})`);
    const catalog = await target.withClient((client) => introspectPostgres(client, { schemas: ['public'] }));
    const targetTable = catalog.tables.find((t) => t.name === into) as CatalogTable;
    const from = { schema: source.name, name: 'vals' };
    const columns = passThroughColumns(
      migration(from, { schema: 'public', name: into }, { id: 'id', v: { expr } }),
      staged,
      targetTable,
    );
    expect(columns?.map((c) => c.target)).toStrictEqual(['id', 'v']);
    const connection = await connectMysql(source.url, 'source');
    const reader = mysqlReader(connection, mysqlCatalog);
    const relation = mysqlSourceRelation(into);
    const settled = <T>(work: Promise<T>) =>
      work.then(
        (value) => ({ value }),
        (error: { code?: string }) => ({ sqlstate: error.code }),
      );
    try {
      const scope = { sourceName: from, sourceRelation: relation, key: [{ name: 'id' }] };
      const whole = { low: null, high: null };
      return await target.withClient(async (sql) => {
        await reader.stage(sql, scope, whole);
        const evaluated = await settled(
          sql.query(`SELECT id, CAST((${expr}) AS ${type})::text AS v FROM ${relation} ORDER BY id`),
        );
        const shipped = await settled(
          (async () => {
            const table = { schema: 'public', name: into };
            await reader.copyRange?.(sql, scope, whole, { table, columns: columns ?? [] });
            return sql.query(`SELECT id, v::text AS v FROM ${into} ORDER BY id`);
          })(),
        );
        return {
          evaluated: 'value' in evaluated ? { rows: evaluated.value.rows } : evaluated,
          shipped: 'value' in shipped ? { rows: shipped.value.rows } : shipped,
        };
      });
    } finally {
      await reader.end();
    }
  }

  it.each(SHIPPED.map(([expr, type], i) => [expr, type, i] as const))(
    '%s into %s writes what PostgreSQL writes',
    async (expr, type, i) => {
      const { evaluated, shipped } = await bothWays(expr, type, `shipped_${i}`);
      expect('rows' in shipped && shipped.rows).toHaveLength(8);
      expect(shipped).toStrictEqual(evaluated);
    },
  );

  it('fails where PostgreSQL fails: a quotient too large for its column is numeric field overflow', async () => {
    const { evaluated, shipped } = await bothWays('cents / 10.', 'numeric(9,3)', 'shipped_overflow');
    expect(evaluated).toStrictEqual({ sqlstate: '22003' });
    expect(shipped).toStrictEqual({ sqlstate: '22003' });
  });
});
