// What `_ferry` says apply did, read without writing: each migration's phase, its batches with the rows
// they left out on purpose (skipped by onOrphan skip, rejected by onError reject), and the source keys
// of the rejected rows. A target that ferry never applied to reads as empty.

import type pg from 'pg';
import { errorDiagnostic, FerryError } from '../errors.js';
import {
  LATEST_STATE_VERSION,
  type MigrationControl,
  readMigrationControl,
  stateVersion,
} from '../state/index.js';
import type { KeyRange } from '../state/types.js';

export interface RecordedBatch {
  readonly batchNo: number;
  readonly range: KeyRange;
  readonly status: string;
  readonly skipped: number;
  readonly rejected: number;
}

export interface AppliedState {
  readonly control?: MigrationControl;
  readonly batches: readonly RecordedBatch[];
  /** Distinct source keys of the rows set aside, as JSON arrays of the key's text values. */
  readonly rejectedKeys: readonly (readonly string[])[];
}

// skipped and rejected arrived with state version 3: read through to_jsonb so an older state reads as 0.
const BATCHES_SQL = `
select migration, batch_no as "batchNo", key_low as low, key_high as high, status,
       coalesce((to_jsonb(b) ->> 'skipped')::float8, 0) as skipped,
       coalesce((to_jsonb(b) ->> 'rejected')::float8, 0) as rejected
from _ferry.migration_batches b
where migration = any($1::text[])
order by migration, batch_no`;

const REJECTS_SQL = `
select distinct migration, source_key as key
from _ferry.migration_rejects
where migration = any($1::text[])`;

/**
 * The applied state of `migrations`, by name (an absent name was never applied).
 *
 * @example
 * const state = await readAppliedState(target, ['orders']);
 * state.get('orders')?.control?.phase; // → 'done'
 */
export async function readAppliedState(
  target: pg.ClientBase,
  migrations: readonly string[],
): Promise<Map<string, AppliedState>> {
  const version = await stateVersion(target);
  if (version === undefined) return new Map();
  if (version > LATEST_STATE_VERSION) {
    throw new FerryError(
      errorDiagnostic(
        'state.too-new',
        `the _ferry schema in the target is at version ${version}, newer than this ferry knows (up to version ${LATEST_STATE_VERSION})`,
        { hint: 'a newer ferry has applied to this database: verify with that release or later' },
      ),
    );
  }
  const controls = (await readMigrationControl(target)).filter((c) => migrations.includes(c.migration));
  const { rows: batches } = await target.query<{
    migration: string;
    batchNo: number;
    low: string[] | null;
    high: string[] | null;
    status: string;
    skipped: number;
    rejected: number;
  }>(BATCHES_SQL, [migrations]);
  const { rows: rejects } = await target.query<{ migration: string; key: string[] }>(REJECTS_SQL, [
    migrations,
  ]);
  const state = new Map<string, AppliedState>();
  for (const control of controls) {
    state.set(control.migration, {
      control,
      batches: batches
        .filter((b) => b.migration === control.migration)
        .map((b) => ({
          batchNo: b.batchNo,
          range: { low: b.low, high: b.high },
          status: b.status,
          skipped: b.skipped,
          rejected: b.rejected,
        })),
      rejectedKeys: rejects.filter((r) => r.migration === control.migration).map((r) => r.key),
    });
  }
  return state;
}
