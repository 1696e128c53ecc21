// The source seam of the runner. Everything a run does on the source is PostgreSQL SQL over one
// session (`sql`): batch SELECTs, bisection, the rows of rejects, verify's hash sums. For a PostgreSQL
// source that session is the source itself; for a MySQL source it is a session on the target server in
// which the rows of the range being read are staged first (`stage`), in PostgreSQL types, under the
// name the layout gives (BatchLayout.sourceRelation). Batch boundaries are found on the source engine
// itself, by the reader. Nothing above this seam knows which engine the source is.

import type pg from 'pg';
import type { CatalogEngine } from '../catalog/types.js';
import type { KeyRange, KeyRangeOptions, KeyValue } from '../runner/key-ranges.js';
import type { QualifiedName } from '../spec/types.js';

/** What staging needs of a migration's layout: its source table and the relation its SQL reads. */
export interface StagedSource {
  /** The source table as the source engine names it. */
  readonly sourceName: QualifiedName;
  /** The relation the source-side SQL reads (a temporary table for a MySQL source). */
  readonly sourceRelation: string;
  /** The batch key the ranges are cut on, by column name. */
  readonly key?: readonly { readonly name: string }[];
}

/** What a reader stages a migration's rows by, from its batch layout. */
export function stagedSourceOf(layout: {
  readonly migration: { readonly from: QualifiedName };
  readonly sourceRelation: string;
  readonly sourceKey: readonly { readonly name: string }[];
}): StagedSource {
  return { sourceName: layout.migration.from, sourceRelation: layout.sourceRelation, key: layout.sourceKey };
}

/**
 * A value a reader computes while reading (see runner/shipped-value.ts): a source column as it is, or
 * one of the few expressions every engine evaluates exactly as PostgreSQL does.
 */
export type ShippedValue =
  | { readonly kind: 'column'; readonly name: string }
  | { readonly kind: 'integer'; readonly value: string }
  | {
      readonly kind: 'compare';
      readonly op: '=' | '<>' | '<' | '>' | '<=' | '>=';
      readonly left: ShippedValue;
      readonly right: ShippedValue;
    }
  | { readonly kind: 'is-null'; readonly negated: boolean; readonly arg: ShippedValue }
  | { readonly kind: 'logic'; readonly op: 'and' | 'or' | 'not'; readonly args: readonly ShippedValue[] }
  /** An integer column divided by 10^digits, exactly. */
  | { readonly kind: 'point-shift'; readonly column: string; readonly digits: number };

/** A target column and the value the reader writes into it (see runner/pass-through.ts). */
export interface PassThroughColumn {
  readonly target: string;
  readonly value: ShippedValue;
}

/** Where copyRange writes: a target table and its columns, each a value the reader computes. */
export interface PassThroughTarget {
  readonly table: QualifiedName;
  readonly columns: readonly PassThroughColumn[];
}

export interface SourceReader {
  readonly engine: CatalogEngine;
  /** Batch boundaries along the key (see runner/key-ranges.ts planKeyRanges). */
  planKeyRanges(sql: pg.ClientBase, options: KeyRangeOptions): Promise<KeyRange[]>;
  /** The largest key after `after` (see runner/key-ranges.ts lastKeyAfter). */
  lastKeyAfter(
    sql: pg.ClientBase,
    options: Omit<KeyRangeOptions, 'batchSize' | 'limitRows' | 'after'>,
    after: KeyValue | null,
  ): Promise<KeyValue | undefined>;
  /**
   * Makes the source rows of `range` readable under `source.sourceRelation` in `sql`; nothing to do
   * for a PostgreSQL source. Returns the zero dates the rows held, per column, made NULL on the way.
   */
  stage(sql: pg.ClientBase, source: StagedSource, range: KeyRange): Promise<ReadonlyMap<string, number>>;
  /**
   * After `stage`, the relation holds exactly the range's rows, in key order: a load of that same
   * range reads it whole (runner/batch-sql.ts STAGED_RANGE).
   */
  readonly stagesRange?: true;
  /**
   * Streams the source rows of `range` straight into `into.table` with COPY on `sql` (inside the
   * caller's transaction), without staging them. Only a reader that writes COPY text itself has it.
   */
  copyRange?(
    sql: pg.ClientBase,
    source: StagedSource,
    range: KeyRange,
    into: PassThroughTarget,
  ): Promise<{ readonly rows: number; readonly zeroDates: ReadonlyMap<string, number> }>;
  /** Closes what the reader holds besides `sql`. */
  end(): Promise<void>;
}
