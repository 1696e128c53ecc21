// The key mappings of `keys: generate` migrations written out as one CSV file, for the systems
// outside the database that still hold old keys (links, caches, exports): `migration,old_key,new_key`,
// one line per migrated row. Rows stream from `COPY … TO STDOUT` into the file; none is held.

import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { errorDiagnostic, FerryError } from '../errors.js';
import type { BatchLayout } from '../runner/batch-layout.js';
import type { QualifiedName } from '../spec/types.js';
import { quoteLiteral, quoteQualifiedName } from '../util/sql.js';

export const MAPPINGS_CSV_HEADER = 'migration,old_key,new_key';

export interface ExportedMapping {
  readonly migration: string;
  readonly rows: number;
}

/**
 * Writes the key mappings of `layouts` (those that have one: keys: generate) to `file` as CSV, in
 * source key order per migration. A one-column key is written as its value; a composite key as a
 * JSON array of its columns' values as text (`["7","2024-01-31"]`), one field once CSV-quoted. The
 * file appears whole or not at all: rows go to a temporary file beside it, renamed at the end.
 *
 * @example
 * const exported = await exportMappings(target, layouts, 'mappings.csv');
 * // → [{ migration: 'case_files', rows: 1000 }]
 */
export async function exportMappings(
  client: pg.ClientBase,
  layouts: readonly BatchLayout[],
  file: string,
): Promise<ExportedMapping[]> {
  const partial = `${file}.${process.pid}.partial`;
  const out = createWriteStream(partial);
  try {
    await opened(out);
    out.write(`${MAPPINGS_CSV_HEADER}\n`);
    const exported: ExportedMapping[] = [];
    for (const layout of layouts) {
      if (!layout.mappingTable) continue;
      const sql = mappingSelectSql(layout, layout.mappingTable);
      const copy = client.query(copyTo(`COPY (${sql}) TO STDOUT WITH (FORMAT csv)`));
      // One file for every migration: each COPY is piped in without ending it.
      await pipeline(copy, out, { end: false });
      exported.push({ migration: layout.migration.name, rows: copy.rowCount });
    }
    await new Promise<void>((resolve, reject) => {
      out.once('error', reject);
      out.end(() => resolve());
    });
    await rename(partial, file);
    return exported;
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    throw fileError(error, file);
  }
}

function opened(out: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', reject);
  });
}

/** The migration's name, old key and new key as text, in source key order (the mapping's primary key). */
function mappingSelectSql(layout: BatchLayout, table: QualifiedName): string {
  const keys = layout.sourceKey.map((_, i) => `source_key_${i + 1}`);
  const oldKey =
    keys.length === 1
      ? `${keys[0]}::text`
      : `to_json(ARRAY[${keys.map((k) => `${k}::text`).join(', ')}])::text`;
  return (
    // Named apart from the mapping's columns: ORDER BY would otherwise sort by the text output.
    `SELECT ${quoteLiteral(layout.migration.name)} AS migration, ${oldKey} AS old_key, target_key::text AS new_key ` +
    `FROM ${quoteQualifiedName(table)} ORDER BY ${keys.join(', ')}`
  );
}

/** A file system error (no such directory, no permission) is the user's to fix; others pass on. */
function fileError(error: unknown, file: string): unknown {
  // Node's file system errors name the path they failed on; a lost connection does not.
  if (!(error instanceof Error) || !('path' in error) || !('code' in error)) return error;
  // The message ends naming the temporary file; the reason before it is what the user needs.
  const reason = error.message.split(', ')[0];
  return new FerryError(
    errorDiagnostic('finalize.export-failed', `cannot write the key mappings to ${file}: ${reason}`, {
      hint: 'give --export-mappings a file in a directory that exists and that ferry may write to; nothing was finalized',
    }),
  );
}
