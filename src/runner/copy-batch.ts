// Moves one batch: `COPY (SELECT …) TO STDOUT` on the source streamed into `COPY … FROM STDIN` on the
// target. Node only passes COPY buffers along (counting their bytes); rows are never parsed or held.
// Where source-side SQL runs in the target session itself (a source staged on the target), the rows
// never leave the server: one `INSERT … SELECT`.

import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { QualifiedName } from '../spec/types.js';
import { quoteIdentifier, quoteQualifiedName } from '../util/sql.js';

export interface CopyBatchOptions {
  readonly source: pg.ClientBase;
  readonly target: pg.ClientBase;
  /** The batch's SELECT (see batchSelectSql); it runs as `COPY (selectSql) TO STDOUT`. */
  readonly selectSql: string;
  readonly targetTable: QualifiedName;
  /** The target columns, in the order the SELECT produces their values. */
  readonly targetColumns: readonly string[];
}

export interface CopyBatchResult {
  /** Rows the target COPY stored. */
  readonly rows: number;
  /** Bytes of COPY text that went through; 0 when the rows never left the server. */
  readonly bytes: number;
}

/**
 * Streams one batch from the source into the target. The caller owns the target transaction: the rows
 * are written into whatever transaction is open there and commit or roll back with it.
 *
 * On failure the promise rejects with the failing side's own error (a `pg.DatabaseError` with `code`,
 * `constraint` and `detail` when the server refused a row); the target's COPY is then aborted (its
 * transaction must be rolled back) and the source client is usable again.
 *
 * @example
 * await target.query('BEGIN');
 * const { rows } = await copyBatch({
 *   source,
 *   target,
 *   selectSql: batchSelectSql(migration, sourceTable, range),
 *   targetTable: migration.to,
 *   targetColumns: targetColumnList(migration),
 * });
 * await target.query('COMMIT');
 */
export async function copyBatch(options: CopyBatchOptions): Promise<CopyBatchResult> {
  const columns = options.targetColumns.map(quoteIdentifier).join(', ');
  if (options.source === options.target) {
    // COPY writes the values given into identity columns too; the INSERT says so to do the same.
    const inserted = await options.target.query(
      `INSERT INTO ${quoteQualifiedName(options.targetTable)} (${columns}) OVERRIDING SYSTEM VALUE ${options.selectSql}`,
    );
    return { rows: inserted.rowCount ?? 0, bytes: 0 };
  }
  const writer = options.target.query(
    copyFrom(`COPY ${quoteQualifiedName(options.targetTable)} (${columns}) FROM STDIN`),
  );
  const reader = options.source.query(copyTo(`COPY (${options.selectSql}) TO STDOUT`));
  const meter = new ByteMeter();
  // When the source fails, the server's answer to the CopyFail that aborts the target can arrive after
  // pipeline() has settled; an 'error' event then must never be an unhandled one that ends the process.
  writer.on('error', () => {});
  const readerEnded = finished(reader).then(
    () => undefined,
    (error: unknown) => error,
  );
  // The source is piped by hand rather than handed to pipeline(): pipeline destroys every stream on a
  // failure, and a destroyed COPY TO stream stops reading its connection in the middle of the COPY,
  // which leaves the source client waiting forever. A source error still fails the pipeline.
  reader.on('error', (error) => meter.destroy(error));
  reader.pipe(meter);
  try {
    await pipeline(meter, writer);
  } catch (error) {
    await drainSource(reader, readerEnded);
    throw error;
  }
  return { rows: writer.rowCount, bytes: meter.bytes };
}

/**
 * Reads the rest of a source COPY that the target gave up on and drops it, so the source connection
 * ends the COPY and answers queries again. It reads at most what is left of the batch.
 */
async function drainSource(reader: Readable, ended: Promise<unknown>): Promise<void> {
  reader.unpipe();
  reader.resume();
  await ended;
}

/** Passes COPY buffers through unchanged, counting their bytes. */
class ByteMeter extends Transform {
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}
