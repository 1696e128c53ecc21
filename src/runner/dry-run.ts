// What a dry run must put back by hand: sequences. nextval() is never rolled back (so that concurrent
// transactions need not wait for each other), so the keys a dry run drew for `keys: generate` would
// otherwise stay consumed. Their state is read before and set back after.

import type pg from 'pg';
import { quoteQualifiedName } from '../util/sql.js';

export interface SequenceState {
  readonly schema: string;
  readonly name: string;
  readonly lastValue: string | null;
  readonly startValue: string;
}

const SEQUENCES_SQL = `
select schemaname as schema, sequencename as name, last_value::text as "lastValue", start_value::text as "startValue"
from pg_sequences
where schemaname = any($1::text[])
order by 1, 2`;

/** The sequences of `schemas` as they stand now. */
export async function snapshotSequences(
  client: pg.ClientBase,
  schemas: readonly string[],
): Promise<SequenceState[]> {
  const { rows } = await client.query<SequenceState>(SEQUENCES_SQL, [schemas]);
  return rows;
}

/**
 * Sets each sequence back to its snapshot: the same last value, or never used when it had not been.
 * Outside any transaction, after the dry run's rollback.
 */
export async function restoreSequences(
  client: pg.ClientBase,
  sequences: readonly SequenceState[],
): Promise<void> {
  for (const sequence of sequences) {
    const name = quoteQualifiedName(sequence);
    // is_called false: the next nextval returns the value itself, as for a fresh sequence.
    if (sequence.lastValue === null) {
      await client.query('select setval($1::regclass, $2::bigint, false)', [name, sequence.startValue]);
    } else {
      await client.query('select setval($1::regclass, $2::bigint, true)', [name, sequence.lastValue]);
    }
  }
}
