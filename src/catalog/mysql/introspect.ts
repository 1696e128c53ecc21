// Introspection of a MySQL or MariaDB database into the engine-neutral Catalog: a fixed handful of
// information_schema queries in one consistent read, whatever the number of tables. A MySQL database
// is a schema: `legacy.dispatch_casefile` names the same table on both engines.

import type mysql from 'mysql2/promise';
import { compareText } from '../../util/compare.js';
import { fingerprintTable, type UnfingerprintedTable } from '../fingerprint.js';
import type { Catalog, CatalogCheck, CatalogForeignKey, CatalogTable, ReferentialAction } from '../types.js';
import { catalogColumn } from './columns.js';
import {
  CHECKS_QUERY,
  type CheckRow,
  COLUMNS_QUERY,
  type ColumnRow,
  FOREIGN_KEYS_QUERY,
  type ForeignKeyRow,
  SERVER_QUERY,
  type ServerRow,
  SYSTEM_DATABASES,
  scopeCondition,
  TABLES_QUERY,
  type TableRow,
  UNIQUE_INDEXES_QUERY,
  type UniqueIndexRow,
} from './queries.js';

export interface IntrospectMysqlOptions {
  /** Read only these databases (schemas); every non-system one when absent. */
  readonly schemas?: readonly string[];
}

/** MySQL's ER_NO_SUCH_TABLE: a server too old to list CHECK constraints. */
const NO_SUCH_TABLE = 1146;

const DELETE_RULES: Readonly<Record<string, ReferentialAction>> = {
  'NO ACTION': 'no action',
  RESTRICT: 'restrict',
  CASCADE: 'cascade',
  'SET NULL': 'set null',
  'SET DEFAULT': 'set default',
};

/**
 * Reads the tables of a MySQL 5.7+ or MariaDB 10.3+ server: columns, keys, foreign keys, checks, row
 * estimates and widths, each table with its structural fingerprint.
 *
 * @example
 * const source = await connectMysql(process.env.FERRY_SOURCE_URL ?? '', 'source');
 * const catalog = await introspectMysql(source, { schemas: ['legacy'] });
 */
export async function introspectMysql(
  connection: mysql.Connection,
  options: IntrospectMysqlOptions = {},
): Promise<Catalog> {
  const [[server]] = await connection.query<(ServerRow & mysql.RowDataPacket)[]>(SERVER_QUERY);
  if (!server) throw new Error('the server returned no version');
  const mariadb = /mariadb/i.test(`${server.version} ${server.comment ?? ''}`);
  const params = [SYSTEM_DATABASES, ...(options.schemas?.length ? [options.schemas] : [])];
  const read = async <Row>(query: (scope: string) => string, alias: string): Promise<Row[]> => {
    const [rows] = await connection.query<(Row & mysql.RowDataPacket)[]>(
      query(scopeCondition(alias, options.schemas)),
      params,
    );
    return rows;
  };
  const tables = await read<TableRow>(TABLES_QUERY, 't');
  const columns = await read<ColumnRow>(COLUMNS_QUERY, 't');
  const uniqueIndexes = await read<UniqueIndexRow>(UNIQUE_INDEXES_QUERY, 's');
  const foreignKeys = await read<ForeignKeyRow>(FOREIGN_KEYS_QUERY, 'k');
  const checks = await read<CheckRow>((scope) => CHECKS_QUERY(scope, mariadb), 't').catch((error) => {
    if ((error as { errno?: number }).errno === NO_SUCH_TABLE) return [];
    throw error;
  });
  return {
    engine: 'mysql',
    serverVersion: server.version,
    tables: buildTables({ tables, columns, uniqueIndexes, foreignKeys, checks, mariadb }),
  };
}

interface IntrospectedRows {
  readonly tables: readonly TableRow[];
  readonly columns: readonly ColumnRow[];
  readonly uniqueIndexes: readonly UniqueIndexRow[];
  readonly foreignKeys: readonly ForeignKeyRow[];
  readonly checks: readonly CheckRow[];
  readonly mariadb: boolean;
}

function buildTables(rows: IntrospectedRows): CatalogTable[] {
  const columnsByTable = groupByTable(rows.columns);
  const indexesByTable = groupByTable(rows.uniqueIndexes);
  const foreignKeysByTable = groupByTable(rows.foreignKeys);
  const checksByTable = groupByTable(rows.checks);
  return rows.tables
    .map((tableRow) => {
      const id = tableId(tableRow);
      const columnRows = columnsByTable.get(id) ?? [];
      const checkRows = checksByTable.get(id) ?? [];
      const jsonColumns = new Set(
        checkRows.filter((row) => isJsonCheck(row)).map((row) => row.constraint_name),
      );
      const indexes = uniqueIndexColumns(indexesByTable.get(id) ?? []);
      const primaryKey = indexes.get('PRIMARY');
      indexes.delete('PRIMARY');
      const rowEstimate = numberOrUndefined(tableRow.table_rows);
      const averageRowWidth = numberOrUndefined(tableRow.average_row_length);
      const table: UnfingerprintedTable = {
        schema: tableRow.schema_name,
        name: tableRow.table_name,
        columns: columnRows.map((row, index) =>
          catalogColumn(row, index + 1, { jsonColumns, mariadb: rows.mariadb }),
        ),
        ...(primaryKey === undefined ? {} : { primaryKey }),
        uniqueKeys: uniqueKeys([...indexes.values()], primaryKey),
        foreignKeys: foreignKeyList(foreignKeysByTable.get(id) ?? []),
        checks: checkRows
          .filter((row) => !isJsonCheck(row))
          .map(
            (row): CatalogCheck => ({ name: row.constraint_name, expression: `CHECK (${row.check_clause})` }),
          ),
        ...(rowEstimate === undefined ? {} : { rowEstimate }),
        ...(averageRowWidth === undefined || averageRowWidth === 0 ? {} : { averageRowWidth }),
      };
      return { ...table, fingerprint: fingerprintTable(table) };
    })
    .sort((a, b) => compareText(a.schema, b.schema) || compareText(a.name, b.name));
}

function tableId(row: { readonly schema_name: string; readonly table_name: string }): string {
  return `${row.schema_name}\u0000${row.table_name}`;
}

function groupByTable<Row extends { readonly schema_name: string; readonly table_name: string }>(
  rows: readonly Row[],
): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const id = tableId(row);
    const group = groups.get(id);
    if (group) group.push(row);
    else groups.set(id, [row]);
  }
  return groups;
}

/** MariaDB's JSON columns: a column-level `json_valid(`name`)` check named after the column. */
function isJsonCheck(row: CheckRow): boolean {
  return row.check_clause === `json_valid(\`${row.constraint_name.replaceAll('`', '``')}\`)`;
}

/** Each unique index's columns in index order, leaving out indexes that cover a prefix or an expression. */
function uniqueIndexColumns(rows: readonly UniqueIndexRow[]): Map<string, string[]> {
  const byIndex = new Map<string, (string | null)[]>();
  for (const row of rows) {
    const list = byIndex.get(row.index_name) ?? [];
    list.push(row.sub_part === null ? row.column_name : null);
    byIndex.set(row.index_name, list);
  }
  const complete = new Map<string, string[]>();
  for (const [name, columns] of byIndex) {
    if (columns.every((column): column is string => column !== null)) complete.set(name, columns);
  }
  return complete;
}

function uniqueKeys(candidates: readonly string[][], primaryKey: readonly string[] | undefined): string[][] {
  const byKey = new Map<string, string[]>();
  for (const columns of candidates) byKey.set(JSON.stringify(columns), columns);
  if (primaryKey) byKey.delete(JSON.stringify(primaryKey));
  return [...byKey.values()].sort((a, b) => compareText(a.join('\u0000'), b.join('\u0000')));
}

function foreignKeyList(rows: readonly ForeignKeyRow[]): CatalogForeignKey[] {
  const byName = new Map<string, ForeignKeyRow[]>();
  for (const row of rows) byName.set(row.constraint_name, [...(byName.get(row.constraint_name) ?? []), row]);
  return [...byName.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([name, parts]) => {
      const first = parts[0] as ForeignKeyRow;
      return {
        name,
        columns: parts.map((part) => part.column_name),
        referencedSchema: first.referenced_schema,
        referencedTable: first.referenced_table,
        referencedColumns: parts.map((part) => part.referenced_column),
        onDelete: DELETE_RULES[first.delete_rule.toUpperCase()] ?? 'no action',
        // MySQL checks every foreign key at once, row by row: none can be deferred.
        deferrable: false,
      };
    });
}

function numberOrUndefined(value: string | number | null): number | undefined {
  if (value === null) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}
