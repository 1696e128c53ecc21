// What has been applied, read back from `_ferry`: per migration its phase, batches done of total,
// rows, rate and ETA, and why it paused. `ferry status` and reports render this; an unknown target
// reads as empty.

import type pg from 'pg';
import { readMigrationControl } from './control.js';
import { type BatchProgress, batchLoadTimes, batchProgress } from './progress.js';
import { isRunLockHeld } from './run-lock.js';
import type { MigrationPhase } from './types.js';
import { stateVersion } from './version.js';

export interface MigrationStatus extends Pick<BatchProgress, 'rows' | 'skipped' | 'rejected'> {
  readonly migration: string;
  readonly phase: MigrationPhase;
  readonly batches: {
    readonly total: number;
    readonly done: number;
    readonly paused: number;
    readonly failed: number;
  };
  /** Rows per second while its batches were loading, to 0.1; null before a batch is done. */
  readonly rowsPerSecond: number | null;
  /** Whole seconds until the remaining batches are done at that pace, while loading; 0 when done. */
  readonly etaSeconds: number | null;
  readonly pausedReason?: unknown;
  readonly updatedAt: Date;
}

/**
 * Every migration `_ferry` knows, by name; an empty list when ferry never applied to this target.
 *
 * @example
 * for (const s of await readStatus(client)) console.log(s.migration, s.phase, `${s.batches.done}/${s.batches.total}`, s.etaSeconds);
 */
export async function readStatus(
  client: pg.ClientBase,
  options: { readonly now?: Date } = {},
): Promise<MigrationStatus[]> {
  if ((await stateVersion(client)) === undefined) return [];
  // One after the other: a client runs one query at a time anyway.
  const controls = await readMigrationControl(client);
  const progress = await batchProgress(client);
  const loadTimes = await batchLoadTimes(client, options);
  // A migration left `loading` by a run that died is not loading: no ETA without a run.
  const applying = await isRunLockHeld(client, 'apply');
  const byMigration = new Map(progress.map((p) => [p.migration, p]));
  const secondsOf = new Map(loadTimes.map((t) => [t.migration, t.seconds]));
  return controls.map((control) => {
    const p = byMigration.get(control.migration);
    return {
      migration: control.migration,
      phase: control.phase,
      batches: { total: p?.batches ?? 0, done: p?.done ?? 0, paused: p?.paused ?? 0, failed: p?.failed ?? 0 },
      rows: p?.rows ?? 0,
      skipped: p?.skipped ?? 0,
      rejected: p?.rejected ?? 0,
      ...pace(control.phase, p, secondsOf.get(control.migration) ?? 0, applying),
      ...(control.pausedReason === null || control.pausedReason === undefined
        ? {}
        : { pausedReason: control.pausedReason }),
      updatedAt: control.updatedAt,
    };
  });
}

/**
 * The wall time per done batch already reflects the workers that loaded side by side, so each
 * remaining batch takes that long. Batches hold exact row counts (all but the last have the batch
 * size): a better measure of what remains than the source table's row estimate.
 */
function pace(
  phase: MigrationPhase,
  progress: BatchProgress | undefined,
  seconds: number,
  applying: boolean,
): Pick<MigrationStatus, 'rowsPerSecond' | 'etaSeconds'> {
  if (!progress || progress.done === 0 || seconds <= 0)
    return { rowsPerSecond: null, etaSeconds: phase === 'done' ? 0 : null };
  const rowsPerSecond = Math.round((progress.rows / seconds) * 10) / 10;
  if (phase === 'done') return { rowsPerSecond, etaSeconds: 0 };
  // Paused or failed migrations wait for a person, not for batches.
  if (phase !== 'loading' || !applying) return { rowsPerSecond, etaSeconds: null };
  const remaining = progress.batches - progress.done;
  return { rowsPerSecond, etaSeconds: Math.round((remaining * seconds) / progress.done) };
}
