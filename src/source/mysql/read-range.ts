// One key range of a MySQL table read as a stream of COPY text: rows stream from the server (the
// driver pauses the socket when the consumer falls behind), are encoded line by line and leave in
// chunks of about 64 KiB, so memory stays flat whatever the range's size.

import { type Readable, Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Connection as CallbackConnection } from 'mysql2';
import type mysql from 'mysql2/promise';
import type { CatalogColumn } from '../../catalog/types.js';
import type { KeyRange } from '../../runner/key-ranges.js';
import type { QualifiedName } from '../../spec/types.js';
import { type CopyTextEncoder, copyTextEncoder, type MysqlValue } from './copy-text.js';
import { quoteMysqlIdentifier, quoteMysqlTable } from './identifiers.js';
import { mysqlRangeCondition } from './key-ranges.js';

const CHUNK_BYTES = 64 * 1024;
const ROWS_IN_FLIGHT = 1000;

export interface MysqlRangeRead {
  readonly table: QualifiedName;
  /** The columns read, in this order: what each value is encoded as. */
  readonly columns: readonly CatalogColumn[];
  /** MySQL SQL of each value, where it is not the column itself (see shipped-sql.ts). */
  readonly values?: readonly (string | undefined)[];
  readonly key: readonly Pick<CatalogColumn, 'name'>[];
  readonly range: KeyRange;
}

export interface MysqlRangeStream {
  /** COPY text, one line per row, in key order. */
  readonly stream: Readable;
  /** What the encoder met so far (zero dates made NULL); complete once the stream has ended. */
  readonly encoder: CopyTextEncoder;
  /**
   * Reads what is left of the rows and drops it, once the consumer gave up on `stream`: a query left
   * half read holds its connection, and the next query would wait for ever.
   */
  drain(): Promise<void>;
}

/** The SELECT behind a range read: its SQL and parameters. */
export function mysqlRangeSelect(read: MysqlRangeRead): { readonly sql: string; readonly values: string[] } {
  const columns = read.columns
    .map((column, i) => read.values?.[i] ?? quoteMysqlIdentifier(column.name))
    .join(', ');
  const key = read.key.map((column) => quoteMysqlIdentifier(column.name)).join(', ');
  const condition = mysqlRangeCondition(read.key, read.range);
  return {
    sql:
      `SELECT ${columns} FROM ${quoteMysqlTable(read.table)}` +
      `${condition.sql ? ` WHERE ${condition.sql}` : ''} ORDER BY ${key}`,
    values: condition.values,
  };
}

/**
 * COPY lines gathered into chunks of about CHUNK_BYTES, written as UTF-8 into a Buffer as each line
 * is made. Each line's string dies at once: a text chunk concatenated from thousands of short lines
 * would live (and be copied by every young-generation collection) until it was sent, and a load's
 * collections are most of its time in Node otherwise.
 */
function copyChunks(): { add(line: string): Buffer | undefined; rest(): Buffer | undefined } {
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  const take = (): Buffer | undefined => {
    if (used === 0) return undefined;
    const full = buffer.subarray(0, used);
    buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    used = 0;
    return full;
  };
  return {
    add(line) {
      // A UTF-16 code unit is at most 3 bytes of UTF-8, so a line this short always fits.
      if (line.length * 3 <= CHUNK_BYTES - used) {
        used += buffer.write(line, used);
        return used >= CHUNK_BYTES - 1024 ? take() : undefined;
      }
      const full = take();
      const long = Buffer.from(line, 'utf8');
      return full ? Buffer.concat([full, long]) : long;
    },
    rest: take,
  };
}

/**
 * Streams the rows of `read.range` as COPY text. Errors of the query end the stream with that error.
 *
 * @example
 * const { stream } = readMysqlRange(source, { table, columns, key, range: { low: null, high: ['10000'] } });
 * stream.pipe(target.query(copyFrom('COPY raw FROM STDIN')));
 */
export function readMysqlRange(connection: mysql.Connection, read: MysqlRangeRead): MysqlRangeStream {
  const select = mysqlRangeSelect(read);
  const encoder = copyTextEncoder(read.columns);
  // Streaming is on the callback API; the promise connection wraps one (untyped in the driver's typings).
  const core = (connection as unknown as { readonly connection: CallbackConnection }).connection;
  const rows = core
    .query({ sql: select.sql, values: select.values, rowsAsArray: true })
    .stream({ highWaterMark: ROWS_IN_FLIGHT });
  const chunks = copyChunks();
  const encode = new Transform({
    writableObjectMode: true,
    transform(row: MysqlValue[], _encoding, done) {
      const full = chunks.add(encoder.encode(row));
      if (full) this.push(full);
      done();
    },
    flush(done) {
      const rest = chunks.rest();
      if (rest) this.push(rest);
      done();
    },
  });
  const rowsEnded = finished(rows).then(
    () => undefined,
    () => undefined,
  );
  rows.on('error', (error: Error) => encode.destroy(error));
  rows.pipe(encode);
  const drain = async () => {
    rows.unpipe(encode);
    rows.resume();
    await rowsEnded;
  };
  return { stream: encode, encoder, drain };
}
