// The parts of a catalog the mapping agent reads, typed loosely enough that both an introspected
// Catalog and the protocol's parsed request (whose optional fields may hold undefined) fit.

import type { QualifiedName } from '../../../spec/types.js';

export interface ColumnView {
  readonly name: string;
  readonly ordinal: number;
  readonly type: string;
  readonly baseType: string;
  readonly nullable: boolean;
  readonly default?: string | undefined;
  readonly identity?: 'always' | 'by default' | undefined;
  readonly serial: boolean;
  readonly generated: boolean;
  readonly maxLength?: number | undefined;
  readonly precision?: number | undefined;
  readonly scale?: number | undefined;
  /** MySQL: an UNSIGNED type, one bit wider in range than its signed name says. */
  readonly unsigned?: boolean | undefined;
  /** MySQL: the members of an ENUM or SET. */
  readonly members?: readonly string[] | undefined;
}

export interface ForeignKeyView {
  readonly columns: readonly string[];
  readonly referencedSchema: string;
  readonly referencedTable: string;
  readonly referencedColumns: readonly string[];
}

export interface TableView extends QualifiedName {
  readonly columns: readonly ColumnView[];
  readonly primaryKey?: readonly string[] | undefined;
  readonly foreignKeys: readonly ForeignKeyView[];
  readonly checks: readonly { readonly name: string; readonly expression: string }[];
}

export interface CatalogView {
  readonly tables: readonly TableView[];
}

/** A key for maps of tables; JSON keeps `a.b` + `c` apart from `a` + `b.c`. */
export function tableKey(name: QualifiedName): string {
  return JSON.stringify([name.schema, name.name]);
}

export function findTable(catalog: CatalogView, name: QualifiedName): TableView | undefined {
  return catalog.tables.find((table) => table.schema === name.schema && table.name === name.name);
}

/** `schema.name` as a reviewer reads it. */
export function displayTable(name: QualifiedName): string {
  return `${name.schema}.${name.name}`;
}

/** `schema.table.column` as a reviewer reads it. */
export function displayColumn(table: QualifiedName, column: string): string {
  return `${displayTable(table)}.${column}`;
}

/** The target fills the column by itself when nothing is written to it. */
export function targetFillsColumn(column: ColumnView): boolean {
  return column.identity !== undefined || column.serial || column.generated || column.default !== undefined;
}

/** The single-column foreign key that starts at `column`, if any. */
export function foreignKeyOf(table: TableView, column: string): ForeignKeyView | undefined {
  return table.foreignKeys.find((fk) => fk.columns.length === 1 && fk.columns[0] === column);
}

/** The table's primary key when it is exactly one column. */
export function singlePrimaryKey(table: TableView): string | undefined {
  const key = table.primaryKey;
  return key?.length === 1 ? key[0] : undefined;
}
