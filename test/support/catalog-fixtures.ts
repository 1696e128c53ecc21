// Small synthetic catalogs for pure tests: `table('app.orders', { id: 'int4!', note: 'text' })`,
// where a trailing `!` means NOT NULL.

import type { Catalog, CatalogColumn, CatalogForeignKey, CatalogTable } from '../../src/catalog/types.js';

export function table(
  qualified: string,
  columns: Record<string, string>,
  extra: {
    primaryKey?: string[];
    foreignKeys?: Array<[string[], string, string[]]>;
    rowEstimate?: number;
  } = {},
): CatalogTable {
  const [schema, name] = qualified.split('.') as [string, string];
  const columnList: CatalogColumn[] = Object.entries(columns).map(([columnName, type], i) => ({
    name: columnName,
    ordinal: i + 1,
    type: type.replace('!', ''),
    baseType: type.replace('!', ''),
    nullable: !type.endsWith('!'),
    serial: false,
    generated: false,
  }));
  const foreignKeys: CatalogForeignKey[] = (extra.foreignKeys ?? []).map(
    ([fkColumns, referenced, referencedColumns], i) => {
      const [referencedSchema, referencedTable] = referenced.split('.') as [string, string];
      return {
        name: `${name}_fk${i}`,
        columns: fkColumns,
        referencedSchema,
        referencedTable,
        referencedColumns,
        onDelete: 'no action',
        deferrable: false,
      };
    },
  );
  return {
    schema,
    name,
    columns: columnList,
    ...(extra.primaryKey ? { primaryKey: extra.primaryKey } : {}),
    uniqueKeys: [],
    foreignKeys,
    checks: [],
    ...(extra.rowEstimate === undefined ? {} : { rowEstimate: extra.rowEstimate }),
    fingerprint: `sha256:${qualified}`,
  };
}

export function catalog(...tables: CatalogTable[]): Catalog {
  return { engine: 'postgres', serverVersion: '18.0', tables };
}
