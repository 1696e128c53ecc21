// The progress of each migration of one `apply` run, folded from the runner's events: what the live
// terminal view draws. Time comes in as milliseconds with each call, so tests drive it with a fake clock.

import type { RunnerEvent } from '../runner/events.js';
import { leftOut, offendingLines, pauseText, retryText } from './event-lines.js';

export type ProgressOutcome = 'loading' | 'done' | 'paused' | 'skipped';

export interface MigrationProgress {
  readonly migration: string;
  readonly outcome: ProgressOutcome;
  /** All of the migration's batches, including those done by earlier runs. */
  readonly batches: number;
  readonly doneBatches: number;
  readonly rows: number;
  /** Rows per second of this run; undefined until a batch of this run commits. */
  readonly rowsPerSecond: number | undefined;
  /** While loading: the remaining batches at this run's pace so far. */
  readonly etaSeconds: number | undefined;
  /** From the migration's start in this run to its end, or to now while it loads. */
  readonly elapsedSeconds: number;
  /** Rows this run's batches left out: `3 skipped, 2 rejected`; empty when none. */
  readonly leftOut: readonly string[];
  /** Why it paused (in full) or was skipped, or the connection retry it waits for. */
  readonly note?: string;
}

interface Entry {
  readonly migration: string;
  outcome: ProgressOutcome;
  batches: number;
  /** Done before this run: they count in the bar but not in the rate. */
  batchesBefore: number;
  rowsBefore: number;
  batchesNow: number;
  rowsNow: number;
  skipped: number;
  rejected: number;
  /** The done event's total, which counts every run's rows. */
  rowsFinal?: number;
  startedAt: number;
  endedAt?: number;
  note: string | undefined;
}

/** Folds events into per-migration progress, in the order the migrations started. */
export class ProgressTracker {
  readonly #entries = new Map<string, Entry>();

  record(event: RunnerEvent, at: number): void {
    // A --bulk rebuild belongs to a table, not to a migration's bar.
    if (event.type === 'constraint-restored') return;
    const entry = this.#entry(event.migration, at);
    switch (event.type) {
      case 'migration-started':
        entry.batches = event.batches;
        entry.batchesBefore = event.doneBatches ?? 0;
        entry.rowsBefore = event.doneRows ?? 0;
        entry.startedAt = at;
        return;
      case 'batch-committed':
        entry.batchesNow += 1;
        entry.rowsNow += event.rows;
        entry.skipped += event.skipped ?? 0;
        entry.rejected += event.rejected ?? 0;
        // A batch got through, so the connection is back.
        entry.note = undefined;
        return;
      case 'connection-retry':
        entry.note = retryText(event.attempt, event.delayMs, event.message);
        return;
      case 'batch-split':
        // The second half is a batch of its own, still to load.
        entry.batches += 1;
        return;
      case 'migration-done':
        entry.outcome = 'done';
        entry.note = undefined;
        entry.rowsFinal = event.rows;
        entry.endedAt = at;
        return;
      case 'migration-paused':
        entry.outcome = 'paused';
        entry.note = [pauseText(event.batchNo, event.violation), ...offendingLines(event.offending)].join(
          '\n',
        );
        entry.endedAt = at;
        return;
      case 'migration-skipped':
        entry.outcome = 'skipped';
        entry.note = event.reason;
        entry.endedAt = at;
        return;
    }
  }

  snapshot(at: number): MigrationProgress[] {
    return [...this.#entries.values()].map((entry) => progressOf(entry, at));
  }

  #entry(migration: string, at: number): Entry {
    let entry = this.#entries.get(migration);
    if (!entry) {
      entry = {
        migration,
        outcome: 'loading',
        batches: 0,
        batchesBefore: 0,
        rowsBefore: 0,
        batchesNow: 0,
        rowsNow: 0,
        skipped: 0,
        rejected: 0,
        startedAt: at,
        note: undefined,
      };
      this.#entries.set(migration, entry);
    }
    return entry;
  }
}

function progressOf(entry: Entry, at: number): MigrationProgress {
  const elapsedSeconds = Math.max(0, ((entry.endedAt ?? at) - entry.startedAt) / 1000);
  const doneBatches =
    entry.outcome === 'done'
      ? entry.batches
      : Math.min(entry.batches, entry.batchesBefore + entry.batchesNow);
  // Workers load batches side by side, so the wall time per batch so far already reflects them.
  const measured = entry.batchesNow > 0 && elapsedSeconds > 0;
  const etaSeconds =
    measured && entry.outcome === 'loading'
      ? ((entry.batches - doneBatches) * elapsedSeconds) / entry.batchesNow
      : undefined;
  return {
    migration: entry.migration,
    outcome: entry.outcome,
    batches: entry.batches,
    doneBatches,
    rows: entry.rowsFinal ?? entry.rowsBefore + entry.rowsNow,
    rowsPerSecond: measured ? entry.rowsNow / elapsedSeconds : undefined,
    etaSeconds,
    elapsedSeconds,
    leftOut: leftOut(entry),
    ...(entry.note === undefined ? {} : { note: entry.note }),
  };
}
