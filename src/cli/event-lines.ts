// The runner's events as one plain line each: what `ferry apply` prints when stdout is not a terminal
// (CI logs, pipes), where a line per event reads better than redrawn progress bars.

import { pauseText } from '../report/pause-text.js';
import { groupDigits } from '../report/plan-report.js';
import { formatDuration } from '../report/rate.js';
import type { Style } from '../report/style.js';
import type { RunnerEvent } from '../runner/events.js';
import type { OffendingRow } from '../runner/violation.js';

/** One line for one event, e.g. `orders: batch 3 committed (10,000 rows)`. */
export function describeEvent(event: RunnerEvent, style: Style): string {
  switch (event.type) {
    case 'migration-started':
      return `${event.migration}: ${event.batches} batch${event.batches === 1 ? '' : 'es'}`;
    case 'batch-committed': {
      const counts = [`${groupDigits(event.rows)} rows`, ...leftOut(event)].join(', ');
      return `${event.migration}: batch ${event.batchNo} committed (${counts})`;
    }
    case 'migration-done':
      return `${style.green('✓')} ${event.migration}: ${groupDigits(event.rows)} rows`;
    case 'migration-skipped':
      return `${event.migration}: skipped, ${event.reason}`;
    case 'migration-paused':
      return style.red(
        [
          `⏸ ${event.migration}: ${pauseText(event.batchNo, event.violation)}`,
          ...offendingLines(event.offending),
        ].join('\n'),
      );
    case 'connection-retry':
      return style.yellow(`${event.migration}: ${retryText(event.attempt, event.delayMs, event.message)}`);
    case 'batch-split':
      return style.yellow(
        `${event.migration}: batch ${event.batchNo} halved (${event.reason}); its second half is batch ${event.newBatchNo}`,
      );
    case 'zero-dates':
      return style.yellow(
        `${event.migration}: batch ${event.batchNo}: ${groupDigits(event.count)} zero date${event.count === 1 ? '' : 's'} in ${event.column} read as NULL`,
      );
    case 'constraint-restored':
      return `${event.table}: ${event.name} rebuilt`;
  }
}

export { pauseText };

/** Rows a batch did not load, when there were any: `3 skipped`, `2 rejected`. */
export function leftOut(counts: { readonly skipped?: number; readonly rejected?: number }): string[] {
  return [
    ...(counts.skipped ? [`${groupDigits(counts.skipped)} skipped`] : []),
    ...(counts.rejected ? [`${groupDigits(counts.rejected)} rejected`] : []),
  ];
}

/** `connection lost (…), retry 2 in 4s`. */
export function retryText(attempt: number, delayMs: number, message: string): string {
  const delay = delayMs < 1000 ? `${delayMs}ms` : formatDuration(delayMs / 1000);
  return `connection lost (${message}), retry ${attempt} in ${delay}`;
}

/** How many offending rows a pause lists on the terminal; status --json has all that were found. */
const OFFENDING_SHOWN = 5;

/**
 * The rows at fault, one line each under the pause: `  source key (17): <detail>`.
 *
 * @example
 * offendingLines([{ key: ['17'], sqlstate: '23514', message: '…', detail: 'Failing row contains (…)' }]);
 */
export function offendingLines(offending: readonly OffendingRow[] | undefined): string[] {
  if (!offending || offending.length === 0) return [];
  const lines = offending.slice(0, OFFENDING_SHOWN).map((row) => {
    const why = row.detail ?? row.message;
    return `  source key (${row.key.join(', ')}): ${row.constraint ? `${row.constraint}: ` : ''}${why}`;
  });
  if (offending.length > OFFENDING_SHOWN)
    lines.push(`  … and ${offending.length - OFFENDING_SHOWN} more (ferry status --json lists them)`);
  return lines;
}
