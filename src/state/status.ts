// What has been applied, read back from `_ferry`: per migration its phase, batches done of total,
// rows, and why it paused. `ferry status` and reports render this; an unknown target reads as empty.

import type pg from 'pg';
import { readMigrationControl } from './control.js';
import { batchProgress } from './progress.js';
import type { MigrationPhase } from './types.js';
import { stateVersion } from './version.js';

export interface MigrationStatus {
  readonly migration: string;
  readonly phase: MigrationPhase;
  readonly batches: {
    readonly total: number;
    readonly done: number;
    readonly paused: number;
    readonly failed: number;
  };
  readonly rows: number;
  readonly pausedReason?: unknown;
  readonly updatedAt: Date;
}

/**
 * Every migration `_ferry` knows, by name; an empty list when ferry never applied to this target.
 *
 * @example
 * for (const s of await readStatus(client)) console.log(s.migration, s.phase, `${s.batches.done}/${s.batches.total}`);
 */
export async function readStatus(client: pg.ClientBase): Promise<MigrationStatus[]> {
  if ((await stateVersion(client)) === undefined) return [];
  const [controls, progress] = await Promise.all([readMigrationControl(client), batchProgress(client)]);
  const byMigration = new Map(progress.map((p) => [p.migration, p]));
  return controls.map((control) => {
    const p = byMigration.get(control.migration);
    return {
      migration: control.migration,
      phase: control.phase,
      batches: { total: p?.batches ?? 0, done: p?.done ?? 0, paused: p?.paused ?? 0, failed: p?.failed ?? 0 },
      rows: p?.rows ?? 0,
      ...(control.pausedReason === null || control.pausedReason === undefined
        ? {}
        : { pausedReason: control.pausedReason }),
      updatedAt: control.updatedAt,
    };
  });
}
