// Assembles catalog tables from the rows of the per-kind queries: groups rows by table, maps keys and
// constraints, estimates rows and widths, and fingerprints each table's structure.

import { compareText } from '../../util/compare.js';
import { fingerprintTable, type UnfingerprintedTable } from '../fingerprint.js';
import type { CatalogCheck, CatalogForeignKey, CatalogTable, ReferentialAction } from '../types.js';
import { catalogColumn, columnWidth } from './columns.js';
import type { ColumnRow, ColumnStatisticsRow, ConstraintRow, TableRow, UniqueIndexRow } from './queries.js';

export interface IntrospectedRows {
  readonly serverVersionNumber: number;
  readonly tables: readonly TableRow[];
  readonly columns: readonly ColumnRow[];
  readonly constraints: readonly ConstraintRow[];
  readonly uniqueIndexes: readonly UniqueIndexRow[];
  readonly statistics: readonly ColumnStatisticsRow[];
}

const REFERENTIAL_ACTIONS: Readonly<Record<string, ReferentialAction>> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

/** PostgreSQL 14 started marking never-analyzed tables with reltuples = -1. */
const FIRST_VERSION_WITH_UNKNOWN_RELTUPLES = 140000;

/** Builds the sorted catalog tables from everything the queries returned. */
export function buildTables(rows: IntrospectedRows): CatalogTable[] {
  const columnsByTable = groupByTable(rows.columns);
  const constraintsByTable = groupByTable(rows.constraints);
  const uniqueIndexesByTable = groupByTable(rows.uniqueIndexes);
  const widthsByTable = groupByTable(rows.statistics);
  return rows.tables
    .map((tableRow) => {
      const constraints = (constraintsByTable.get(tableRow.table_oid) ?? []).sort((a, b) =>
        compareText(a.constraint_name, b.constraint_name),
      );
      const columnRows = columnsByTable.get(tableRow.table_oid) ?? [];
      const primaryKey = constraints.find((row) => row.kind === 'p')?.column_names;
      const rowEstimate = estimateRows(tableRow, rows.serverVersionNumber);
      const averageRowWidth = estimateRowWidth(columnRows, widthsByTable.get(tableRow.table_oid) ?? []);
      const table: UnfingerprintedTable = {
        schema: tableRow.schema_name,
        name: tableRow.table_name,
        columns: columnRows.map((row, index) => catalogColumn(row, index + 1)),
        ...(primaryKey === undefined ? {} : { primaryKey }),
        uniqueKeys: uniqueKeys(constraints, uniqueIndexesByTable.get(tableRow.table_oid) ?? [], primaryKey),
        foreignKeys: constraints.filter((row) => row.kind === 'f').map(foreignKey),
        checks: constraints.filter((row) => row.kind === 'c').map(check),
        ...(rowEstimate === undefined ? {} : { rowEstimate }),
        ...(averageRowWidth === undefined ? {} : { averageRowWidth }),
      };
      return { ...table, fingerprint: fingerprintTable(table) };
    })
    .sort((a, b) => compareText(a.schema, b.schema) || compareText(a.name, b.name));
}

function groupByTable<Row extends { readonly table_oid: number }>(rows: readonly Row[]): Map<number, Row[]> {
  const groups = new Map<number, Row[]>();
  for (const row of rows) {
    const group = groups.get(row.table_oid);
    if (group) group.push(row);
    else groups.set(row.table_oid, [row]);
  }
  return groups;
}

/** Unique constraints and unique indexes, each column list once; a unique constraint has an index too. */
function uniqueKeys(
  constraints: readonly ConstraintRow[],
  indexes: readonly UniqueIndexRow[],
  primaryKey: readonly string[] | undefined,
): string[][] {
  const byKey = new Map<string, string[]>();
  const candidates = [
    ...constraints.filter((row) => row.kind === 'u').map((row) => row.column_names),
    ...indexes.map((row) => row.column_names),
  ];
  for (const columns of candidates) byKey.set(JSON.stringify(columns), [...columns]);
  if (primaryKey) byKey.delete(JSON.stringify(primaryKey));
  return [...byKey.values()].sort(compareColumnLists);
}

function compareColumnLists(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const order = compareText(a[i] as string, b[i] as string);
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

function foreignKey(row: ConstraintRow): CatalogForeignKey {
  return {
    name: row.constraint_name,
    columns: row.column_names,
    referencedSchema: row.referenced_schema ?? '',
    referencedTable: row.referenced_table ?? '',
    referencedColumns: row.referenced_column_names,
    onDelete: REFERENTIAL_ACTIONS[row.on_delete] ?? 'no action',
    deferrable: row.deferrable,
  };
}

function check(row: ConstraintRow): CatalogCheck {
  return { name: row.constraint_name, expression: row.definition };
}

/** A partitioned table holds no rows itself: its estimate is the sum over the analyzed leaves. */
function estimateRows(row: TableRow, serverVersionNumber: number): number | undefined {
  if (row.leaf_reltuples === null || row.leaf_relpages === null)
    return relationRowEstimate(row.reltuples, row.relpages, serverVersionNumber);
  const leafPages = row.leaf_relpages;
  const known = row.leaf_reltuples
    .map((reltuples, i) => relationRowEstimate(reltuples, leafPages[i] ?? 0, serverVersionNumber))
    .filter((estimate) => estimate !== undefined);
  return known.length === 0 ? undefined : known.reduce((sum, estimate) => sum + estimate, 0);
}

function relationRowEstimate(reltuples: number, relpages: number, serverVersionNumber: number) {
  if (reltuples < 0) return undefined;
  // Before 14 a never-analyzed table reads 0 tuples in 0 pages, as the planner itself assumes.
  if (serverVersionNumber < FIRST_VERSION_WITH_UNKNOWN_RELTUPLES && reltuples === 0 && relpages === 0)
    return undefined;
  return Math.round(reltuples);
}

function estimateRowWidth(
  columns: readonly ColumnRow[],
  statistics: readonly ColumnStatisticsRow[],
): number | undefined {
  const analyzedWidths = new Map(statistics.map((row) => [row.column_name, row.average_width]));
  let total = 0;
  for (const column of columns) {
    const width = columnWidth(column, analyzedWidths.get(column.column_name));
    if (width === undefined) return undefined;
    total += width;
  }
  return total;
}
