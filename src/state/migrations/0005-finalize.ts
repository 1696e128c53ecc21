// Version 5 of the `_ferry` schema: what ferry does once a migration's rows are in. Sequences behind
// columns ferry wrote explicit values into are moved past those values (and recorded here), and
// `ferry finalize` stamps the migrations it checked and handed over.

export const FINALIZE_STATE_SQL = `
-- One row per target column whose default draws from a sequence and into which ferry wrote values
-- (kept keys of an identity or serial column, a nextval default). Gone with its migration's control
-- row, as a rollback resets it; the sequence itself is never set back.
create table if not exists _ferry.migration_sequences (
  migration text not null references _ferry.migration_control (migration) on delete cascade,
  column_name text not null,
  -- Quoted qualified names, as quoteQualifiedName prints them.
  target_table text not null,
  sequence_name text not null,
  -- The value ferry last gave setval (the next value drawn comes after it); null while the sequence
  -- was always ahead of the column on its own.
  value_set bigint,
  set_at timestamptz,
  -- When ferry last made sure the sequence was past every value in the column.
  checked_at timestamptz not null default clock_timestamp(),
  primary key (migration, column_name)
);

-- Set by ferry finalize once verify passed; apply leaves it as it is, a later finalize moves it on.
alter table _ferry.migration_control add column if not exists finalized_at timestamptz;
`;
