// The numbered migrations of the `_ferry` schema, in order. A new version appends one file and one
// entry here; released entries are never edited, because databases already recorded them as applied.

import { INITIAL_STATE_SQL } from './0001-initial.js';
import { BULK_STATE_SQL } from './0002-bulk.js';
import { BATCH_OUTCOMES_SQL } from './0003-batch-outcomes.js';
import { INCREMENTAL_STATE_SQL } from './0004-incremental.js';
import { FINALIZE_STATE_SQL } from './0005-finalize.js';

export interface StateMigration {
  /** 1, 2, 3…: recorded in `_ferry.schema_version` once applied. */
  readonly version: number;
  readonly name: string;
  /** Idempotent DDL, run as one simple query inside the upgrade's transaction. */
  readonly sql: string;
}

export const STATE_MIGRATIONS: readonly StateMigration[] = [
  { version: 1, name: 'initial', sql: INITIAL_STATE_SQL },
  { version: 2, name: 'bulk', sql: BULK_STATE_SQL },
  { version: 3, name: 'batch-outcomes', sql: BATCH_OUTCOMES_SQL },
  { version: 4, name: 'incremental', sql: INCREMENTAL_STATE_SQL },
  { version: 5, name: 'finalize', sql: FINALIZE_STATE_SQL },
];

/** The version this ferry brings a target to, and the newest it can read. */
export const LATEST_STATE_VERSION: number = STATE_MIGRATIONS.length;
