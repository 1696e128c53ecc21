// The source key intervals whose rows a migration committed: its `done` batches, with neighbours
// coalesced, so that rolling back thousands of batches takes a few set-based statements, not one each.

import type { BatchStatus, KeyRange, KeyValue } from '../state/types.js';

export interface RecordedBatch {
  readonly batchNo: number;
  readonly range: KeyRange;
  readonly status: BatchStatus;
}

/**
 * The maximal key intervals covered by done batches, in key order. Batches are put in key order by
 * following their bounds (each batch starts where another ends), not by number: a halved batch's
 * second half is numbered last. Bounds compare as recorded, like the tiling check does. Batches the
 * chain does not reach follow in number order, coalesced where they meet: the intervals may then
 * overlap, which only repeats a condition.
 *
 * @example
 * doneIntervals([
 *   { batchNo: 1, range: { low: null, high: ['10'] }, status: 'done' },
 *   { batchNo: 2, range: { low: ['10'], high: ['20'] }, status: 'done' },
 *   { batchNo: 3, range: { low: ['20'], high: null }, status: 'paused' },
 * ]); // → [{ low: null, high: ['20'] }]
 */
export function doneIntervals(batches: readonly RecordedBatch[]): KeyRange[] {
  const ordered = keyOrder(batches);
  const intervals: KeyRange[] = [];
  let open: { low: KeyValue | null; high: KeyValue | null } | undefined;
  let previous: RecordedBatch | undefined;
  for (const batch of ordered) {
    const adjacent = previous !== undefined && meets(previous.range.high, batch.range.low);
    if (batch.status !== 'done') {
      if (open) intervals.push(open);
      open = undefined;
    } else if (open && adjacent) {
      open.high = batch.range.high;
    } else {
      if (open) intervals.push(open);
      open = { low: batch.range.low, high: batch.range.high };
    }
    previous = batch;
  }
  if (open) intervals.push(open);
  return intervals;
}

/**
 * The batches along the chain of bounds from the open start, then the others by number. Where two
 * batches start at one bound (a refresh batch over loaded rows), the chain takes the lower number.
 */
function keyOrder(batches: readonly RecordedBatch[]): RecordedBatch[] {
  const byNumber = [...batches].sort((a, b) => a.batchNo - b.batchNo);
  const byLow = new Map<string, RecordedBatch>();
  for (const batch of byNumber) {
    const low = JSON.stringify(batch.range.low);
    if (!byLow.has(low)) byLow.set(low, batch);
  }
  const chain: RecordedBatch[] = [];
  const seen = new Set<number>();
  let next = byLow.get(JSON.stringify(null));
  while (next && !seen.has(next.batchNo)) {
    chain.push(next);
    seen.add(next.batchNo);
    next = next.range.high === null ? undefined : byLow.get(JSON.stringify(next.range.high));
  }
  return [...chain, ...byNumber.filter((b) => !seen.has(b.batchNo))];
}

function meets(high: KeyValue | null, low: KeyValue | null): boolean {
  return high !== null && low !== null && JSON.stringify(high) === JSON.stringify(low);
}
