// The data `src/state/` reads and writes in `_ferry`: key ranges, batch leases and statuses. Plain
// readonly values, so the runner and the reports can pass them around and serialize them.

/** A key value: the key columns' values in key order, as PostgreSQL prints them as text. */
export type KeyValue = readonly string[];

/** The source rows whose key is in (low, high]; a null bound is open (from the start, to the end). */
export interface KeyRange {
  readonly low: KeyValue | null;
  readonly high: KeyValue | null;
}

export const BATCH_STATUSES = ['pending', 'running', 'done', 'paused', 'failed'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export const MIGRATION_PHASES = ['pending', 'loading', 'fixup', 'done', 'paused', 'failed'] as const;
export type MigrationPhase = (typeof MIGRATION_PHASES)[number];

/**
 * One claim of one batch. `attempt` counts claims: a batch reclaimed after its lease expired gets a
 * new attempt, so the previous holder's lease no longer matches even when the worker name does.
 */
export interface BatchLease {
  readonly migration: string;
  readonly batchNo: number;
  readonly worker: string;
  readonly attempt: number;
}

/**
 * A refresh batch's cursor values: it writes again the rows of its key range whose cursor column is
 * greater than `low` (any value when null) and at most `high`, as the server prints them as text.
 */
export interface CursorWindow {
  readonly low: string | null;
  readonly high: string;
}

export interface ClaimedBatch extends BatchLease {
  readonly range: KeyRange;
  /** Set on a refresh batch (incremental: { cursor }); a load batch moves every row of its range. */
  readonly cursor?: CursorWindow;
  readonly leaseUntil: Date;
}
