// The structure of tables whose keys `apply --bulk` dropped for the load: kept in `_ferry` so that
// everything that reads the target's catalog meanwhile (the compiler's foreign-key edges, the
// lockfile's fingerprints) sees the tables as the rebuild will leave them, not as they stand bare.

import type pg from 'pg';
import type { Catalog, CatalogTable } from '../catalog/types.js';

const RECORD_SQL = `
insert into _ferry.deferred_tables (table_schema, table_name, catalog, fingerprint_without_keys)
select t.schema, t.name, t.catalog, t.fingerprint
from jsonb_to_recordset($1::jsonb) as t(schema text, name text, catalog jsonb, fingerprint text)
on conflict (table_schema, table_name) do nothing`;

const READ_SQL = `
select table_schema as schema, table_name as name, catalog, fingerprint_without_keys as fingerprint
from _ferry.deferred_tables`;

/**
 * Records each table's structure before its keys were dropped (`before`) with its fingerprint after
 * (`after`). A table recorded already keeps its first record: that is the structure to come back.
 *
 * @example
 * await recordDeferredTables(client, catalogBefore.tables, catalogAfter.tables);
 */
export async function recordDeferredTables(
  client: pg.ClientBase,
  before: readonly CatalogTable[],
  after: readonly CatalogTable[],
): Promise<void> {
  const rows = before.flatMap((table) => {
    const bare = after.find((t) => t.schema === table.schema && t.name === table.name);
    return bare
      ? [{ schema: table.schema, name: table.name, catalog: table, fingerprint: bare.fingerprint }]
      : [];
  });
  if (rows.length > 0) await client.query(RECORD_SQL, [JSON.stringify(rows)]);
}

/**
 * `catalog` with each table a bulk load left without its keys replaced by its recorded structure,
 * when the table is still exactly as the bulk load left it (otherwise someone changed it since, and
 * the change must show). Reads only; a target without `_ferry` is returned as it is.
 *
 * @example
 * const target = await withDeferredStructure(client, await introspectPostgres(client, { schemas }));
 */
export async function withDeferredStructure(client: pg.ClientBase, catalog: Catalog): Promise<Catalog> {
  const { rows: exists } = await client.query<{ present: boolean }>(
    `select to_regclass('_ferry.deferred_tables') is not null as present`,
  );
  if (!exists[0]?.present) return catalog;
  const { rows } = await client.query<{
    schema: string;
    name: string;
    catalog: CatalogTable;
    fingerprint: string;
  }>(READ_SQL);
  if (rows.length === 0) return catalog;
  return {
    ...catalog,
    tables: catalog.tables.map((table) => {
      const record = rows.find((row) => row.schema === table.schema && row.name === table.name);
      return record && record.fingerprint === table.fingerprint ? record.catalog : table;
    }),
  };
}

/** Forgets the recorded structures once every dropped object is rebuilt. */
export async function clearDeferredTables(client: pg.ClientBase): Promise<void> {
  await client.query('delete from _ferry.deferred_tables');
}
