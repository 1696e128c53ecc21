// The pg_catalog queries behind PostgreSQL introspection: one per object kind, each over every table in
// scope at once, so the number of round trips never grows with the schema. They use only catalog
// columns that exist from PostgreSQL 13 on.

/**
 * Pins rendering for the rest of the transaction: with only pg_catalog on the search path, the server
 * schema-qualifies every user object it prints (types, sequences in defaults, functions in checks),
 * so the text does not depend on the session that introspects.
 */
export const SESSION_QUERY = `
select set_config('search_path', 'pg_catalog', true) as search_path,
       current_setting('server_version') as server_version,
       current_setting('server_version_num')::int4 as server_version_num`;

export interface SessionRow {
  readonly server_version: string;
  readonly server_version_num: number;
}

/**
 * Ordinary and partitioned tables, not partitions. $1: schemas never read; $2: the only schemas to
 * read, or null for all. The pg_ prefix is reserved for system schemas (pg_catalog, pg_toast, the
 * temporary ones). A partitioned table's estimate comes from its leaf partitions, which autovacuum
 * analyzes while it never analyzes the parent.
 */
export const TABLES_QUERY = `
select c.oid as table_oid,
       n.nspname::text as schema_name,
       c.relname::text as table_name,
       c.reltuples::float8 as reltuples,
       c.relpages::int4 as relpages,
       leaves.reltuples as leaf_reltuples,
       leaves.relpages as leaf_relpages
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
left join lateral (
  select array_agg(leaf.reltuples::float8 order by leaf.oid) as reltuples,
         array_agg(leaf.relpages::int4 order by leaf.oid) as relpages
  from pg_partition_tree(c.oid) tree
  join pg_class leaf on leaf.oid = tree.relid
  where tree.isleaf
) leaves on c.relkind = 'p'
where c.relkind in ('r', 'p')
  and not c.relispartition
  and n.nspname not like 'pg\\_%'
  and n.nspname <> all($1::text[])
  and ($2::text[] is null or n.nspname = any($2::text[]))`;

export interface TableRow {
  readonly table_oid: number;
  readonly schema_name: string;
  readonly table_name: string;
  readonly reltuples: number;
  readonly relpages: number;
  /** Null for tables that are not partitioned. */
  readonly leaf_reltuples: readonly number[] | null;
  readonly leaf_relpages: readonly number[] | null;
}

/**
 * Live columns of the tables in $1. The base type is an array's element type, named the way
 * format_type names user types (quoted where needed, schema-qualified outside pg_catalog). `default_uses_owned_sequence`: the default reads a sequence that belongs to this
 * very column (an auto dependency), which is what serial and OWNED BY leave behind.
 */
export const COLUMNS_QUERY = `
select a.attrelid as table_oid,
       a.attname::text as column_name,
       format_type(a.atttypid, a.atttypmod) as type,
       a.atttypmod::int4 as type_modifier,
       case when base_ns.nspname = 'pg_catalog' then base.typname::text
            else quote_ident(base_ns.nspname) || '.' || quote_ident(base.typname)
       end as base_type_name,
       base_ns.nspname = 'pg_catalog' as is_builtin_type,
       element.oid is not null as is_array,
       t.typlen::int4 as type_length,
       not a.attnotnull as nullable,
       a.attidentity::text as identity,
       a.attgenerated::text as generated,
       pg_get_expr(d.adbin, d.adrelid) as expression,
       exists (
         select 1
         from pg_depend owned
         join pg_depend used
           on used.refclassid = owned.classid and used.refobjid = owned.objid
         where owned.classid = 'pg_class'::regclass
           and owned.refclassid = 'pg_class'::regclass
           and owned.refobjid = a.attrelid
           and owned.refobjsubid = a.attnum
           and owned.deptype = 'a'
           and used.classid = 'pg_attrdef'::regclass
           and used.objid = d.oid
       ) as default_uses_owned_sequence
from pg_attribute a
join pg_type t on t.oid = a.atttypid
left join pg_type element on t.typlen = -1 and element.oid = t.typelem
join pg_type base on base.oid = coalesce(element.oid, t.oid)
join pg_namespace base_ns on base_ns.oid = base.typnamespace
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where a.attrelid = any($1::oid[])
  and a.attnum > 0
  and not a.attisdropped
order by a.attrelid, a.attnum`;

export interface ColumnRow {
  readonly table_oid: number;
  readonly column_name: string;
  readonly type: string;
  readonly type_modifier: number;
  /** The internal name (`varchar`, `int4`) for built-in types, else `schema.name`. */
  readonly base_type_name: string;
  readonly is_builtin_type: boolean;
  readonly is_array: boolean;
  readonly type_length: number;
  readonly nullable: boolean;
  /** '' | 'a' (always) | 'd' (by default). */
  readonly identity: string;
  /** '' | 's' (stored) | 'v' (virtual, PostgreSQL 18). */
  readonly generated: string;
  /** The default, or the generation expression of a generated column. */
  readonly expression: string | null;
  readonly default_uses_owned_sequence: boolean;
}

/**
 * Primary keys, unique constraints, foreign keys and checks of the tables in $1, with column names
 * in key order. Rows with a parent constraint are left out: they are the per-partition copies the
 * server adds when a foreign key references a partitioned table.
 */
export const CONSTRAINTS_QUERY = `
select con.conrelid as table_oid,
       con.conname::text as constraint_name,
       con.contype::text as kind,
       array(
         select a.attname::text
         from unnest(con.conkey) with ordinality as key(attnum, position)
         join pg_attribute a on a.attrelid = con.conrelid and a.attnum = key.attnum
         order by key.position
       ) as column_names,
       referenced_ns.nspname::text as referenced_schema,
       referenced.relname::text as referenced_table,
       array(
         select a.attname::text
         from unnest(con.confkey) with ordinality as key(attnum, position)
         join pg_attribute a on a.attrelid = con.confrelid and a.attnum = key.attnum
         order by key.position
       ) as referenced_column_names,
       con.confdeltype::text as on_delete,
       con.condeferrable as deferrable,
       pg_get_constraintdef(con.oid) as definition
from pg_constraint con
left join pg_class referenced on referenced.oid = con.confrelid
left join pg_namespace referenced_ns on referenced_ns.oid = referenced.relnamespace
where con.conrelid = any($1::oid[])
  and con.contype in ('p', 'u', 'f', 'c')
  and con.conparentid = 0`;

export interface ConstraintRow {
  readonly table_oid: number;
  readonly constraint_name: string;
  /** 'p' | 'u' | 'f' | 'c'. */
  readonly kind: string;
  readonly column_names: readonly string[];
  readonly referenced_schema: string | null;
  readonly referenced_table: string | null;
  readonly referenced_column_names: readonly string[];
  /** 'a' | 'r' | 'c' | 'n' | 'd' for foreign keys. */
  readonly on_delete: string;
  readonly deferrable: boolean;
  readonly definition: string;
}

/**
 * Valid unique indexes of the tables in $1 that enforce uniqueness of plain columns everywhere: no
 * predicate, no expressions. INCLUDE columns are not part of the key and are left out.
 */
export const UNIQUE_INDEXES_QUERY = `
select i.indrelid as table_oid,
       index_class.relname::text as index_name,
       array(
         select a.attname::text
         from unnest(i.indkey::int2[]) with ordinality as key(attnum, position)
         join pg_attribute a on a.attrelid = i.indrelid and a.attnum = key.attnum
         where key.position <= i.indnkeyatts
         order by key.position
       ) as column_names
from pg_index i
join pg_class index_class on index_class.oid = i.indexrelid
where i.indrelid = any($1::oid[])
  and i.indisunique
  and not i.indisprimary
  and i.indisvalid
  and i.indpred is null
  and i.indexprs is null`;

export interface UniqueIndexRow {
  readonly table_oid: number;
  readonly index_name: string;
  readonly column_names: readonly string[];
}

/**
 * Average column widths from ANALYZE. A partitioned table only has statistics over its whole
 * hierarchy (inherited); any other table's own statistics are the ones without inheritance.
 */
export const COLUMN_STATISTICS_QUERY = `
select c.oid as table_oid,
       s.attname::text as column_name,
       s.avg_width::int4 as average_width
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join pg_stats s
  on s.schemaname = n.nspname
 and s.tablename = c.relname
 and s.inherited = (c.relkind = 'p')
where c.oid = any($1::oid[])`;

export interface ColumnStatisticsRow {
  readonly table_oid: number;
  readonly column_name: string;
  readonly average_width: number;
}
