// The runner's reader for a MySQL or MariaDB source: batch boundaries walked on MySQL itself, and each
// range's rows streamed into a temporary table of the PostgreSQL session that runs the batch SQL, in
// the staging types of raw-types.ts. The temporary table is the session's own, so every worker stages
// its own ranges, and nothing of it outlives the session.

import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Catalog, CatalogColumn, CatalogTable } from '../../catalog/types.js';
import { errorDiagnostic, FerryError } from '../../errors.js';
import type { KeyRangeOptions } from '../../runner/key-ranges.js';
import type { QualifiedName } from '../../spec/types.js';
import { quoteIdentifier, quoteQualifiedName } from '../../util/sql.js';
import type { PassThroughColumn, SourceReader, StagedSource } from '../reader.js';
import { mysqlLastKeyAfter, planMysqlKeyRanges } from './key-ranges.js';
import { rawColumnType } from './raw-types.js';
import { type MysqlRangeStream, readMysqlRange } from './read-range.js';
import { shippedSql } from './shipped-sql.js';

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint']);

/**
 * The temporary table a migration's MySQL rows are staged in: `pg_temp."ferry_source_<migration>"`,
 * cut and suffixed with a hash where the name would pass PostgreSQL's 63-byte limit.
 */
export function mysqlSourceRelation(migration: string): string {
  let name = `ferry_source_${migration}`;
  if (Buffer.byteLength(name) > 63) {
    const hash = createHash('sha256').update(migration).digest('hex').slice(0, 8);
    name = `${Buffer.from(name)
      .subarray(0, 50)
      .toString('utf8')
      .replace(/\uFFFD+$/, '')}_${hash}`;
  }
  return `pg_temp.${quoteIdentifier(name)}`;
}

/**
 * MySQL orders text keys by their collation and PostgreSQL by its own, so a range cut on MySQL could
 * hold rows PostgreSQL would place outside it. Integer keys order alike on both.
 */
function assertIntegerKey(table: CatalogTable, key: readonly Pick<CatalogColumn, 'name'>[]): void {
  const others = key
    .map((column) => table.columns.find((candidate) => candidate.name === column.name))
    .filter((column) => column !== undefined && !INTEGER_TYPES.has(column.baseType));
  if (others.length === 0) return;
  throw new FerryError(
    errorDiagnostic(
      'apply.unsupported',
      `${table.schema}.${table.name}: batch key column(s) ${others.map((c) => `${c?.name} (${c?.type})`).join(', ')} ` +
        'are not integers; from a MySQL source ferry cuts batches on integer keys only',
      {
        hint: 'declare batch: { key: [...] } in the spec naming unique NOT NULL integer columns of the source table',
      },
    ),
  );
}

/** The temporary table `relation` (see mysqlSourceRelation) for the movable `columns` of a MySQL table. */
export async function createStagingTable(
  sql: pg.ClientBase,
  relation: string,
  columns: readonly CatalogColumn[],
): Promise<void> {
  const definitions = columns.flatMap((column) => {
    const raw = rawColumnType(column);
    return raw ? [`${quoteIdentifier(column.name)} ${raw.type}`] : [];
  });
  await sql.query(`DROP TABLE IF EXISTS ${relation}`);
  // CREATE TEMPORARY takes no schema but pg_temp, which it implies.
  await sql.query(`CREATE TEMPORARY TABLE ${relation.replace(/^pg_temp\./, '')} (${definitions.join(', ')})`);
}

function keyOf(table: CatalogTable, source: StagedSource): readonly Pick<CatalogColumn, 'name'>[] {
  return source.key ?? (table.primaryKey ?? []).map((name) => ({ name }));
}

/** COPYs a range read into `relation` (SQL naming the table and its columns); the rows it stored. */
async function copyInto(sql: pg.ClientBase, relation: string, read: MysqlRangeStream): Promise<number> {
  const writer = sql.query(copyFrom(`COPY ${relation} FROM STDIN`));
  try {
    await pipeline(read.stream, writer);
  } catch (error) {
    // The MySQL connection serves the next range (or this one, staged for bisection) only once the
    // rest of this query has been read.
    await read.drain();
    throw error;
  }
  return writer.rowCount;
}

/**
 * How a shipped value is read: a column as itself (encoded by its type), an expression as its SQL,
 * whose result (a number, or 1/0 for a truth value) needs no more than plain text.
 */
function shippedRead(
  table: CatalogTable,
  column: PassThroughColumn,
): { readonly column: CatalogColumn; readonly sql?: string } {
  const { value } = column;
  if (value.kind !== 'column') {
    const computed = { name: column.target, ordinal: 0, type: 'decimal', baseType: 'decimal' };
    return {
      column: { ...computed, nullable: true, serial: false, generated: false },
      sql: shippedSql(value),
    };
  }
  const found = table.columns.find((candidate) => candidate.name === value.name);
  if (!found) throw new Error(`${table.schema}.${table.name}.${value.name} is not in the catalog`);
  return { column: found };
}

export function mysqlReader(connection: mysql.Connection, catalog: Catalog): SourceReader {
  const tableOf = (name: QualifiedName): CatalogTable => {
    const table = catalog.tables.find((t) => t.schema === name.schema && t.name === name.name);
    if (!table) throw new Error(`${name.schema}.${name.name} is not in the MySQL source's catalog`);
    return table;
  };
  /** The relations each PostgreSQL session has created already. */
  const created = new WeakMap<pg.ClientBase, Set<string>>();

  async function ensureRelation(sql: pg.ClientBase, relation: string, columns: readonly CatalogColumn[]) {
    const known = created.get(sql) ?? new Set<string>();
    created.set(sql, known);
    if (known.has(relation)) {
      await sql.query(`TRUNCATE ${relation}`);
      return;
    }
    await createStagingTable(sql, relation, columns);
    known.add(relation);
  }

  return {
    engine: 'mysql',
    stagesRange: true,
    async planKeyRanges(_sql, options: KeyRangeOptions) {
      assertIntegerKey(tableOf(options.table), options.key);
      const { where: _where, ...walk } = options;
      return planMysqlKeyRanges(connection, walk);
    },
    async lastKeyAfter(_sql, options, after) {
      assertIntegerKey(tableOf(options.table), options.key);
      return mysqlLastKeyAfter(connection, options.table, options.key, after);
    },
    async stage(sql, source: StagedSource, range) {
      const table = tableOf(source.sourceName);
      const columns = table.columns.filter((column) => rawColumnType(column) !== undefined);
      await ensureRelation(sql, source.sourceRelation, columns);
      const read = readMysqlRange(connection, { table, columns, key: keyOf(table, source), range });
      const names = columns.map((column) => quoteIdentifier(column.name));
      await copyInto(sql, `${source.sourceRelation} (${names.join(', ')})`, read);
      return read.encoder.zeroDates;
    },
    async copyRange(sql, source, range, into) {
      const table = tableOf(source.sourceName);
      const values = into.columns.map((column) => shippedRead(table, column));
      const read = readMysqlRange(connection, {
        table,
        columns: values.map((value) => value.column),
        values: values.map((value) => value.sql),
        key: keyOf(table, source),
        range,
      });
      const names = into.columns.map((column) => quoteIdentifier(column.target));
      const rows = await copyInto(sql, `${quoteQualifiedName(into.table)} (${names.join(', ')})`, read);
      return { rows, zeroDates: read.encoder.zeroDates };
    },
    end: () => connection.end(),
  };
}
