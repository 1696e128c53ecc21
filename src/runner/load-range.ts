// Writes the rows of one key range into the target, inside the caller's transaction: straight from
// the source's COPY where the layout allows, through the staging table otherwise.

import type pg from 'pg';
import type { OnError } from '../spec/types.js';
import type { BatchLayout } from './batch-layout.js';
import { batchSelectSql, targetColumnList } from './batch-sql.js';
import { copyBatch } from './copy-batch.js';
import type { KeyRange } from './key-ranges.js';
import { type LoadResult, stagedLoad } from './staged-load.js';

export interface RangeLoad {
  readonly layout: BatchLayout;
  readonly source: pg.ClientBase;
  readonly target: pg.ClientBase;
  readonly range: KeyRange;
  readonly batchNo: number;
  readonly onError: OnError;
}

export async function loadRange(load: RangeLoad): Promise<LoadResult> {
  if (load.layout.mode === 'staged') return stagedLoad(load);
  const { migration, sourceTable } = load.layout;
  const { rows } = await copyBatch({
    source: load.source,
    target: load.target,
    selectSql: batchSelectSql(migration, sourceTable, load.range),
    targetTable: migration.to,
    targetColumns: targetColumnList(migration),
  });
  return { rows, skipped: 0, rejected: 0 };
}
