// The record of what `apply --bulk` dropped, in `_ferry.deferred_ddl`: written in the transaction that
// drops the objects, advanced step by step as they are rebuilt, deleted with the last step's commit.

import type pg from 'pg';
import type { QualifiedName } from '../spec/types.js';

export const DEFERRED_KINDS = ['index', 'primary-key', 'unique', 'exclusion', 'foreign-key'] as const;
export type DeferredKind = (typeof DEFERRED_KINDS)[number];

/** An object to drop, as read from the catalog, with what restores it. */
export interface DeferredDefinition {
  readonly table: QualifiedName;
  readonly kind: DeferredKind;
  /** The constraint's name, or the index's for a plain index. */
  readonly name: string;
  /** The table a foreign key references. */
  readonly references?: QualifiedName;
  /** Statements that recreate the object, in order; each commits on its own. */
  readonly restoreSql: readonly string[];
  /** The index's tablespace, when not the database's default. */
  readonly tablespace?: string;
  readonly comment?: string;
  /** 1: indexes and the constraints they back; 2: foreign keys. */
  readonly restoreOrder: 1 | 2;
}

/** A recorded object: dropped and not restored yet, or restored up to `stepsDone` statements. */
export interface DeferredObject extends DeferredDefinition {
  readonly id: number;
  readonly runId: string;
  readonly stepsDone: number;
  readonly recordedAt: Date;
}

interface DeferredRow {
  readonly id: string;
  readonly run_id: string;
  readonly table_schema: string;
  readonly table_name: string;
  readonly kind: DeferredKind;
  readonly object_name: string;
  readonly referenced_schema: string | null;
  readonly referenced_name: string | null;
  readonly restore_sql: string[];
  readonly steps_done: number;
  readonly tablespace: string | null;
  readonly comment: string | null;
  readonly restore_order: 1 | 2;
  readonly recorded_at: Date;
}

const COLUMNS = `id, run_id, table_schema, table_name, kind, object_name, referenced_schema, referenced_name,
       restore_sql, steps_done, tablespace, comment, restore_order, recorded_at`;

/** $2 is a JSON array of definitions; an object recorded already keeps its record. */
const RECORD_SQL = `
insert into _ferry.deferred_ddl (run_id, table_schema, table_name, kind, object_name, referenced_schema,
                                 referenced_name, restore_sql, tablespace, comment, restore_order)
select $1, d.table_schema, d.table_name, d.kind, d.object_name, d.referenced_schema, d.referenced_name,
       array(select jsonb_array_elements_text(d.restore_sql)), d.tablespace, d.comment, d.restore_order
from jsonb_to_recordset($2::jsonb) as d (table_schema text, table_name text, kind text, object_name text,
                                         referenced_schema text, referenced_name text, restore_sql jsonb,
                                         tablespace text, comment text, restore_order int)
on conflict on constraint deferred_ddl_object do nothing
returning ${COLUMNS}`;

const PENDING_SQL = `
select ${COLUMNS}
from _ferry.deferred_ddl
order by restore_order, id`;

/** Guarded by the step, so that a step two processes ran at once cannot be counted twice. */
const ADVANCE_SQL = `
update _ferry.deferred_ddl
set steps_done = steps_done + 1
where id = $1 and steps_done = $2`;

const FORGET_SQL = 'delete from _ferry.deferred_ddl where id = $1 and steps_done = $2';

/**
 * Records `definitions` as dropped by run `runId` and returns the new records; an object recorded
 * already is left with its record. Call it inside the transaction that drops them.
 *
 * @example
 * const records = await recordDeferred(client, runId, definitions);
 */
export async function recordDeferred(
  client: pg.ClientBase,
  runId: string,
  definitions: readonly DeferredDefinition[],
): Promise<DeferredObject[]> {
  if (definitions.length === 0) return [];
  const rows = definitions.map((d) => ({
    table_schema: d.table.schema,
    table_name: d.table.name,
    kind: d.kind,
    object_name: d.name,
    referenced_schema: d.references?.schema ?? null,
    referenced_name: d.references?.name ?? null,
    restore_sql: d.restoreSql,
    tablespace: d.tablespace ?? null,
    comment: d.comment ?? null,
    restore_order: d.restoreOrder,
  }));
  const { rows: recorded } = await client.query<DeferredRow>(RECORD_SQL, [runId, JSON.stringify(rows)]);
  return recorded.map(toDeferredObject).sort((a, b) => a.restoreOrder - b.restoreOrder || a.id - b.id);
}

/**
 * Every recorded object not restored yet, in restore order: indexes and their constraints, then
 * foreign keys. Reads only; needs `_ferry` at version 2 or later (upgradeState).
 *
 * @example
 * const pending = await readDeferred(client);
 * if (pending.length > 0) console.log(`${pending.length} objects wait to be restored`);
 */
export async function readDeferred(client: pg.ClientBase): Promise<DeferredObject[]> {
  const { rows } = await client.query<DeferredRow>(PENDING_SQL);
  return rows.map(toDeferredObject);
}

/**
 * Counts step `step` (0-based) of the object's restore as done, or, for its last step, deletes the
 * record. Call it in the transaction that ran the step, so that both commit together. Throws when the
 * record is not at that step any more: another process restored it meanwhile.
 */
export async function completeDeferredStep(
  client: pg.ClientBase,
  object: DeferredObject,
  step: number,
): Promise<void> {
  const last = step === object.restoreSql.length - 1;
  const result = await client.query(last ? FORGET_SQL : ADVANCE_SQL, [object.id, step]);
  if (result.rowCount === 1) return;
  throw new Error(
    `the record of ${object.kind} "${object.name}" in _ferry.deferred_ddl changed during its restore`,
  );
}

function toDeferredObject(row: DeferredRow): DeferredObject {
  return {
    id: Number(row.id),
    runId: row.run_id,
    table: { schema: row.table_schema, name: row.table_name },
    kind: row.kind,
    name: row.object_name,
    ...(row.referenced_name === null
      ? {}
      : { references: { schema: row.referenced_schema ?? '', name: row.referenced_name } }),
    restoreSql: row.restore_sql,
    ...(row.tablespace === null ? {} : { tablespace: row.tablespace }),
    ...(row.comment === null ? {} : { comment: row.comment }),
    restoreOrder: row.restore_order,
    stepsDone: row.steps_done,
    recordedAt: row.recorded_at,
  };
}
