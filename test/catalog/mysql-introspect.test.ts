// MySQL/MariaDB introspection against a real server: the full column types a legacy app uses, keys,
// foreign keys and checks read exactly, a constant number of queries, and fingerprints that follow
// structure only.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { introspectMysql } from '../../src/catalog/mysql/introspect.js';
import type { Catalog } from '../../src/catalog/types.js';
import { connectMysql } from '../../src/db/mysql.js';
import { createMysqlTestDatabase, type MysqlTestDatabase, mysqlServerUrl } from '../support/mysql.js';

const server = mysqlServerUrl();

const LEGACY_DDL = `
CREATE TABLE dispatch_bracket (
  id INT UNSIGNED NOT NULL PRIMARY KEY, bracket_name VARCHAR(80) NOT NULL, min_weight DECIMAL(10,2),
  created_at DATETIME NOT NULL DEFAULT '2020-01-01 00:00:00');
CREATE TABLE dispatch_casefile (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, case_number VARCHAR(32) NOT NULL UNIQUE,
  bracket_id INT UNSIGNED NULL, status ENUM('open','closed','it''s') NOT NULL, flags SET('a','b'),
  is_active TINYINT(1) NOT NULL DEFAULT 1, payload JSON, photo BLOB, legacy_name CHAR(3) CHARACTER SET latin1,
  stamped TIMESTAMP(3) NULL, born YEAR, elapsed TIME, price_plus DECIMAL(12,3) GENERATED ALWAYS AS (min_price + 1) VIRTUAL,
  min_price DECIMAL(12,3), code VARCHAR(200), UNIQUE KEY code_prefix (code(10)),
  CONSTRAINT fk_casefile_bracket FOREIGN KEY (bracket_id) REFERENCES dispatch_bracket (id) ON DELETE SET NULL,
  CONSTRAINT positive_price CHECK (min_price > 0));
CREATE TABLE dispatch_casefile_tags (
  casefile_id BIGINT UNSIGNED NOT NULL, tag_id INT UNSIGNED NOT NULL, PRIMARY KEY (casefile_id, tag_id),
  CONSTRAINT fk_cft_casefile FOREIGN KEY (casefile_id) REFERENCES dispatch_casefile (id));
`;

describe.skipIf(!server)('introspectMysql', () => {
  let database: MysqlTestDatabase;
  let catalog: Catalog;
  beforeAll(async () => {
    database = await createMysqlTestDatabase('catalog_legacy', LEGACY_DDL);
    const connection = await connectMysql(database.url, 'source');
    try {
      catalog = await introspectMysql(connection, { schemas: [database.name] });
    } finally {
      await connection.end();
    }
  });
  afterAll(async () => {
    await database?.drop();
  });

  function table(name: string) {
    const found = catalog.tables.find((t) => t.name === name);
    if (!found) throw new Error(`no table ${name}`);
    return found;
  }

  it('names a database as the schema and reads only base tables of it', () => {
    expect(catalog.engine).toBe('mysql');
    expect(
      catalog.tables.map((t) => `${t.schema === database.name ? 'db' : t.schema}.${t.name}`),
    ).toStrictEqual(['db.dispatch_bracket', 'db.dispatch_casefile', 'db.dispatch_casefile_tags']);
  });

  it('reads the full column types a legacy app declares', () => {
    const columns = Object.fromEntries(table('dispatch_casefile').columns.map((c) => [c.name, c]));
    expect(columns.id).toMatchObject({
      baseType: 'bigint',
      unsigned: true,
      identity: 'by default',
      nullable: false,
    });
    expect(columns.id?.type).toMatch(/^bigint(\(20\))? unsigned$/);
    expect(columns.status).toMatchObject({
      baseType: 'enum',
      members: ['open', 'closed', "it's"],
      charset: 'utf8mb4',
    });
    expect(columns.flags).toMatchObject({ baseType: 'set', members: ['a', 'b'], nullable: true });
    expect(columns.is_active).toMatchObject({ baseType: 'tinyint', type: 'tinyint(1)', default: '1' });
    expect(columns.payload).toMatchObject({ baseType: 'json', type: 'json' });
    expect(columns.payload?.charset).toBeUndefined();
    expect(columns.photo).toMatchObject({ baseType: 'blob' });
    expect(columns.legacy_name).toMatchObject({ baseType: 'char', maxLength: 3, charset: 'latin1' });
    expect(columns.stamped).toMatchObject({ baseType: 'timestamp', precision: 3 });
    expect(columns.born?.baseType).toBe('year');
    expect(columns.elapsed?.baseType).toBe('time');
    expect(columns.min_price).toMatchObject({ baseType: 'decimal', precision: 12, scale: 3 });
    expect(columns.price_plus).toMatchObject({ generated: true });
    expect(columns.price_plus?.generationExpression).toContain('min_price');
    expect(columns.price_plus?.default).toBeUndefined();
    expect(table('dispatch_bracket').columns.find((c) => c.name === 'created_at')).toMatchObject({
      baseType: 'datetime',
      default: "'2020-01-01 00:00:00'",
    });
  });

  it('reads keys, foreign keys and checks, leaving prefix indexes and JSON checks out', () => {
    const casefile = table('dispatch_casefile');
    expect(casefile.primaryKey).toStrictEqual(['id']);
    expect(casefile.uniqueKeys).toStrictEqual([['case_number']]);
    expect(casefile.foreignKeys).toStrictEqual([
      {
        name: 'fk_casefile_bracket',
        columns: ['bracket_id'],
        referencedSchema: database.name,
        referencedTable: 'dispatch_bracket',
        referencedColumns: ['id'],
        onDelete: 'set null',
        deferrable: false,
      },
    ]);
    expect(casefile.checks.map((c) => c.name)).toStrictEqual(['positive_price']);
    expect(table('dispatch_casefile_tags').primaryKey).toStrictEqual(['casefile_id', 'tag_id']);
  });

  it('reads in a constant number of queries whatever the table count', async () => {
    const connection = await connectMysql(database.url, 'source');
    try {
      const spy = vi.spyOn(connection, 'query');
      await introspectMysql(connection, { schemas: [database.name] });
      expect(spy.mock.calls.length).toBe(6);
    } finally {
      await connection.end();
    }
  });

  it('fingerprints structure only: rows and statistics leave it, a column change moves it', async () => {
    // Foreign keys name their database (the schema), so only the table without one compares across two.
    const twin = await createMysqlTestDatabase('catalog_twin', LEGACY_DDL);
    const bracketPrint = async () => {
      const connection = await connectMysql(twin.url, 'source');
      const read = await introspectMysql(connection, { schemas: [twin.name] }).finally(() =>
        connection.end(),
      );
      return read.tables.find((t) => t.name === 'dispatch_bracket')?.fingerprint;
    };
    try {
      await twin.query(
        "INSERT INTO dispatch_bracket VALUES (1, 'b', 1.5, NOW()); ANALYZE TABLE dispatch_bracket",
      );
      expect(await bracketPrint()).toBe(table('dispatch_bracket').fingerprint);
      await twin.query('ALTER TABLE dispatch_bracket MODIFY bracket_name VARCHAR(81) NOT NULL');
      expect(await bracketPrint()).not.toBe(table('dispatch_bracket').fingerprint);
    } finally {
      await twin.drop();
    }
  });
});
