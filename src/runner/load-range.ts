// Writes the rows of one key range into the target, inside the caller's transaction: straight from
// the source's COPY where the layout allows, through the staging table otherwise.

import { batchSelectSql, rangeSelectSql, targetColumnList, targetValue } from './batch-sql.js';
import { copyBatch } from './copy-batch.js';
import { type LoadResult, type RangeLoad, stagedLoad } from './staged-load.js';

export async function loadRange(load: RangeLoad): Promise<LoadResult> {
  // A refresh compares what it stages with the target: only the staged path can.
  if (load.layout.mode === 'staged' || load.cursor !== undefined) return stagedLoad(load);
  const { layout } = load;
  const withinTarget = load.source === load.target;
  const typed = layout.columns.map((column) =>
    targetValue(column.fixup ? 'NULL' : column.source, column.type, true),
  );
  const { rows } = await copyBatch({
    source: load.source,
    target: load.target,
    selectSql: withinTarget ? rangeSelectSql(layout, load.range, typed) : batchSelectSql(layout, load.range),
    targetTable: layout.migration.to,
    targetColumns: targetColumnList(layout.migration),
  });
  return { rows, skipped: 0, rejected: 0 };
}
