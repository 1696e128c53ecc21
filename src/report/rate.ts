// Throughput and remaining time as people read them, shared by the live progress of `apply` and the
// table of `status`, so both say "1,250 rows/s" and "ETA 3m 05s" the same way.

import { groupDigits } from './plan-report.js';

/** Whole rows per second with grouped digits: `1,250 rows/s`. */
export function formatRate(rowsPerSecond: number): string {
  return `${groupDigits(Math.round(rowsPerSecond))} rows/s`;
}

/**
 * Two units at most, the larger first: `42s`, `3m 05s`, `2h 07m`, `3d 04h`. Precise enough for an
 * estimate, and short enough for a table column.
 */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return `${total}s`;
  const two = (value: number) => String(value).padStart(2, '0');
  if (total < 3600) return `${Math.floor(total / 60)}m ${two(total % 60)}s`;
  if (total < 86_400) return `${Math.floor(total / 3600)}h ${two(Math.floor((total % 3600) / 60))}m`;
  return `${Math.floor(total / 86_400)}d ${two(Math.floor((total % 86_400) / 3600))}h`;
}
