// The `_ferry` schema in the target database, as the runner and the status commands use it: upgrade,
// run lock, batches (record, claim, complete), migration phases, progress and the event log.

export { runLockKey } from './advisory-locks.js';
export { type ClaimOptions, claimBatch, renewLease } from './claim-batch.js';
export {
  type MigrationControl,
  type MigrationFields,
  readMigrationControl,
  setMigrationPhase,
} from './control.js';
export {
  appendBatches,
  closeBatchRange,
  cursorMark,
  type LastBatch,
  lastBatch,
  loadBatchesDone,
  recordRefresh,
  reopenEmptyBatch,
  setCursorMark,
} from './extend-batches.js';
export { completeBatch, failBatch, pauseBatch, releaseLeases, requeueBatches } from './finish-batch.js';
export { assertRangesTile, sameRanges } from './key-ranges.js';
export { logEvent, type StateEvent } from './log.js';
export { LATEST_STATE_VERSION, STATE_MIGRATIONS, type StateMigration } from './migrations/index.js';
export { type BatchProgress, batchLoadTimes, batchProgress, type LoadTime } from './progress.js';
export { type RecordBatchesResult, recordBatches } from './record-batches.js';
export { withRunLock } from './run-lock.js';
export { splitBatch } from './split-batch.js';
export { type MigrationStatus, readStatus } from './status.js';
export {
  BATCH_STATUSES,
  type BatchLease,
  type BatchStatus,
  type ClaimedBatch,
  type CursorWindow,
  type KeyRange,
  type KeyValue,
  MIGRATION_PHASES,
  type MigrationPhase,
} from './types.js';
export { stateVersion, upgradeState } from './version.js';
