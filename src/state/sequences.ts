// `_ferry.migration_sequences`: which sequences ferry checked after writing explicit values into the
// columns they serve, and the value it set where one was behind. Status and people read it back.

import type pg from 'pg';

export interface SequenceRecord {
  readonly migration: string;
  readonly column: string;
  /** Quoted qualified names, as quoteQualifiedName prints them. */
  readonly table: string;
  readonly sequence: string;
  /** The value given to setval; null when the sequence was ahead already and was left alone. */
  readonly valueSet: string | null;
}

/** A check refreshes checked_at; value_set and set_at move only when ferry set the sequence. */
const RECORD_SQL = `
insert into _ferry.migration_sequences as recorded
  (migration, column_name, target_table, sequence_name, value_set, set_at, checked_at)
values ($1, $2, $3, $4, $5::bigint, case when $5::bigint is null then null else clock_timestamp() end, clock_timestamp())
on conflict (migration, column_name) do update
set target_table = excluded.target_table,
    sequence_name = excluded.sequence_name,
    value_set = coalesce(excluded.value_set, recorded.value_set),
    set_at = coalesce(excluded.set_at, recorded.set_at),
    checked_at = excluded.checked_at`;

/**
 * Records one check of a sequence. The migration's control row must exist (a foreign key).
 *
 * @example
 * await recordSequence(client, { migration: 'orders', column: 'id', table: '"app"."orders"', sequence: '"app"."orders_id_seq"', valueSet: '20000' });
 */
export async function recordSequence(client: pg.ClientBase, record: SequenceRecord): Promise<void> {
  await client.query(RECORD_SQL, [
    record.migration,
    record.column,
    record.table,
    record.sequence,
    record.valueSet,
  ]);
}
