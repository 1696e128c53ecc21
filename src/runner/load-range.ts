// Writes the rows of one key range into the target, inside the caller's transaction: straight from
// the source's COPY where the layout allows, through the staging table otherwise.

import { batchSelectSql, targetColumnList } from './batch-sql.js';
import { copyBatch } from './copy-batch.js';
import { type LoadResult, type RangeLoad, stagedLoad } from './staged-load.js';

export async function loadRange(load: RangeLoad): Promise<LoadResult> {
  // A refresh compares what it stages with the target: only the staged path can.
  if (load.layout.mode === 'staged' || load.cursor !== undefined) return stagedLoad(load);
  const { migration } = load.layout;
  const { rows } = await copyBatch({
    source: load.source,
    target: load.target,
    selectSql: batchSelectSql(load.layout, load.range),
    targetTable: migration.to,
    targetColumns: targetColumnList(migration),
  });
  return { rows, skipped: 0, rejected: 0 };
}
