// `ferry state drop`: the `_ferry` schema removed from the target once a migration project is over,
// under the run lock so that it never goes while an apply, rollback or finalize is using it. Without
// confirmation it only says what it would drop.

import type pg from 'pg';
import { inTransaction } from '../db/transaction.js';
import { errorDiagnostic, FerryError } from '../errors.js';
import { quoteIdentifier } from '../util/sql.js';
import { withRunLock } from './run-lock.js';
import { stateVersion } from './version.js';

export interface StateObject {
  readonly name: string;
  readonly kind: 'table' | 'view';
  /** Exact row count of a table; null for a view (its rows are the tables'). */
  readonly rows: number | null;
}

export interface StateContents {
  /** The `_ferry` schema's version (0 when it holds none). */
  readonly version: number;
  /** By name. */
  readonly objects: readonly StateObject[];
}

const OBJECTS_SQL = `
select c.relname as name, case when c.relkind in ('v', 'm') then 'view' else 'table' end as kind
from pg_class c
where c.relnamespace = '_ferry'::regnamespace and c.relkind in ('r', 'p', 'v', 'm')
order by c.relname`;

/**
 * Objects outside `_ferry` that depend on a relation inside it (a view, a foreign key, a trigger):
 * DROP SCHEMA … CASCADE would drop them too, and they are not ferry's to drop.
 */
const OUTSIDE_DEPENDENTS_SQL = `
with ferry as (select oid from pg_class where relnamespace = '_ferry'::regnamespace),
dependents as (
  select d.classid, d.objid, d.objsubid,
         case d.classid
           when 'pg_rewrite'::regclass then (select r.ev_class from pg_rewrite r where r.oid = d.objid)
           when 'pg_constraint'::regclass then (select c.conrelid from pg_constraint c where c.oid = d.objid)
           when 'pg_trigger'::regclass then (select t.tgrelid from pg_trigger t where t.oid = d.objid)
           when 'pg_attrdef'::regclass then (select a.adrelid from pg_attrdef a where a.oid = d.objid)
           when 'pg_class'::regclass then d.objid
         end as relation
  from pg_depend d
  where d.refclassid = 'pg_class'::regclass and d.refobjid in (select oid from ferry) and d.deptype = 'n'
)
select distinct pg_describe_object(classid, objid, objsubid) as object
from dependents
where relation is null or relation not in (select oid from ferry)
order by 1`;

const PENDING_RESTORE_SQL = `
select count(*)::int as pending, coalesce(string_agg(distinct format('%I.%I', table_schema, table_name), ', '), '') as tables
from _ferry.deferred_ddl`;

/**
 * What `_ferry` holds: each table with its exact row count, and its views; undefined when the target
 * has no `_ferry` schema. Reads only.
 *
 * @example
 * const contents = await readStateContents(client);
 * for (const o of contents?.objects ?? []) console.log(o.name, o.rows);
 */
export async function readStateContents(client: pg.ClientBase): Promise<StateContents | undefined> {
  const version = await stateVersion(client);
  if (version === undefined) return undefined;
  const { rows } = await client.query<{ name: string; kind: 'table' | 'view' }>(OBJECTS_SQL);
  const tables = rows.filter((row) => row.kind === 'table');
  const counts = new Map<string, number>();
  if (tables.length > 0) {
    const { rows: counted } = await client.query<{ name: string; rows: number }>(
      tables
        .map(
          (table, i) =>
            `select $${i + 1}::text as name, count(*)::float8 as rows from _ferry.${quoteIdentifier(table.name)}`,
        )
        .join(' union all '),
      tables.map((table) => table.name),
    );
    for (const row of counted) counts.set(row.name, row.rows);
  }
  return {
    version,
    objects: rows.map((row) => ({ ...row, rows: row.kind === 'table' ? (counts.get(row.name) ?? 0) : null })),
  };
}

/**
 * Drops the `_ferry` schema with everything in it (state, key mappings, logs) and returns what it
 * held; undefined when there was none. Takes the run lock (`state.locked` while an apply, rollback
 * or finalize runs). Refuses with `state.drop-bulk-pending` while a bulk load's dropped keys and
 * indexes wait to be rebuilt (their only record is in `_ferry`), and with `state.drop-dependents`
 * when objects outside `_ferry` depend on it.
 *
 * @example
 * const dropped = await dropState(client);
 * if (dropped) console.log(`dropped ${dropped.objects.length} objects`);
 */
export async function dropState(client: pg.ClientBase): Promise<StateContents | undefined> {
  return withRunLock(client, 'apply', async () => {
    const contents = await readStateContents(client);
    if (!contents) return undefined;
    await refusePendingRestore(client, contents);
    await refuseOutsideDependents(client);
    await inTransaction(client, async () => {
      await client.query('DROP SCHEMA _ferry CASCADE');
    });
    return contents;
  });
}

async function refusePendingRestore(client: pg.ClientBase, contents: StateContents): Promise<void> {
  if (!contents.objects.some((o) => o.name === 'deferred_ddl')) return;
  const { rows } = await client.query<{ pending: number; tables: string }>(PENDING_RESTORE_SQL);
  const found = rows[0];
  if (!found || found.pending === 0) return;
  throw new FerryError(
    errorDiagnostic(
      'state.drop-bulk-pending',
      `a bulk load left ${found.pending} key(s), index(es) or foreign key(s) of ${found.tables} dropped, and _ferry holds the only record of them`,
      {
        hint: 'run `ferry apply` to rebuild them first (it finishes the bulk load), then drop the state',
      },
    ),
  );
}

async function refuseOutsideDependents(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query<{ object: string }>(OUTSIDE_DEPENDENTS_SQL);
  if (rows.length === 0) return;
  throw new FerryError(
    errorDiagnostic(
      'state.drop-dependents',
      `objects outside _ferry depend on it and would be dropped with it: ${rows.map((r) => r.object).join(', ')}`,
      {
        hint: 'drop them or make them independent of _ferry (copy what they read out of it first), then drop the state',
      },
    ),
  );
}
