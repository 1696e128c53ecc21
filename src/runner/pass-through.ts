// A migration whose every written value is one source column, unchanged, or an expression its reader
// evaluates exactly as PostgreSQL would (shipped-value.ts), needs no SQL between the source and the
// target. Where the reader produces COPY text itself (a MySQL source), such a batch is streamed
// straight into the target table instead of through a staging table and an INSERT … SELECT: half the
// work on the target server. Only where the text the reader writes for the staged type reads as the
// same value in the target type: text parsed by the target column's input function must equal the
// staged value cast to it.

import type { CatalogColumn, CatalogTable } from '../catalog/types.js';
import type { MigrationNode } from '../compiler/plan.js';
import type { PassThroughColumn } from '../source/reader.js';
import { writtenColumns } from './batch-sql.js';
import { shippedExpression } from './shipped-value.js';

const INTEGERS = new Set(['int2', 'int4', 'int8']);
const NUMBERS = new Set([...INTEGERS, 'numeric']);
const STRINGS = new Set(['text', 'varchar', 'bpchar']);

/** Staged type → the target types whose input reads its text as the cast would. */
function readsAlike(staged: CatalogColumn, target: CatalogColumn): boolean {
  const from = staged.baseType;
  const to = target.baseType;
  // An integer's digits are the same number in every numeric type (too large is an error either way);
  // a fraction is rounded by a cast to an integer but refused by its input, so fractions go to numeric.
  if (INTEGERS.has(from) || (from === 'numeric' && staged.scale === 0)) return NUMBERS.has(to);
  if (from === 'numeric') return to === 'numeric';
  if (from === 'text') return STRINGS.has(to);
  // A zone-less timestamp becomes an instant in the session's zone whether it is cast or parsed.
  if (from === 'timestamp') return to === 'timestamp' || to === 'timestamptz';
  // The rest only into their own type: float4 text read as float8, say, is not the float4 cast.
  return from === to && staged.type === target.type;
}

/**
 * The value behind each written target column when every one is a plain column whose text reads
 * alike in the target type or an expression the reader may compute, and nothing else shapes the rows
 * (no `where`); otherwise undefined.
 *
 * @example
 * passThroughColumns(migration, stagedSourceTable, targetTable);
 * // → [{ target: 'case_file_id', value: { kind: 'column', name: 'casefile_id' } },
 * //    { target: 'active', value: { kind: 'compare', op: '<>', … } }]
 */
export function passThroughColumns(
  migration: MigrationNode,
  sourceTable: CatalogTable,
  targetTable: CatalogTable,
): readonly PassThroughColumn[] | undefined {
  if (migration.where !== undefined || migration.incremental !== undefined || migration.fixups.length > 0)
    return undefined;
  const columns: PassThroughColumn[] = [];
  for (const column of writtenColumns(migration)) {
    const target = targetTable.columns.find((c) => c.name === column.target);
    if (!target) return undefined;
    if (column.expr !== undefined) {
      const value = shippedExpression(column.expr, sourceTable, target, readsAlike);
      if (!value) return undefined;
      columns.push({ target: column.target, value });
      continue;
    }
    const staged = sourceTable.columns.find((c) => c.name === column.from);
    if (column.from === undefined || !staged || !readsAlike(staged, target)) return undefined;
    columns.push({ target: column.target, value: { kind: 'column', name: column.from } });
  }
  return columns;
}
