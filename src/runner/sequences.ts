// Sequences after a load with kept keys. A column whose default draws from a sequence (an identity
// column, a serial, a nextval default) and into which ferry wrote explicit values still has its
// sequence where it was: the first insert that relies on the default would draw a value already used.
// Once a migration is done its sequences are moved past the values in the column, never back.

import type pg from 'pg';
import { formatQualifiedName } from '../spec/qualified-name.js';
import type { QualifiedName } from '../spec/types.js';
import { logEvent } from '../state/log.js';
import { recordSequence } from '../state/sequences.js';
import { quoteIdentifier, quoteQualifiedName } from '../util/sql.js';
import type { BatchLayout } from './batch-layout.js';

/** A target column and the sequence its default (or its identity) draws from. */
export interface ColumnSequence {
  readonly column: string;
  readonly sequence: QualifiedName;
  /** The sequence's increment, as text (a bigint). */
  readonly increment: string;
}

/** Where a column's sequence stands against the values the column holds. */
export interface SequencePosition extends ColumnSequence {
  /** What nextval would return now (given is_called: the last value plus the increment, or itself). */
  readonly next: string;
  /** The largest value in the column (the smallest, for a descending sequence); null when it is empty. */
  readonly bound: string | null;
  /** True when nextval would hand out a value at or before the bound: a value the column may hold. */
  readonly behind: boolean;
}

/** What advanceSequences did to one column's sequence. */
export interface SequenceAdvance {
  readonly column: string;
  /** As a person reads it: `app.orders_id_seq`. */
  readonly sequence: string;
  /** The value given to setval; null when the sequence was ahead already. */
  readonly valueSet: string | null;
  /** What nextval returns now. */
  readonly next: string;
}

/**
 * The sequence of an identity column is tied to it by an internal dependency; a default that calls
 * nextval depends on the sequence its regclass constant names (serials, and sequences of their own).
 */
const COLUMN_SEQUENCES_SQL = `
select a.attname as column, sn.nspname as schema, s.relname as name, q.seqincrement::text as increment
from pg_attribute a
join lateral (
  select d.objid as sequence_oid
  from pg_depend d
  where a.attidentity <> '' and d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass
    and d.refobjid = a.attrelid and d.refobjsubid = a.attnum and d.deptype = 'i'
  union
  select d.refobjid
  from pg_attrdef ad
  join pg_depend d on d.classid = 'pg_attrdef'::regclass and d.objid = ad.oid and d.refclassid = 'pg_class'::regclass
  where ad.adrelid = a.attrelid and ad.adnum = a.attnum
) dependency on true
join pg_class s on s.oid = dependency.sequence_oid and s.relkind = 'S'
join pg_namespace sn on sn.oid = s.relnamespace
join pg_sequence q on q.seqrelid = s.oid
where a.attrelid = $1::regclass and a.attname = any($2::text[]) and a.attnum > 0 and not a.attisdropped
order by a.attnum, sn.nspname, s.relname`;

/**
 * The sequences that `columns` of `table` draw their defaults from; columns without one are left out.
 *
 * @example
 * await columnSequences(client, { schema: 'app', name: 'orders' }, ['id', 'amount']);
 * // → [{ column: 'id', sequence: { schema: 'app', name: 'orders_id_seq' }, increment: '1' }]
 */
export async function columnSequences(
  client: pg.ClientBase,
  table: QualifiedName,
  columns: readonly string[],
): Promise<ColumnSequence[]> {
  if (columns.length === 0) return [];
  const { rows } = await client.query<{ column: string; schema: string; name: string; increment: string }>(
    COLUMN_SEQUENCES_SQL,
    [quoteQualifiedName(table), columns],
  );
  return rows.map((row) => ({
    column: row.column,
    sequence: { schema: row.schema, name: row.name },
    increment: row.increment,
  }));
}

/**
 * Reads where `sequence` stands against the values of its column in `table`. The sequence's own
 * row is read, not pg_sequences: that view hides last_value while is_called is false.
 */
export async function sequencePosition(
  client: pg.ClientBase,
  table: QualifiedName,
  sequence: ColumnSequence,
): Promise<SequencePosition> {
  const ascending = BigInt(sequence.increment) > 0n;
  const { rows } = await client.query<{ last_value: string; is_called: boolean; bound: string | null }>(
    `SELECT s.last_value::text AS last_value, s.is_called, ` +
      `(SELECT ${ascending ? 'max' : 'min'}(t.${quoteIdentifier(sequence.column)}) FROM ${quoteQualifiedName(table)} t)::text AS bound ` +
      `FROM ${quoteQualifiedName(sequence.sequence)} s`,
  );
  const row = rows[0];
  if (!row) throw new Error(`sequence ${quoteQualifiedName(sequence.sequence)} returned no row`);
  const last = BigInt(row.last_value);
  const next = row.is_called ? last + BigInt(sequence.increment) : last;
  const behind = row.bound !== null && (ascending ? next <= BigInt(row.bound) : next >= BigInt(row.bound));
  return { ...sequence, next: next.toString(), bound: row.bound, behind };
}

/**
 * The columns whose sequences ferry answers for: every column a migration writes explicit values
 * into. A generated key is left out: its values were drawn from the sequence itself.
 */
export function writtenSequenceCandidates(layout: BatchLayout): string[] {
  return layout.columns.map((c) => c.target).filter((name) => name !== layout.generatedKey?.column);
}

/**
 * Moves every sequence behind a column `layout`'s migration wrote values into past the column's
 * largest value (setval with is_called, so the next value drawn is the one after it), leaves a
 * sequence that is ahead as it is, and records each check in `_ferry.migration_sequences`. An empty
 * column changes nothing. Sequences are not transactional: a setval stays even if the caller's
 * transaction rolls back, which is harmless, as the sequence only ever moves forward.
 *
 * @example
 * const advanced = await advanceSequences(target, layout, runId);
 * // → [{ column: 'id', sequence: 'app.orders_id_seq', valueSet: '20000', next: '20001' }]
 */
export async function advanceSequences(
  client: pg.ClientBase,
  layout: BatchLayout,
  runId?: string,
): Promise<SequenceAdvance[]> {
  const table = layout.migration.to;
  const sequences = await columnSequences(client, table, writtenSequenceCandidates(layout));
  const advanced: SequenceAdvance[] = [];
  for (const sequence of sequences) {
    const position = await sequencePosition(client, table, sequence);
    const name = quoteQualifiedName(sequence.sequence);
    const valueSet = position.behind ? position.bound : null;
    if (valueSet !== null) {
      await client.query('SELECT setval($1::regclass, $2::bigint, true)', [name, valueSet]);
    }
    const next =
      valueSet === null ? position.next : (BigInt(valueSet) + BigInt(sequence.increment)).toString();
    await recordSequence(client, {
      migration: layout.migration.name,
      column: sequence.column,
      table: quoteQualifiedName(table),
      sequence: name,
      valueSet,
    });
    if (valueSet !== null) {
      await logEvent(client, {
        event: 'sequence-advanced',
        ...(runId === undefined ? {} : { runId }),
        migration: layout.migration.name,
        data: { table: quoteQualifiedName(table), column: sequence.column, sequence: name, valueSet, next },
      });
    }
    advanced.push({
      column: sequence.column,
      sequence: formatQualifiedName(sequence.sequence),
      valueSet,
      next,
    });
  }
  return advanced;
}
