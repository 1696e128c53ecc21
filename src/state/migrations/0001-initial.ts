// Version 1 of the `_ferry` schema in the target: the bookkeeping that makes `apply` resumable and
// exactly once. Idempotent (`if not exists` throughout) so that re-running it can never fail.

export const INITIAL_STATE_SQL = `
create schema if not exists _ferry;

comment on schema _ferry is 'State of ferry data migrations. Written by ferry only; upgraded by ferry itself.';

-- One row per applied version of this schema; upgradeState reads max(version) to know what to run.
create table if not exists _ferry.schema_version (
  version int primary key,
  applied_at timestamptz not null default now()
);

-- One row per migration: where it stands, and what it was applied from, so that apply can refuse a
-- changed spec and diff can compare what was planned with what was applied.
create table if not exists _ferry.migration_control (
  migration text primary key,
  phase text not null default 'pending'
    check (phase in ('pending', 'loading', 'fixup', 'done', 'paused', 'failed')),
  spec_hash text,
  mapping_hash text,
  -- The tables and key the rows went from and to: rollback and diff must still know them after the
  -- spec that named them is deleted.
  source_table text,
  target_table text,
  key_columns text[],
  rows_loaded bigint not null default 0,
  checksum text,
  run_id uuid,
  git_sha text,
  -- Structured (constraint, detail, offending source keys) so that status and reports render it.
  paused_reason jsonb,
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null default now()
);

-- One row per batch: a source key range (key_low, key_high]. A key is a JSON array of the key
-- columns' values as PostgreSQL prints them; a null bound is open (from the start, to the end).
-- The batch's target rows and its status 'done' commit in one transaction: exactly once.
create table if not exists _ferry.migration_batches (
  migration text not null references _ferry.migration_control (migration) on delete cascade,
  batch_no int not null check (batch_no >= 1),
  key_low jsonb check (jsonb_typeof(key_low) = 'array'),
  key_high jsonb check (jsonb_typeof(key_high) = 'array'),
  status text not null default 'pending'
    check (status in ('pending', 'running', 'done', 'paused', 'failed')),
  rows bigint,
  -- Incremented by every claim; with worker it identifies one lease, so a worker whose lease was
  -- taken over (even by a worker of the same name) can no longer complete the batch.
  attempts int not null default 0,
  last_error text,
  worker text,
  lease_until timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  primary key (migration, batch_no),
  constraint running_has_lease check (status <> 'running' or (worker is not null and lease_until is not null))
);

-- Serves the claim query: the first claimable batch of a migration by batch_no. Done batches leave
-- the index, so claiming stays cheap however many batches a migration has loaded.
create index if not exists migration_batches_claimable
  on _ferry.migration_batches (migration, batch_no)
  where status in ('pending', 'running');

-- Rows that onError: reject set aside, committed with their batch. They have no natural key: a source
-- row may be rejected again after the batch is requeued.
create table if not exists _ferry.migration_rejects (
  id bigserial primary key,
  migration text not null,
  batch_no int not null,
  source_key jsonb not null,
  -- The row as read from the source, so that it can be fixed and replayed.
  row jsonb,
  sqlstate text,
  constraint_name text,
  message text not null,
  detail text,
  rejected_at timestamptz not null default now(),
  foreign key (migration, batch_no) references _ferry.migration_batches (migration, batch_no) on delete cascade
);

create index if not exists migration_rejects_batch on _ferry.migration_rejects (migration, batch_no);

-- Structured events (agent proposals, decisions, pauses, errors). No foreign key: the log outlives
-- the state it describes. clock_timestamp, not now: events written inside one long batch
-- transaction would otherwise all carry its start time.
create table if not exists _ferry.migration_log (
  id bigserial primary key,
  at timestamptz not null default clock_timestamp(),
  run_id uuid,
  migration text,
  event text not null,
  data jsonb not null default '{}'
);

create index if not exists migration_log_run on _ferry.migration_log (run_id, id);
create index if not exists migration_log_migration on _ferry.migration_log (migration, id);
`;
