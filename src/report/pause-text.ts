// Why a migration paused, as one line: shared by apply's event lines, its progress view, its job
// summary and the pull-request report's dry-run result.

import type { Violation } from '../runner/violation.js';

/**
 * Why a migration paused, in full: `paused at batch 3: <message> (constraint …; <detail>) [SQLSTATE 23503]`;
 * without a batch number when the pause came after the batches (the fix-up step).
 */
export function pauseText(batchNo: number | undefined, violation: Violation): string {
  const details = [violation.constraint ? `constraint ${violation.constraint}` : undefined, violation.detail]
    .filter(Boolean)
    .join('; ');
  const where = batchNo === undefined ? '' : ` at batch ${batchNo}`;
  return `paused${where}: ${violation.message}${details ? ` (${details})` : ''} [SQLSTATE ${violation.sqlstate}]`;
}
