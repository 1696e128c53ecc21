// The rows of the narrow segments whose fingerprints differ, fetched from both sides and compared one
// by one: which source keys are missing, extra, duplicated or hold other values, and in which columns.
// A ref that apply set to NULL because its parent row was not migrated (onOrphan null) is asked of
// the target before it counts as a difference.

import type pg from 'pg';
import type { RefTranslation } from '../runner/batch-layout.js';
import { quoteIdentifier, quoteQualifiedName } from '../util/sql.js';
import type { FetchedRow } from './aggregates.js';
import type { ComparedColumn } from './comparison.js';
import type { ColumnDifference, RowProblem } from './types.js';

export interface RowDiff {
  readonly problems: readonly RowProblem[];
  /** Refs found NULL in the target because their parent row was not migrated, as the spec says. */
  readonly nulledOrphans: number;
}

interface Pending {
  readonly key: readonly string[];
  readonly differences: ColumnDifference[];
}

/**
 * Compares the fetched rows of both sides.
 *
 * @example
 * const { problems } = await diffRows(target, comparison.columns, sourceRows, targetRows);
 */
export async function diffRows(
  target: pg.ClientBase,
  columns: readonly ComparedColumn[],
  sourceRows: readonly FetchedRow[],
  targetRows: readonly FetchedRow[],
): Promise<RowDiff> {
  const source = groupByIdentity(sourceRows);
  const found = groupByIdentity(targetRows);
  const problems: RowProblem[] = [];
  const pending: Pending[] = [];
  for (const identity of new Set([...source.keys(), ...found.keys()])) {
    const expected = source.get(identity) ?? [];
    const actual = found.get(identity) ?? [];
    const wanted = copiesOf(expected);
    const held = copiesOf(actual);
    const key = (expected[0] ?? actual[0])?.key ?? [identity];
    if (held === 0) problems.push({ kind: 'missing', key });
    else if (wanted === 0) problems.push({ kind: 'extra', key, copies: held });
    else if (held > wanted) problems.push({ kind: 'duplicate', key, copies: held });
    else if (held < wanted) problems.push({ kind: 'missing', key });
    const reference = expected[0];
    if (!reference || held === 0) continue;
    const differences = columns.flatMap((column, index) =>
      actual.some((row) => row.values[index] !== reference.values[index])
        ? [
            {
              column: column.column,
              source: reference.values[index] ?? null,
              target:
                actual.find((row) => row.values[index] !== reference.values[index])?.values[index] ?? null,
            },
          ]
        : [],
    );
    if (differences.length > 0) pending.push({ key, differences });
  }
  const accepted = await orphansSetToNull(target, columns, pending);
  let nulledOrphans = 0;
  for (const row of pending) {
    const left = row.differences.filter((d) => !accepted.has(orphanKey(d.column, d.source)));
    nulledOrphans += row.differences.length - left.length;
    if (left.length > 0) problems.push({ kind: 'changed', key: row.key, columns: left });
  }
  return { problems, nulledOrphans };
}

function groupByIdentity(rows: readonly FetchedRow[]): Map<string, FetchedRow[]> {
  const groups = new Map<string, FetchedRow[]>();
  for (const row of rows) groups.set(row.i, [...(groups.get(row.i) ?? []), row]);
  return groups;
}

function copiesOf(rows: readonly FetchedRow[]): number {
  return rows.reduce((sum, row) => sum + row.copies, 0);
}

/**
 * The differences that are orphans set to NULL as the spec says: the target holds NULL, and the
 * source's value names no migrated parent row (asked of the target, per column in one query).
 */
async function orphansSetToNull(
  target: pg.ClientBase,
  columns: readonly ComparedColumn[],
  pending: readonly Pending[],
): Promise<Set<string>> {
  const accepted = new Set<string>();
  for (const column of columns) {
    if (!column.orphanNull) continue;
    const values = pending.flatMap((row) =>
      row.differences.filter((d) => d.column === column.column && d.target === null && d.source !== null),
    );
    if (values.length === 0) continue;
    const { rows } = await target.query<{ value: string }>(
      `SELECT v AS value FROM unnest($1::text[]) v WHERE NOT EXISTS (${parentLookup(column.orphanNull.ref, column.orphanNull.type)})`,
      [[...new Set(values.map((d) => d.source))]],
    );
    for (const row of rows) accepted.add(orphanKey(column.column, row.value));
  }
  return accepted;
}

/** The migrated parent row a ref's source value `v` would be translated to. */
function parentLookup(ref: RefTranslation, type: string): string {
  if (ref.kind === 'mapping')
    return `SELECT FROM ${quoteQualifiedName(ref.table)} p WHERE p.source_key_1 = v::${type}`;
  return `SELECT FROM ${quoteQualifiedName(ref.table)} p WHERE p.${quoteIdentifier(ref.column)} = v::${type}`;
}

function orphanKey(column: string, value: string | null): string {
  return `${column}\u0000${value}`;
}
