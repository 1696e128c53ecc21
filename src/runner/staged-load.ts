// The staged path of a batch: rows COPYed into a temporary table, then written to the target with
// set-based SQL inside the batch's transaction. Refs are translated by joins on the parents' key
// mappings (or checked against the parents' rows), new keys are drawn once per row and kept in the
// migration's key mapping, and fix-up values are set aside: never a statement per row.

import type pg from 'pg';
import type { OnError } from '../spec/types.js';
import type { CursorWindow } from '../state/types.js';
import { jsonObjectSql, quoteIdentifier, quoteLiteral, quoteQualifiedName } from '../util/sql.js';
import type { BatchLayout } from './batch-layout.js';
import { type RangeSelection, rangeSelectSql, targetValue } from './batch-sql.js';
import { copyBatch } from './copy-batch.js';
import { cursorCondition } from './cursor.js';
import {
  orphanCondition,
  orphanConstraint,
  orphanMessage,
  type RefColumn,
  refJoin,
  refuseOrphans,
} from './orphans.js';

const STAGE = { schema: 'pg_temp', name: 'ferry_stage' };
const STAGE_SQL = quoteQualifiedName(STAGE);

export interface LoadResult {
  /** Rows written to the target. */
  readonly rows: number;
  /** Rows left out because a ref found no migrated parent and onOrphan is skip. */
  readonly skipped: number;
  /** Rows moved to _ferry.migration_rejects (onError: reject). */
  readonly rejected: number;
  /** Rows a refresh wrote again over their earlier version; `rows` counts only the new ones. */
  readonly updated?: number;
}

/** One key range of one migration to write, into the transaction open on `target`. */
export interface RangeLoad {
  readonly layout: BatchLayout;
  readonly source: pg.ClientBase;
  /** Inside the batch's transaction. */
  readonly target: pg.ClientBase;
  readonly range: RangeSelection;
  readonly batchNo: number;
  readonly onError: OnError;
  /** A refresh batch: only the rows changed within this window, written over their earlier version. */
  readonly cursor?: CursorWindow;
}

/**
 * Writes one key range through the staging table. A ref without a migrated parent under onOrphan
 * fail throws a BatchViolation naming its rows (onError pause), or moves them to the rejects
 * (onError reject); other violations surface as the server's errors.
 */
export async function stagedLoad(load: RangeLoad): Promise<LoadResult> {
  const { layout, target } = load;
  await target.query(`DROP TABLE IF EXISTS ${STAGE_SQL}`);
  const refresh = load.cursor !== undefined;
  await target.query(createStageSql(layout, refresh));
  const keyNames = layout.sourceKey.map((_, i) => `k${i + 1}`);
  const { rows: staged } = await copyBatch({
    source: load.source,
    target,
    selectSql: rangeSelectSql(
      layout,
      load.range,
      [
        ...layout.sourceKey.map((column) => quoteIdentifier(column.name)),
        ...layout.columns.map((column) => targetValue(column.source, column.type, load.source === target)),
      ],
      load.cursor && layout.cursor ? [cursorCondition(layout.cursor, load.cursor)] : [],
    ),
    targetTable: STAGE,
    targetColumns: [...keyNames, ...layout.columns.map((column) => column.stage)],
  });
  const rejected = await settleOrphans(load);
  const { rows, updated } = refresh
    ? await refreshRows(target, layout)
    : { rows: await insertRows(target, layout), updated: 0 };
  if (layout.mappingTable && layout.generatedKey) {
    const keys = keyNames.map((_, i) => `source_key_${i + 1}`).join(', ');
    await target.query(
      `INSERT INTO ${quoteQualifiedName(layout.mappingTable)} (${keys}, target_key, batch_no) ` +
        `SELECT ${keyNames.join(', ')}, new_key, $1 FROM ${STAGE_SQL}${refresh ? ' WHERE NOT existing' : ''}`,
      [load.batchNo],
    );
  }
  if (layout.fixupTable) await saveFixupValues(target, layout, load.batchNo);
  await target.query(`DROP TABLE ${STAGE_SQL}`);
  return { rows, skipped: staged - rows - updated - rejected, rejected, ...(refresh ? { updated } : {}) };
}

function createStageSql(layout: BatchLayout, refresh: boolean): string {
  // Types are printed by the server (format_type), so they are safe to splice.
  const columns = [
    ...layout.sourceKey.map((column, i) => `k${i + 1} ${column.type}`),
    ...layout.columns.map((column) => `${column.stage} ${column.type}`),
  ];
  // The default draws each row's new key during the COPY, in source key order.
  if (layout.generatedKey)
    columns.push(`new_key ${layout.generatedKey.type} DEFAULT ${layout.generatedKey.next}`);
  // A refresh marks the staged rows that are in the target already: they are updated, not inserted.
  if (refresh) columns.push('existing boolean NOT NULL DEFAULT false');
  return `CREATE TEMP TABLE ${STAGE.name} (${columns.join(', ')}) ON COMMIT DROP`;
}

/** The refs checked at load time: fix-up columns are translated later, by the fix-up step. */
function loadedRefs(layout: BatchLayout): RefColumn[] {
  return layout.columns.filter((c): c is RefColumn => !!c.ref && !c.fixup);
}

/** Applies onOrphan to the staged rows; returns how many were rejected. */
async function settleOrphans(load: RangeLoad): Promise<number> {
  const { layout, target } = load;
  const refs = loadedRefs(layout);
  if (refs.length === 0 || layout.onOrphan === 'null') return 0;
  const anyOrphan = refs.map((c) => `(${orphanCondition('s', c.stage, c.ref)})`).join(' OR ');
  if (layout.onOrphan === 'skip') {
    await target.query(`DELETE FROM ${STAGE_SQL} s WHERE ${anyOrphan}`);
    return 0;
  }
  if (load.onError === 'reject') {
    const result = await target.query(rejectOrphansSql(layout, refs), [layout.migration.name, load.batchNo]);
    await target.query(`DELETE FROM ${STAGE_SQL} s WHERE ${anyOrphan}`);
    return result.rowCount ?? 0;
  }
  await refuseOrphans(
    target,
    { table: `${STAGE_SQL}`, keyColumns: layout.sourceKey.map((_, i) => `k${i + 1}`), refs },
    `\`${layout.migration.name}\``,
  );
  return 0;
}

/** One reject per orphaned row, naming its first orphaned ref; the row as ferry mapped it. */
function rejectOrphansSql(layout: BatchLayout, refs: readonly RefColumn[]): string {
  const key = layout.sourceKey.map((_, i) => `s.k${i + 1}::text`).join(', ');
  const mapped = jsonObjectSql(layout.columns.map((c) => [quoteLiteral(c.target), `s.${c.stage}`]));
  const which = (pick: (c: RefColumn) => string) =>
    `CASE ${refs.map((c) => `WHEN ${orphanCondition('s', c.stage, c.ref)} THEN ${pick(c)}`).join(' ')} END`;
  const detail = which(
    (c) =>
      `'Key (' || ${quoteLiteral(c.target)} || ')=(' || s.${c.stage}::text || ') is not among the migrated rows of ' || ${quoteLiteral(c.ref.parent)} || '.'`,
  );
  return (
    `INSERT INTO _ferry.migration_rejects (migration, batch_no, source_key, row, sqlstate, constraint_name, message, detail) ` +
    `SELECT $1, $2, to_jsonb(ARRAY[${key}]), ${mapped}, '23503', ` +
    `${which((c) => quoteLiteral(orphanConstraint(c.target, c.ref.parent)))}, ` +
    `${which((c) => quoteLiteral(orphanMessage(c.target, c.ref.parent)))}, ${detail} ` +
    `FROM ${STAGE_SQL} s WHERE ${refs.map((c) => `(${orphanCondition('s', c.stage, c.ref)})`).join(' OR ')} ORDER BY ${layout.sourceKey.map((_, i) => `s.k${i + 1}`).join(', ')}`
  );
}

/** The staged rows into the target, refs translated by joins; returns the rows written. */
async function insertRows(target: pg.ClientBase, layout: BatchLayout, only = ''): Promise<number> {
  const { columns, values, joins } = targetValues(layout);
  if (layout.generatedKey) {
    columns.unshift(quoteIdentifier(layout.generatedKey.column));
    values.unshift('s.new_key');
  }
  const overriding = layout.overridingSystemValue ? ' OVERRIDING SYSTEM VALUE' : '';
  const order = layout.sourceKey.map((_, i) => `s.k${i + 1}`).join(', ');
  const result = await target.query(
    `INSERT INTO ${quoteQualifiedName(layout.migration.to)} (${columns.join(', ')})${overriding} ` +
      `SELECT ${values.join(', ')} FROM ${STAGE_SQL} s ${joins.join(' ')}${only} ORDER BY ${order}`,
  );
  return result.rowCount ?? 0;
}

/**
 * A refresh batch's staged rows over their earlier version: generated keys find it through the key
 * mapping (rows without one are inserted with a new key, as a load would), kept keys upsert on the
 * target's primary key. Fix-up columns are written NULL and filled in again by the fix-up step.
 */
async function refreshRows(
  target: pg.ClientBase,
  layout: BatchLayout,
): Promise<{ readonly rows: number; readonly updated: number }> {
  const { columns, values, joins } = targetValues(layout);
  const to = quoteQualifiedName(layout.migration.to);
  if (layout.generatedKey && layout.mappingTable) {
    const match = layout.sourceKey.map((_, i) => `m.source_key_${i + 1} = s.k${i + 1}`).join(' AND ');
    await target.query(
      `UPDATE ${STAGE_SQL} s SET new_key = m.target_key, existing = true ` +
        `FROM ${quoteQualifiedName(layout.mappingTable)} m WHERE ${match}`,
    );
    const sets = columns.map((column, i) => `${column} = ${values[i]}`);
    const updated = await target.query(
      `UPDATE ${to} t SET ${sets.join(', ')} FROM ${STAGE_SQL} s ${joins.join(' ')} ` +
        `WHERE s.existing AND t.${quoteIdentifier(layout.generatedKey.column)} = s.new_key`,
    );
    const rows = await insertRows(target, layout, ' WHERE NOT s.existing');
    return { rows, updated: updated.rowCount ?? 0 };
  }
  const conflict = (layout.conflictKey ?? []).map(quoteIdentifier);
  const sets = columns.filter((c) => !conflict.includes(c)).map((c) => `${c} = EXCLUDED.${c}`);
  const order = layout.sourceKey.map((_, i) => `s.k${i + 1}`).join(', ');
  // xmax is 0 only on a row version this statement inserted; an updated one carries its own xid.
  const { rows } = await target.query<{ inserted: number; updated: number }>(
    `WITH written AS (INSERT INTO ${to} (${columns.join(', ')})${layout.overridingSystemValue ? ' OVERRIDING SYSTEM VALUE' : ''} ` +
      `SELECT ${values.join(', ')} FROM ${STAGE_SQL} s ${joins.join(' ')} ORDER BY ${order} ` +
      `ON CONFLICT (${conflict.join(', ')}) DO ${sets.length === 0 ? 'NOTHING' : `UPDATE SET ${sets.join(', ')}`} ` +
      'RETURNING (xmax = 0) AS inserted) ' +
      'SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM written',
  );
  return { rows: rows[0]?.inserted ?? 0, updated: rows[0]?.updated ?? 0 };
}

/** Each written target column and its value over the staged row `s`, refs translated by joins. */
function targetValues(layout: BatchLayout): { columns: string[]; values: string[]; joins: string[] } {
  const columns: string[] = [];
  const values: string[] = [];
  const joins: string[] = [];
  for (const column of layout.columns) {
    columns.push(quoteIdentifier(column.target));
    if (column.fixup) values.push('NULL');
    else if (!column.ref) values.push(`s.${column.stage}`);
    else {
      const translated = refJoin('s', column.stage, column.ref);
      joins.push(translated.join);
      values.push(translated.value);
    }
  }
  return { columns, values, joins };
}

async function saveFixupValues(target: pg.ClientBase, layout: BatchLayout, batchNo: number): Promise<void> {
  const fixups = layout.columns.filter((c) => c.fixup);
  const keys = [
    ...layout.targetKey.map((_, i) => `target_key_${i + 1}`),
    ...layout.sourceKey.map((_, i) => `source_key_${i + 1}`),
  ];
  const keyValues = [
    ...layout.targetKey.map((k) => `s.${k.stage}`),
    ...layout.sourceKey.map((_, i) => `s.k${i + 1}`),
  ];
  const present = fixups.map((c) => `s.${c.stage} IS NOT NULL`).join(' OR ');
  await target.query(
    `INSERT INTO ${quoteQualifiedName(layout.fixupTable as NonNullable<BatchLayout['fixupTable']>)} ` +
      `(${[...keys, ...fixups.map((c) => c.stage)].join(', ')}, batch_no) ` +
      `SELECT ${[...keyValues, ...fixups.map((c) => `s.${c.stage}`)].join(', ')}, $1 ` +
      `FROM ${STAGE_SQL} s WHERE ${present}`,
    [batchNo],
  );
}
