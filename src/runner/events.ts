// What the runner reports as it goes: one typed event stream that progress lines, NDJSON and the
// status views are all rendered from.

import type { OffendingRow, Violation } from './violation.js';

export type RunnerEvent =
  | {
      readonly type: 'migration-started';
      readonly migration: string;
      readonly batches: number;
      /** Batches already done when this run started (a resumed migration); absent reads as none. */
      readonly doneBatches?: number;
      /** Rows those batches loaded, so that a view's rate counts only this run's rows. */
      readonly doneRows?: number;
      /** The planner's estimate of the source table's rows, where the source has statistics. */
      readonly rowEstimate?: number;
    }
  | {
      readonly type: 'batch-committed';
      readonly migration: string;
      readonly batchNo: number;
      readonly rows: number;
      /** Rows left out because a ref found no migrated parent (onOrphan: skip). */
      readonly skipped?: number;
      /** Rows set aside in _ferry.migration_rejects (onError: reject). */
      readonly rejected?: number;
    }
  | { readonly type: 'migration-done'; readonly migration: string; readonly rows: number }
  | {
      readonly type: 'migration-paused';
      readonly migration: string;
      /** Absent when the fix-up step paused. */
      readonly batchNo?: number;
      readonly violation: Violation;
      /** The first source rows at fault, by source key. */
      readonly offending?: readonly OffendingRow[];
    }
  | {
      /** A connection broke mid-batch; the batch is retried on a new one after a pause. */
      readonly type: 'connection-retry';
      readonly migration: string;
      readonly attempt: number;
      readonly delayMs: number;
      readonly message: string;
    }
  | { readonly type: 'migration-skipped'; readonly migration: string; readonly reason: string }
  | {
      /** A batch hit a statement timeout or ran out of memory: it was cut in two, both halves to load. */
      readonly type: 'batch-split';
      readonly migration: string;
      readonly batchNo: number;
      readonly newBatchNo: number;
      readonly reason: string;
    }
  | {
      /**
       * A MySQL source held zero dates (`0000-00-00`, `2020-00-00`) in a column of this batch: they have
       * no PostgreSQL value and were read as NULL, counted here.
       */
      readonly type: 'zero-dates';
      readonly migration: string;
      readonly batchNo: number;
      readonly column: string;
      readonly count: number;
    }
  | {
      /** --bulk: a dropped key, index or foreign key is rebuilt. */
      readonly type: 'constraint-restored';
      readonly table: string;
      readonly name: string;
    };
