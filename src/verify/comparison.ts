// How one migration's rows are compared: a SELECT on each side that yields, per row, the same text for
// the same value. The source side computes each mapped value and prints it as the target column's type
// would; the target side prints its columns, and translates refs to generated keys back to the
// parent's source key. Each row carries its source key (its identity on both sides) and a category:
// compared, left out on purpose (rejected, in a batch with skipped rows), or not locatable.

import type { CatalogTable } from '../catalog/types.js';
import type { BatchLayout, LayoutColumn, RefTranslation } from '../runner/batch-layout.js';
import { keyRangePredicate, writtenColumns } from '../runner/batch-sql.js';
import type { KeyRange } from '../runner/key-ranges.js';
import { embedExpression } from '../spec/expression.js';
import { quoteIdentifier, quoteLiteral, quoteQualifiedName } from '../util/sql.js';

/** The source row is among the rejected: a lateral column, under an alias no source name can shadow. */
const REJECTED = `${quoteIdentifier('ferry verify')}.rejected`;

/** Printed for a ref whose generated key has no entry in the parent's key mapping. */
const UNMAPPED_PREFIX = quoteLiteral('(no key mapping) ');

/** What the databases say about the types a comparison casts to (see readTypeFacts). */
export interface TypeFacts {
  /** The type, as the target's catalog prints it, is built into the source: values are cast to it there. */
  readonly onSource: (type: string) => boolean;
  /** A source key type is built into the target: key ranges can be cut there too. */
  readonly onTarget: (type: string) => boolean;
  /** The source type sorts by a collation, which the target may not share. */
  readonly collatable: (type: string) => boolean;
}

export interface SkippedBatch {
  readonly batchNo: number;
  readonly range: KeyRange;
  readonly skipped: number;
}

export interface ComparedColumn {
  readonly column: string;
  /** SQL over the source table: the mapped value as the target column prints it. */
  readonly sourceText: string;
  /** SQL over the target row `t` (and the joins of the target SELECT). */
  readonly targetText: string;
  /**
   * Set for a ref whose target value is NULL where the parent row was not migrated (onOrphan null,
   * or a fix-up under onOrphan skip): such a NULL is right, not a difference.
   */
  readonly orphanNull?: { readonly ref: RefTranslation; readonly type: string };
}

export interface Comparison {
  readonly layout: BatchLayout;
  readonly columns: readonly ComparedColumn[];
  /** Target rows are matched to source rows by source key; false for an `expr` batch key. */
  readonly located: boolean;
  /**
   * SELECT of ident (text[], the row's identity), key (text[], the source key to name it by),
   * cat ('compared' | 'rejected' | 'skipped') and v1…vn. Takes $1, the rejected keys as a JSON
   * array of key arrays, when built with rejected keys.
   */
  readonly sourceRows: string;
  /** SELECT of ident, key, tkey (the target's primary key), cat ('compared' | 'skipped' | 'unlocated'), v1…vn. */
  readonly targetRows: string;
  /** The target's rows with their joins, for other checks: `"s"."t" t LEFT JOIN …`. */
  readonly targetFrom: string;
  readonly targetKey: string;
  readonly targetPrimaryKey: string;
  /** Rows of batches with skipped rows can be told apart on the target, so the rest is compared. */
  readonly skippedLocated: boolean;
}

export interface ComparisonInput {
  readonly layout: BatchLayout;
  readonly targetTable: CatalogTable;
  readonly types: TypeFacts;
  readonly skippedBatches: readonly SkippedBatch[];
  readonly hasRejects: boolean;
}

interface Identity {
  readonly source: readonly string[];
  readonly target: readonly string[];
  /** True on the target for a row that has no source key. */
  readonly unlocated: string;
  /** The target's key expressions typed as the source key, for ranges; undefined for keys: generate. */
  readonly rangeable?: readonly string[];
}

/**
 * The two SELECTs that compare `layout`'s migration.
 *
 * @example
 * const comparison = buildComparison({ layout, targetTable, types, skippedBatches: [], hasRejects: false });
 * await source.query(`SELECT count(*) FROM (${comparison.sourceRows}) r`);
 */
export function buildComparison(input: ComparisonInput): Comparison {
  const joins: string[] = [];
  const columns = input.layout.columns.map((column) => comparedColumn(column, input, joins));
  const identity = identityOf(input.layout, columns, joins);
  const targetFrom = `${quoteQualifiedName(input.layout.migration.to)} t ${joins.join(' ')}`.trim();
  const targetKey = identity
    ? `CASE WHEN ${identity.unlocated} THEN NULL ELSE ARRAY[${identity.target.join(', ')}] END`
    : 'NULL::text[]';
  const primaryKey = input.targetTable.primaryKey ?? [];
  const targetPrimaryKey =
    primaryKey.length === 0
      ? 'NULL::text[]'
      : `ARRAY[${primaryKey.map((c) => `t.${quoteIdentifier(c)}::text`).join(', ')}]`;
  const targetSkipped = targetSkippedCondition(input, identity);
  const targetCases = [
    ...(identity ? [`WHEN ${identity.unlocated} THEN 'unlocated'`] : []),
    ...(targetSkipped ? [`WHEN ${targetSkipped} THEN 'skipped'`] : []),
  ];
  const targetValues = columns.map((c, i) => `, ${c.targetText} AS v${i + 1}`).join('');
  return {
    layout: input.layout,
    columns,
    located: identity !== undefined,
    sourceRows: sourceRowsSql(input, columns, identity),
    targetRows:
      `SELECT ${targetKey} AS ident, ${targetKey} AS key, ${targetPrimaryKey} AS tkey, ` +
      `${category(targetCases)} AS cat${targetValues} FROM ${targetFrom}`,
    targetFrom,
    targetKey,
    targetPrimaryKey,
    skippedLocated: input.skippedBatches.length === 0 || targetSkipped !== undefined,
  };
}

/** One written column as both sides print it; a ref to generated keys adds its join to `joins`. */
function comparedColumn(column: LayoutColumn, input: ComparisonInput, joins: string[]): ComparedColumn {
  const target = `t.${quoteIdentifier(column.target)}`;
  const value = `(${column.source})`;
  const sourceText = input.types.onSource(column.type)
    ? `(${value}::text::${column.type})::text`
    : `${value}::text`;
  let targetText = `${target}::text`;
  if (column.ref?.kind === 'mapping') {
    const alias = `j_${column.stage}`;
    joins.push(
      `LEFT JOIN ${quoteQualifiedName(column.ref.table)} ${alias} ON ${alias}.target_key = ${target}`,
    );
    targetText = `CASE WHEN ${target} IS NULL THEN NULL ELSE coalesce(${alias}.source_key_1::text, ${UNMAPPED_PREFIX} || ${target}::text) END`;
  }
  const { onOrphan } = input.layout;
  const nullsOrphans = onOrphan === 'null' || (column.fixup && onOrphan === 'skip');
  return {
    column: column.target,
    sourceText,
    targetText,
    ...(column.ref && nullsOrphans ? { orphanNull: { ref: column.ref, type: column.type } } : {}),
  };
}

/** The source's rows after `where`, each with its identity, its raw key and its category. */
function sourceRowsSql(
  input: ComparisonInput,
  columns: readonly ComparedColumn[],
  identity: Identity | undefined,
): string {
  const { layout } = input;
  const rawKey = layout.sourceKey.map((k) => `${quoteIdentifier(k.name)}::text`);
  const cases = [
    ...(input.hasRejects ? [`WHEN ${REJECTED} THEN 'rejected'`] : []),
    ...(input.skippedBatches.length > 0
      ? [
          `WHEN ${anyRange(input.skippedBatches, (range) => keyRangePredicate(layout.sourceKey, range))} THEN 'skipped'`,
        ]
      : []),
  ];
  // A rejected row's values are not computed: they may be what the source cannot convert.
  const values = columns
    .map((c, i) => {
      const value = input.hasRejects
        ? `CASE WHEN ${REJECTED} THEN NULL ELSE ${c.sourceText} END`
        : c.sourceText;
      return `, ${value} AS v${i + 1}`;
    })
    .join('');
  const rejects = input.hasRejects
    ? ` CROSS JOIN LATERAL (SELECT to_jsonb(ARRAY[${rawKey.join(', ')}]) IN (SELECT jsonb_array_elements($1::jsonb)) AS rejected) ${quoteIdentifier('ferry verify')}`
    : '';
  const where =
    layout.migration.where === undefined ? '' : ` WHERE ${embedExpression(layout.migration.where)}`;
  return (
    `SELECT ${identity ? `ARRAY[${identity.source.join(', ')}]` : 'NULL::text[]'} AS ident, ` +
    `ARRAY[${rawKey.join(', ')}] AS key, ${category(cases)} AS cat${values} ` +
    `FROM ${layout.sourceRelation}${rejects}${where}`
  );
}

/**
 * How a target row names its source row. keys: generate through the migration's own key mapping;
 * keys: preserve through the target columns mapped `from:` the source key's columns, each printed
 * like its source side. None when some key column is not carried over as is (an `expr`).
 */
function identityOf(
  layout: BatchLayout,
  columns: readonly ComparedColumn[],
  joins: string[],
): Identity | undefined {
  const source = layout.sourceKey.map((k) => `${quoteIdentifier(k.name)}::text`);
  if (layout.mappingTable && layout.generatedKey) {
    joins.unshift(
      `LEFT JOIN ${quoteQualifiedName(layout.mappingTable)} m ON m.target_key = t.${quoteIdentifier(layout.generatedKey.column)}`,
    );
    return {
      source,
      target: layout.sourceKey.map((_, i) => `m.source_key_${i + 1}::text`),
      unlocated: 'm.target_key IS NULL',
    };
  }
  const plans = writtenColumns(layout.migration);
  const carriers = layout.sourceKey.map((k) =>
    layout.columns.findIndex((c, i) => plans[i]?.from === k.name && plans[i]?.expr === undefined && !c.fixup),
  );
  if (carriers.some((index) => index < 0)) return undefined;
  const carried = carriers.map((index) => columns[index] as ComparedColumn);
  const target = carried.map((c) => c.targetText);
  return {
    source: carried.map((c) => c.sourceText),
    target,
    unlocated: `num_nulls(${target.join(', ')}) > 0`,
    rangeable: carriers.map((index) => {
      const column = layout.columns[index];
      if (column?.ref?.kind === 'mapping') return `j_${column.stage}.source_key_1`;
      return `t.${quoteIdentifier(column?.target ?? '')}`;
    }),
  };
}

/**
 * The target rows of batches with skipped rows: by the key mapping's batch number, or by the batches'
 * key ranges where the key's types order alike on both sides (no collation). Undefined when neither.
 */
function targetSkippedCondition(input: ComparisonInput, identity: Identity | undefined): string | undefined {
  const { layout } = input;
  const batches = input.skippedBatches;
  if (batches.length === 0 || !identity) return undefined;
  if (!identity.rangeable) return `m.batch_no IN (${batches.map((b) => b.batchNo).join(', ')})`;
  const types = layout.sourceKey.map((k) => k.type);
  if (types.some((type) => input.types.collatable(type) || !input.types.onTarget(type))) return undefined;
  const expressions = identity.rangeable.map((e, i) => `${e}::${types[i]}`);
  return anyRange(batches, (range) => rangeOver(expressions, types, range));
}

function anyRange(batches: readonly SkippedBatch[], predicate: (range: KeyRange) => string): string {
  return `(${batches.map((b) => `(${predicate(b.range)})`).join(' OR ')})`;
}

/** Like keyRangePredicate, over expressions instead of the source's columns. */
function rangeOver(expressions: readonly string[], types: readonly string[], range: KeyRange): string {
  const compare = (operator: '>' | '<=', values: readonly string[]) => {
    const literals = values.map((v, i) => `${quoteLiteral(v)}::${types[i]}`);
    return expressions.length === 1
      ? `${expressions[0]} ${operator} ${literals[0]}`
      : `(${expressions.join(', ')}) ${operator} (${literals.join(', ')})`;
  };
  const conditions = [
    ...(range.low === null ? [] : [compare('>', range.low)]),
    ...(range.high === null ? [] : [compare('<=', range.high)]),
  ];
  return conditions.length === 0 ? 'TRUE' : conditions.join(' AND ');
}

function category(cases: readonly string[]): string {
  return cases.length === 0 ? `'compared'` : `CASE ${cases.join(' ')} ELSE 'compared' END`;
}
