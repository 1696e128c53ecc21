// Introspection of a PostgreSQL database (source or target) into the engine-neutral Catalog: a fixed
// handful of pg_catalog queries in one read-only transaction, whatever the number of tables.

import type pg from 'pg';
import type { Catalog } from '../types.js';
import {
  COLUMN_STATISTICS_QUERY,
  COLUMNS_QUERY,
  CONSTRAINTS_QUERY,
  type ColumnRow,
  type ColumnStatisticsRow,
  type ConstraintRow,
  SESSION_QUERY,
  type SessionRow,
  TABLES_QUERY,
  type TableRow,
  UNIQUE_INDEXES_QUERY,
  type UniqueIndexRow,
} from './queries.js';
import { buildTables } from './tables.js';

/** Never introspected: the server's own schemas (and every other `pg_` one) and ferry's state. */
export const SKIPPED_SCHEMAS: readonly string[] = ['pg_catalog', 'information_schema', 'pg_toast', '_ferry'];

export interface IntrospectPostgresOptions {
  /** Read only these schemas; all non-system schemas when absent. */
  readonly schemas?: readonly string[];
  /**
   * Read inside the transaction the caller holds open (and sees its uncommitted changes), instead of
   * a read-only transaction of its own.
   */
  readonly inTransaction?: boolean;
}

/**
 * Reads the tables of a PostgreSQL 13+ database: columns, keys, foreign keys, checks, row estimates
 * and widths, each table with its structural fingerprint. The queries run in their own read-only,
 * repeatable-read transaction, so they see one consistent catalog; the client must therefore not be
 * inside a transaction already, unless `inTransaction` says to read in the caller's.
 *
 * @example
 * const client = new pg.Client({ connectionString: process.env.FERRY_SOURCE_URL });
 * await client.connect();
 * const catalog = await introspectPostgres(client, { schemas: ['legacy'] });
 * console.log(catalog.tables.map((t) => `${t.schema}.${t.name} ${t.fingerprint}`));
 */
export async function introspectPostgres(
  client: pg.ClientBase,
  options: IntrospectPostgresOptions = {},
): Promise<Catalog> {
  if (options.inTransaction) return readCatalog(client, options);
  await client.query('begin isolation level repeatable read read only');
  try {
    const catalog = await readCatalog(client, options);
    await client.query('commit');
    return catalog;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}

async function readCatalog(client: pg.ClientBase, options: IntrospectPostgresOptions): Promise<Catalog> {
  const session = (await client.query<SessionRow>(SESSION_QUERY)).rows[0];
  if (!session) throw new Error('the server returned no session settings');
  const tables = (await client.query<TableRow>(TABLES_QUERY, [SKIPPED_SCHEMAS, options.schemas ?? null]))
    .rows;
  const tableOids = [tables.map((row) => row.table_oid)];
  const columns = (await client.query<ColumnRow>(COLUMNS_QUERY, tableOids)).rows;
  const constraints = (await client.query<ConstraintRow>(CONSTRAINTS_QUERY, tableOids)).rows;
  const uniqueIndexes = (await client.query<UniqueIndexRow>(UNIQUE_INDEXES_QUERY, tableOids)).rows;
  const statistics = (await client.query<ColumnStatisticsRow>(COLUMN_STATISTICS_QUERY, tableOids)).rows;
  return {
    engine: 'postgres',
    serverVersion: session.server_version,
    tables: buildTables({
      serverVersionNumber: session.server_version_num,
      tables,
      columns,
      constraints,
      uniqueIndexes,
      statistics,
    }),
  };
}
