// The `_ferry` tables a migration's layout needs before its first batch: its key mapping (keys:
// generate) and the values its fix-up columns wait in. Both are typed like the keys they hold, so the
// joins that translate refs compare native values on indexes, never text.
//
// `_ferry.migration_mappings` is a view over every key mapping, one row per migrated source row with
// both keys as JSON arrays: what people and reports read, while the runner joins the typed tables.

import type pg from 'pg';
import { inTransaction } from '../db/transaction.js';
import { quoteIdentifier, quoteLiteral, quoteQualifiedName } from '../util/sql.js';
import type { BatchLayout } from './batch-layout.js';

/** Serializes the DDL of concurrent appliers: a view is replaced from the list of mapping tables. */
const LAYOUT_DDL_LOCK = `select pg_advisory_xact_lock(hashtext('ferry.layout-tables'))`;

const MAPPING_TABLES_SQL = `
select c.relname as table, obj_description(c.oid, 'pg_class') as migration,
       (select count(*)::int from pg_attribute a
         where a.attrelid = c.oid and a.attname like 'source\\_key\\_%' and not a.attisdropped) as key_columns
from pg_class c
where c.relnamespace = '_ferry'::regnamespace and c.relkind = 'r' and c.relname like 'keymap\\_%'
order by c.relname`;

/**
 * Creates the key mapping and fix-up tables `layout` needs, when they do not exist yet, and rebuilds
 * the `_ferry.migration_mappings` view over every key mapping. Runs its own transaction.
 *
 * @example
 * await ensureLayoutTables(target, batchLayout(customers, context));
 */
export async function ensureLayoutTables(client: pg.ClientBase, layout: BatchLayout): Promise<void> {
  const statements = [...mappingDdl(layout), ...fixupDdl(layout)];
  if (statements.length === 0) return;
  await inTransaction(client, async () => {
    await client.query(LAYOUT_DDL_LOCK);
    for (const statement of statements) await client.query(statement);
    if (layout.mappingTable) await client.query(await mappingsViewSql(client));
  });
}

function mappingDdl(layout: BatchLayout): string[] {
  if (!layout.mappingTable || !layout.generatedKey) return [];
  const table = quoteQualifiedName(layout.mappingTable);
  const keys = layout.sourceKey.map((column, index) => `source_key_${index + 1} ${column.type} not null`);
  const primary = layout.sourceKey.map((_, index) => `source_key_${index + 1}`).join(', ');
  return [
    `create table if not exists ${table} (${keys.join(', ')}, target_key ${layout.generatedKey.type} not null, ` +
      `batch_no int not null, primary key (${primary}))`,
    `comment on table ${table} is ${quoteLiteral(layout.migration.name)}`,
  ];
}

function fixupDdl(layout: BatchLayout): string[] {
  if (!layout.fixupTable) return [];
  // The source key too: a pause in the fix-up step names rows by it, like every other pause.
  const keys = [
    ...layout.targetKey.map((key, index) => `target_key_${index + 1} ${key.type} not null`),
    ...layout.sourceKey.map((column, index) => `source_key_${index + 1} ${column.type} not null`),
  ];
  const values = layout.columns.filter((c) => c.fixup).map((c) => `${c.stage} ${c.type}`);
  const primary = layout.targetKey.map((_, index) => `target_key_${index + 1}`).join(', ');
  return [
    `create table if not exists ${quoteQualifiedName(layout.fixupTable)} (${[...keys, ...values].join(', ')}, ` +
      `batch_no int not null, primary key (${primary}))`,
  ];
}

/** The view as a union over every mapping table that exists now (this layout's included). */
async function mappingsViewSql(client: pg.ClientBase): Promise<string> {
  const { rows } = await client.query<{ table: string; migration: string; key_columns: number }>(
    MAPPING_TABLES_SQL,
  );
  const selects = rows.map((row) => {
    const keys = Array.from({ length: row.key_columns }, (_, i) => `source_key_${i + 1}`).join(', ');
    return (
      `select ${quoteLiteral(row.migration)}::text as migration, jsonb_build_array(${keys}) as source_key, ` +
      `jsonb_build_array(target_key) as target_key, batch_no from _ferry.${quoteIdentifier(row.table)}`
    );
  });
  return `create or replace view _ferry.migration_mappings as ${selects.join(' union all ')}`;
}
