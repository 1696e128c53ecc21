// What the connected role may do with given schemas, tables and sequences, asked of the server with
// has_*_privilege. Objects are looked up by name in pg_class and pg_namespace, never through
// regclass, which itself fails without USAGE on the schema.

import type pg from 'pg';
import type { QualifiedName } from '../spec/types.js';

export interface TableAccess {
  readonly table: QualifiedName;
  readonly exists: boolean;
  /** Of the privileges asked about, those the role lacks. */
  readonly missing: readonly string[];
  /** Owned by the role or a role whose privileges it has. */
  readonly owned: boolean;
  readonly owner: string | null;
}

const TABLES_SQL = `
select t.schema, t.name, c.oid is not null as exists,
       coalesce(pg_has_role(c.relowner, 'USAGE'), false) as owned,
       pg_get_userbyid(c.relowner) as owner,
       coalesce(array(select p from unnest($3::text[]) with ordinality as q (p, position)
                      where not has_table_privilege(c.oid, p) order by position), '{}') as missing
from unnest($1::text[], $2::text[]) with ordinality as t (schema, name, position)
left join pg_namespace n on n.nspname = t.schema
left join pg_class c on c.relnamespace = n.oid and c.relname = t.name and c.relkind in ('r', 'p', 'v', 'm', 'f')
order by t.position`;

/** Each table's existence, ownership and which of `privileges` the role lacks on it. */
export async function tableAccess(
  client: pg.ClientBase,
  tables: readonly QualifiedName[],
  privileges: readonly string[],
): Promise<TableAccess[]> {
  const { rows } = await client.query<{
    schema: string;
    name: string;
    exists: boolean;
    owned: boolean;
    owner: string | null;
    missing: string[];
  }>(TABLES_SQL, [tables.map((t) => t.schema), tables.map((t) => t.name), privileges]);
  return rows.map((row) => ({
    table: { schema: row.schema, name: row.name },
    exists: row.exists,
    missing: row.exists ? row.missing : [],
    owned: row.owned,
    owner: row.owner,
  }));
}

export interface SchemaAccess {
  readonly schema: string;
  readonly exists: boolean;
  readonly usage: boolean;
}

const SCHEMAS_SQL = `
select s.schema, n.oid is not null as exists, coalesce(has_schema_privilege(n.oid, 'USAGE'), false) as usage
from unnest($1::text[]) with ordinality as s (schema, position)
left join pg_namespace n on n.nspname = s.schema
order by s.position`;

export async function schemaAccess(
  client: pg.ClientBase,
  schemas: readonly string[],
): Promise<SchemaAccess[]> {
  return (await client.query<SchemaAccess>(SCHEMAS_SQL, [schemas])).rows;
}

export interface SequenceAccess {
  readonly sequence: QualifiedName;
  readonly missing: readonly string[];
}

/**
 * The sequences the tables draw keys from: owned by a column (serial, identity) or named in a column
 * default. ferry needs USAGE (nextval), SELECT (a dry run reads where each stands) and UPDATE
 * (setval, to put a sequence back or past the keys it loaded).
 */
const SEQUENCES_SQL = `
with tables as (
  select c.oid
  from unnest($1::text[], $2::text[]) as t (schema, name)
  join pg_namespace n on n.nspname = t.schema
  join pg_class c on c.relnamespace = n.oid and c.relname = t.name
),
used as (
  select d.objid as sequence
  from pg_depend d join tables t on d.refobjid = t.oid
  where d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
  union
  select d.refobjid
  from pg_attrdef ad join tables t on ad.adrelid = t.oid
  join pg_depend d on d.classid = 'pg_attrdef'::regclass and d.objid = ad.oid and d.refclassid = 'pg_class'::regclass
)
select n.nspname as schema, s.relname as name,
       coalesce(array(select p from unnest(array['USAGE', 'SELECT', 'UPDATE']) with ordinality as q (p, position)
                      where not has_sequence_privilege(s.oid, p) order by position), '{}') as missing
from used u
join pg_class s on s.oid = u.sequence and s.relkind = 'S'
join pg_namespace n on n.oid = s.relnamespace
order by 1, 2`;

export async function sequenceAccess(
  client: pg.ClientBase,
  tables: readonly QualifiedName[],
): Promise<SequenceAccess[]> {
  const { rows } = await client.query<{ schema: string; name: string; missing: string[] }>(SEQUENCES_SQL, [
    tables.map((t) => t.schema),
    tables.map((t) => t.name),
  ]);
  return rows.map((row) => ({ sequence: { schema: row.schema, name: row.name }, missing: row.missing }));
}

/** Distinct by `schema.name`, in first-seen order. */
export function distinctTables(tables: readonly QualifiedName[]): QualifiedName[] {
  const seen = new Map<string, QualifiedName>();
  for (const table of tables) seen.set(JSON.stringify([table.schema, table.name]), table);
  return [...seen.values()];
}

export function distinctSchemas(tables: readonly QualifiedName[]): string[] {
  return [...new Set(tables.map((t) => t.schema))];
}
