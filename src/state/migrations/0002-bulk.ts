// Version 2 of the `_ferry` schema: what `apply --bulk` dropped from the tables it loads, recorded in
// the transaction that drops it, so that a crash at any point before the rebuild can still restore it.

export const BULK_STATE_SQL = `
-- One row per index, constraint or foreign key that --bulk dropped and has not restored yet. The
-- statements are PostgreSQL's own definitions (pg_get_indexdef, pg_get_constraintdef) printed with an
-- empty search_path, so every name in them is qualified and they mean the same in any session.
create table if not exists _ferry.deferred_ddl (
  id bigserial primary key,
  run_id uuid not null,
  -- The table the object belongs to, as two exact names: nothing to parse, nothing to unquote.
  table_schema text not null,
  table_name text not null,
  kind text not null
    check (kind in ('index', 'primary-key', 'unique', 'exclusion', 'foreign-key')),
  object_name text not null,
  -- The table a foreign key references: its restore waits for that table's unique indexes.
  referenced_schema text,
  referenced_name text,
  -- The statements that recreate the object, in order, each committed with steps_done: building a
  -- constraint's index apart from attaching it, and adding a foreign key NOT VALID apart from
  -- validating it, takes weaker locks, so that several rebuilds on one table can run at once.
  restore_sql text[] not null check (cardinality(restore_sql) >= 1),
  steps_done int not null default 0,
  -- The index's tablespace when not the database's default (pg_get_indexdef does not print it).
  tablespace text,
  comment text,
  -- 1: indexes and the constraints they back; 2: foreign keys, which need the referenced unique index.
  restore_order int not null check (restore_order in (1, 2)),
  recorded_at timestamptz not null default now(),
  constraint deferred_ddl_object unique (table_schema, table_name, kind, object_name),
  constraint deferred_ddl_steps check (steps_done >= 0 and steps_done < cardinality(restore_sql)),
  constraint deferred_ddl_references check ((kind = 'foreign-key') = (referenced_schema is not null and referenced_name is not null))
);

-- The loaded tables as ferry's catalog read them before their keys were dropped, and the fingerprint
-- they have without them: plan and apply then see the structure the rebuild brings back (and
-- ferry.lock stays fresh), as long as nothing else changed the table in between.
create table if not exists _ferry.deferred_tables (
  table_schema text not null,
  table_name text not null,
  catalog jsonb not null,
  fingerprint_without_keys text not null,
  primary key (table_schema, table_name)
);
`;
