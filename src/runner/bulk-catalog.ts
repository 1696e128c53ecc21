// What `apply --bulk` drops from the tables it loads, read from the target's catalog: their indexes
// (those that back a constraint as that constraint), their foreign keys, and the foreign keys of other
// tables that reference them, each with the statements that rebuild it and the one that drops it.

import type pg from 'pg';
import { errorDiagnostic, FerryError } from '../errors.js';
import { formatQualifiedName } from '../spec/qualified-name.js';
import type { QualifiedName } from '../spec/types.js';
import type { DeferredDefinition } from '../state/deferred-ddl.js';
import { quoteIdentifier, quoteQualifiedName } from '../util/sql.js';

/**
 * With an empty search_path, pg_get_indexdef and pg_get_constraintdef qualify every name outside
 * pg_catalog, so the statements they print mean the same in whatever session restores them.
 * Transaction-local: the caller's session is left as it was.
 */
export const QUALIFY_NAMES_SQL = "select pg_catalog.set_config('search_path', '', true)";

const RESOLVE_SQL = `
select wanted.position::int as position, c.oid
from unnest($1::text[], $2::text[]) with ordinality as wanted (schema, name, position)
left join pg_catalog.pg_namespace n on n.nspname = wanted.schema
left join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relname = wanted.name and c.relkind in ('r', 'p')
order by wanted.position`;

/**
 * The indexes of the tables, with the constraint each backs. Left out, because dropping them alone
 * is refused or rebuilding them would not give back the same object: the indexes of a partitioned
 * table and the partitions' indexes attached to them (they come and go with their parent), and
 * invalid indexes (a failed CREATE INDEX CONCURRENTLY, which a rebuild would quietly complete).
 */
const INDEXES_SQL = `
select tn.nspname as table_schema,
       t.relname as table_name,
       ic.relname as index_name,
       con.conname,
       con.contype,
       con.condeferrable,
       con.condeferred,
       pg_catalog.pg_get_indexdef(i.indexrelid) as index_def,
       case when con.oid is not null then pg_catalog.pg_get_constraintdef(con.oid) end as constraint_def,
       ts.spcname as tablespace,
       case when con.oid is not null then pg_catalog.obj_description(con.oid, 'pg_constraint')
            else pg_catalog.obj_description(i.indexrelid, 'pg_class') end as comment
from pg_catalog.pg_index i
join pg_catalog.pg_class ic on ic.oid = i.indexrelid
join pg_catalog.pg_class t on t.oid = i.indrelid
join pg_catalog.pg_namespace tn on tn.oid = t.relnamespace
left join pg_catalog.pg_constraint con
  on con.conindid = i.indexrelid and con.conrelid = i.indrelid and con.contype in ('p', 'u', 'x')
left join pg_catalog.pg_tablespace ts on ts.oid = ic.reltablespace
where i.indrelid = any ($1::oid[])
  and ic.relkind = 'i'
  and i.indisvalid
  and not exists (select from pg_catalog.pg_inherits h where h.inhrelid = i.indexrelid)
order by tn.nspname, t.relname, ic.relname`;

/**
 * Foreign keys on the tables and into them. A partition's copy of a partitioned table's foreign key
 * (conparentid set) goes with its parent's.
 */
const FOREIGN_KEYS_SQL = `
select tn.nspname as table_schema,
       t.relname as table_name,
       t.relkind,
       con.conname,
       rn.nspname as referenced_schema,
       r.relname as referenced_name,
       pg_catalog.pg_get_constraintdef(con.oid) as constraint_def,
       con.convalidated,
       pg_catalog.obj_description(con.oid, 'pg_constraint') as comment
from pg_catalog.pg_constraint con
join pg_catalog.pg_class t on t.oid = con.conrelid
join pg_catalog.pg_namespace tn on tn.oid = t.relnamespace
join pg_catalog.pg_class r on r.oid = con.confrelid
join pg_catalog.pg_namespace rn on rn.oid = r.relnamespace
where con.contype = 'f'
  and con.conparentid = 0
  and (con.conrelid = any ($1::oid[]) or con.confrelid = any ($1::oid[]))
order by tn.nspname, t.relname, con.conname`;

interface IndexRow {
  readonly table_schema: string;
  readonly table_name: string;
  readonly index_name: string;
  readonly conname: string | null;
  readonly contype: 'p' | 'u' | 'x' | null;
  readonly condeferrable: boolean | null;
  readonly condeferred: boolean | null;
  readonly index_def: string;
  readonly constraint_def: string | null;
  readonly tablespace: string | null;
  readonly comment: string | null;
}

interface ForeignKeyRow {
  readonly table_schema: string;
  readonly table_name: string;
  readonly relkind: string;
  readonly conname: string;
  readonly referenced_schema: string;
  readonly referenced_name: string;
  readonly constraint_def: string;
  readonly convalidated: boolean;
  readonly comment: string | null;
}

/**
 * The oids of `tables`, in their order. Throws `catalog.unknown-table` naming every table the target
 * does not have. Runs in the caller's transaction.
 */
export async function resolveTables(
  client: pg.ClientBase,
  tables: readonly QualifiedName[],
): Promise<number[]> {
  const { rows } = await client.query<{ position: number; oid: number | null }>(RESOLVE_SQL, [
    tables.map((t) => t.schema),
    tables.map((t) => t.name),
  ]);
  const missing = rows.flatMap((row) =>
    row.oid === null ? [tables[row.position - 1] as QualifiedName] : [],
  );
  if (missing.length > 0) {
    throw new FerryError(
      missing.map((name) =>
        errorDiagnostic('catalog.unknown-table', `target table ${formatQualifiedName(name)} does not exist`, {
          hint: 'run `ferry plan` again: the target changed since the plan was made',
        }),
      ),
    );
  }
  return rows.map((row) => row.oid as number);
}

/**
 * Everything --bulk drops from the tables with these oids: their indexes and the constraints those
 * back, then every foreign key on them or into them. Call it after QUALIFY_NAMES_SQL in the same
 * transaction, and drop in the order of dropOrder.
 */
export async function readDeferrable(
  client: pg.ClientBase,
  tableOids: readonly number[],
): Promise<DeferredDefinition[]> {
  const indexes = await client.query<IndexRow>(INDEXES_SQL, [tableOids]);
  const foreignKeys = await client.query<ForeignKeyRow>(FOREIGN_KEYS_SQL, [tableOids]);
  return [...indexes.rows.map(indexDefinition), ...foreignKeys.rows.map(foreignKeyDefinition)];
}

/**
 * A plain index is rebuilt by its own CREATE INDEX. A primary key or unique constraint is rebuilt in
 * two steps: CREATE UNIQUE INDEX, which takes a SHARE lock that other index builds on the table do
 * not wait for, then ADD CONSTRAINT … USING INDEX, which needs an ACCESS EXCLUSIVE lock only for a
 * catalog change. An exclusion constraint cannot be attached to an index, so it is added whole.
 */
function indexDefinition(row: IndexRow): DeferredDefinition {
  const table = { schema: row.table_schema, name: row.table_name };
  const common = {
    table,
    restoreOrder: 1 as const,
    ...(row.tablespace === null ? {} : { tablespace: row.tablespace }),
    ...(row.comment === null ? {} : { comment: row.comment }),
  };
  if (row.contype === null || row.conname === null || row.constraint_def === null) {
    return { ...common, kind: 'index', name: row.index_name, restoreSql: [row.index_def] };
  }
  const addConstraint = `ALTER TABLE ${quoteQualifiedName(table)} ADD CONSTRAINT ${quoteIdentifier(row.conname)}`;
  if (row.contype === 'x') {
    return {
      ...common,
      kind: 'exclusion',
      name: row.conname,
      restoreSql: [`${addConstraint} ${row.constraint_def}`],
    };
  }
  const timing = `${row.condeferrable ? ' DEFERRABLE' : ''}${row.condeferred ? ' INITIALLY DEFERRED' : ''}`;
  const kind = row.contype === 'p' ? 'primary-key' : 'unique';
  const attach = `${addConstraint} ${kind === 'primary-key' ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${quoteIdentifier(row.index_name)}${timing}`;
  return { ...common, kind, name: row.conname, restoreSql: [row.index_def, attach] };
}

/**
 * A validated foreign key is added NOT VALID, then validated: adding takes a SHARE ROW EXCLUSIVE lock
 * on both tables only for a catalog change, and validating takes locks that let the validations of
 * other keys into the same parent run at the same time. A key that was NOT VALID (or NOT ENFORCED)
 * is added back as it was, and a partitioned table's key whole, since PostgreSQL before 18 refuses
 * NOT VALID there.
 */
function foreignKeyDefinition(row: ForeignKeyRow): DeferredDefinition {
  const table = { schema: row.table_schema, name: row.table_name };
  const addConstraint = `ALTER TABLE ${quoteQualifiedName(table)} ADD CONSTRAINT ${quoteIdentifier(row.conname)} ${row.constraint_def}`;
  const inSteps = row.convalidated && row.relkind === 'r';
  return {
    table,
    kind: 'foreign-key',
    name: row.conname,
    references: { schema: row.referenced_schema, name: row.referenced_name },
    restoreSql: inSteps
      ? [
          `${addConstraint} NOT VALID`,
          `ALTER TABLE ${quoteQualifiedName(table)} VALIDATE CONSTRAINT ${quoteIdentifier(row.conname)}`,
        ]
      : [addConstraint],
    ...(row.comment === null ? {} : { comment: row.comment }),
    restoreOrder: 2,
  };
}

/** Foreign keys first (they depend on the referenced unique indexes), then constraints, then indexes. */
export function dropOrder<T extends DeferredDefinition>(definitions: readonly T[]): T[] {
  const rank = (d: DeferredDefinition) => (d.kind === 'foreign-key' ? 0 : d.kind === 'index' ? 2 : 1);
  return [...definitions].sort((a, b) => rank(a) - rank(b));
}

/** The statement that drops the object. No CASCADE: anything else depending on it stops the drop. */
export function dropSql(definition: DeferredDefinition): string {
  if (definition.kind === 'index') {
    return `DROP INDEX ${quoteQualifiedName({ schema: definition.table.schema, name: definition.name })}`;
  }
  return `ALTER TABLE ${quoteQualifiedName(definition.table)} DROP CONSTRAINT ${quoteIdentifier(definition.name)}`;
}
