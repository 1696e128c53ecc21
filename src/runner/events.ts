// What the runner reports as it goes: one typed event stream that progress lines, NDJSON and the
// status views are all rendered from.

import type { Violation } from './violation.js';

export type RunnerEvent =
  | { readonly type: 'migration-started'; readonly migration: string; readonly batches: number }
  | {
      readonly type: 'batch-committed';
      readonly migration: string;
      readonly batchNo: number;
      readonly rows: number;
    }
  | { readonly type: 'migration-done'; readonly migration: string; readonly rows: number }
  | {
      readonly type: 'migration-paused';
      readonly migration: string;
      readonly batchNo: number;
      readonly violation: Violation;
    }
  | { readonly type: 'migration-skipped'; readonly migration: string; readonly reason: string };
