// Sequences that would hand out a value already used: a column ferry wrote kept values into whose
// identity or nextval default was not moved past them (set back by hand, or loaded by an older
// ferry). Reads only; the fix is `ferry finalize` (or apply), which advances them.

import type pg from 'pg';
import type { BatchLayout } from '../runner/batch-layout.js';
import { columnSequences, sequencePosition, writtenSequenceCandidates } from '../runner/sequences.js';
import { formatQualifiedName } from '../spec/qualified-name.js';
import type { SequenceFinding } from './types.js';

/**
 * One finding per sequence behind its column in `layout`'s target table, over the columns the
 * migration writes and its generated key.
 *
 * @example
 * await findSequencesBehind(target, layout);
 * // → [{ table: 'app.orders', column: 'id', sequence: 'app.orders_id_seq', next: '1', largest: '2000' }]
 */
export async function findSequencesBehind(
  target: pg.ClientBase,
  layout: BatchLayout,
): Promise<SequenceFinding[]> {
  const table = layout.migration.to;
  const columns = [
    ...writtenSequenceCandidates(layout),
    ...(layout.generatedKey ? [layout.generatedKey.column] : []),
  ];
  const findings: SequenceFinding[] = [];
  for (const sequence of await columnSequences(target, table, columns)) {
    const position = await sequencePosition(target, table, sequence);
    if (!position.behind || position.bound === null) continue;
    findings.push({
      table: formatQualifiedName(table),
      column: sequence.column,
      sequence: formatQualifiedName(sequence.sequence),
      next: position.next,
      largest: position.bound,
    });
  }
  return findings;
}

/**
 * The finding as one line for people.
 *
 * @example
 * describeSequenceFinding(finding);
 * // → 'sequence app.orders_id_seq of app.orders.id would hand out 1 next, but the column already holds values up to 2000: …'
 */
export function describeSequenceFinding(finding: SequenceFinding): string {
  return (
    `sequence ${finding.sequence} of ${finding.table}.${finding.column} would hand out ${finding.next} next, ` +
    `but the column already holds values up to ${finding.largest}: an insert relying on the default may collide ` +
    '(`ferry finalize` moves the sequence past them)'
  );
}
