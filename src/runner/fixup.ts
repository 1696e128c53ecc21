// The fix-up step: columns that point into their own table, or close a dependency cycle, were loaded
// as NULL and their values set aside; once the table and the parents they point at are loaded, one
// set-based UPDATE fills them in, translated like any ref. The UPDATE, the phase `done` and the
// clearing of the set-aside values commit together, so a crash re-runs the whole step or none of it.

import type pg from 'pg';
import { quoteIdentifier, quoteQualifiedName } from '../util/sql.js';
import type { BatchLayout } from './batch-layout.js';
import { type RefColumn, refJoin, refuseOrphans } from './orphans.js';
import { asViolation, BatchViolation } from './violation.js';

/**
 * Fills in the fix-up columns of `layout`'s migration inside the caller's transaction and returns
 * the rows updated. Throws a BatchViolation for refs without a migrated parent (onOrphan fail), and
 * the server's error for other violations.
 *
 * @example
 * await target.query('BEGIN');
 * const rows = await fixUp(target, layout);
 * await target.query('COMMIT');
 */
export async function fixUp(target: pg.ClientBase, layout: BatchLayout): Promise<number> {
  const table = layout.fixupTable;
  if (!table) return 0;
  const fixups = layout.columns.filter((c) => c.fixup);
  if (layout.onOrphan === 'fail') {
    await refuseOrphans(
      target,
      {
        table: quoteQualifiedName(table),
        keyColumns: layout.sourceKey.map((_, i) => `source_key_${i + 1}`),
        refs: fixups.filter((c): c is RefColumn => c.ref !== undefined),
      },
      `the fix-up of \`${layout.migration.name}\``,
    );
  }
  const sets: string[] = [];
  const joins: string[] = [];
  for (const column of fixups) {
    if (!column.ref) {
      sets.push(`${quoteIdentifier(column.target)} = f.${column.stage}`);
      continue;
    }
    const translated = refJoin('f', column.stage, column.ref);
    joins.push(translated.join);
    // onOrphan skip or null: a value without a migrated parent stays NULL (the row is already loaded).
    sets.push(`${quoteIdentifier(column.target)} = ${translated.value}`);
  }
  const match = layout.targetKey
    .map((key, i) => `t.${quoteIdentifier(key.column)} = f.target_key_${i + 1}`)
    .join(' AND ');
  // The FROM list is a join of its own; the target row is matched in WHERE.
  const result = await target.query(
    `UPDATE ${quoteQualifiedName(layout.migration.to)} t SET ${sets.join(', ')} ` +
      `FROM ${quoteQualifiedName(table)} f ${joins.join(' ')} WHERE ${match}`,
  );
  await target.query(`TRUNCATE ${quoteQualifiedName(table)}`);
  return result.rowCount ?? 0;
}

/** The server's violation of a fix-up, as a BatchViolation without rows, for the pause to report. */
export function fixupViolation(error: unknown): BatchViolation | undefined {
  if (error instanceof BatchViolation) return error;
  const violation = asViolation(error);
  return violation ? new BatchViolation(violation, []) : undefined;
}
