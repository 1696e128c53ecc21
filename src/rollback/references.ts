// Before a rollback deletes a table's rows: no row it leaves behind may reference one it deletes.
// Every foreign key that points at the table counts (from any schema, self-references included),
// whatever its ON DELETE: NO ACTION would fail the DELETE, but CASCADE and SET NULL would silently
// delete or change rows ferry did not write.

import type pg from 'pg';
import { errorDiagnostic, FerryError } from '../errors.js';
import { quoteIdentifier, quoteQualifiedName } from '../util/sql.js';
import type { OwnedRows } from './owned-rows.js';

/** How many referencing rows an error names; one more is read to know that there are more. */
export const REFERENCING_ROWS_SHOWN = 20;

/** The foreign keys that reference $1 (a quoted table name), with the referencing table's primary key. */
const REFERENCING_KEYS_SQL = `
select c.conname as name,
       n.nspname as schema,
       r.relname as table,
       array(select a.attname::text
               from unnest(c.conkey) with ordinality as k (attnum, position)
               join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
              order by k.position) as columns,
       array(select a.attname::text
               from unnest(c.confkey) with ordinality as k (attnum, position)
               join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum
              order by k.position) as referenced,
       array(select a.attname::text
               from pg_index x
               cross join lateral unnest(x.indkey::int2[]) with ordinality as k (attnum, position)
               join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum
              where x.indrelid = c.conrelid and x.indisprimary
              order by k.position) as primary_key,
       c.confdeltype as on_delete
from pg_constraint c
join pg_class r on r.oid = c.conrelid
join pg_namespace n on n.oid = r.relnamespace
where c.contype = 'f'
  and c.confrelid = $1::regclass
  and c.conparentid = 0
order by n.nspname, r.relname, c.conname`;

interface ReferencingKey {
  readonly name: string;
  readonly schema: string;
  readonly table: string;
  readonly columns: string[];
  readonly referenced: string[];
  readonly primary_key: string[];
  readonly on_delete: string;
}

interface ReferencingRow {
  readonly key: (string | null)[];
  readonly refs: (string | null)[];
}

const ON_DELETE: Readonly<Record<string, string>> = {
  a: 'ON DELETE NO ACTION',
  r: 'ON DELETE RESTRICT',
  c: 'ON DELETE CASCADE, which would delete them too',
  n: 'ON DELETE SET NULL, which would clear their reference',
  d: 'ON DELETE SET DEFAULT, which would change their reference',
};

export interface ReferenceContext {
  /** Migrations by the quoted name of their target table, to say whose rows reference. */
  readonly owners: ReadonlyMap<string, string>;
  /** The migrations this rollback takes back. */
  readonly selected: ReadonlySet<string>;
}

/**
 * Throws `rollback.referenced` when a row that stays (in any table, `owned.table` included) references
 * a row of `owned` through a foreign key. Rows deleted earlier in the same transaction are gone, so
 * call it in the rollback's transaction right before the table's DELETE.
 *
 * @example
 * await assertNotReferenced(target, owned, { owners, selected });
 * await target.query(`DELETE FROM ${quoteQualifiedName(owned.table)} AS t WHERE ${owned.condition('t')}`);
 */
export async function assertNotReferenced(
  client: pg.ClientBase,
  owned: OwnedRows,
  context: ReferenceContext,
): Promise<void> {
  const { rows: keys } = await client.query<ReferencingKey>(REFERENCING_KEYS_SQL, [
    quoteQualifiedName(owned.table),
  ]);
  for (const key of keys) {
    const { rows } = await client.query<ReferencingRow>(referencingRowsSql(owned, key));
    if (rows.length > 0) throw referencedError(owned, key, rows, context);
  }
}

/** The rows through `key` that point at rows of `owned` and are not among them themselves. */
function referencingRowsSql(owned: OwnedRows, key: ReferencingKey): string {
  const referencing = quoteQualifiedName({ schema: key.schema, name: key.table });
  const self = referencing === quoteQualifiedName(owned.table);
  const identity = key.primary_key.length > 0 ? key.primary_key : key.columns;
  const text = (alias: string, columns: readonly string[]) =>
    `ARRAY[${columns.map((c) => `${alias}.${quoteIdentifier(c)}::text`).join(', ')}]`;
  const matches = key.columns.map(
    (column, index) => `t.${quoteIdentifier(key.referenced[index] as string)} = r.${quoteIdentifier(column)}`,
  );
  const stays = self ? ` AND NOT coalesce(${owned.condition('r')}, false)` : '';
  return (
    `SELECT ${text('r', identity)} AS key, ${text('r', key.columns)} AS refs FROM ${referencing} AS r ` +
    `WHERE EXISTS (SELECT FROM ${quoteQualifiedName(owned.table)} AS t WHERE ${owned.condition('t')} AND ${matches.join(' AND ')})` +
    `${stays} ORDER BY ${identity.map((c) => `r.${quoteIdentifier(c)}`).join(', ')} LIMIT ${REFERENCING_ROWS_SHOWN + 1}`
  );
}

function referencedError(
  owned: OwnedRows,
  key: ReferencingKey,
  rows: readonly ReferencingRow[],
  context: ReferenceContext,
): FerryError {
  const referencing = quoteQualifiedName({ schema: key.schema, name: key.table });
  const identity = key.primary_key.length > 0 ? key.primary_key : key.columns;
  const shown = rows.slice(0, REFERENCING_ROWS_SHOWN).map((row) => {
    const id = `(${identity.join(', ')})=(${row.key.map(printed).join(', ')})`;
    return key.primary_key.length > 0
      ? `${id} → (${key.columns.join(', ')})=(${row.refs.map(printed).join(', ')})`
      : id;
  });
  const more = rows.length > REFERENCING_ROWS_SHOWN ? '\n    and more' : '';
  const action = ON_DELETE[key.on_delete] ?? 'ON DELETE NO ACTION';
  return new FerryError(
    errorDiagnostic(
      'rollback.referenced',
      `cannot roll back \`${owned.migration}\`: rows of ${referencing} that this rollback leaves in place reference rows of ${quoteQualifiedName(owned.table)} it would delete, through foreign key ${quoteIdentifier(key.name)} (${action}):\n    ${shown.join('\n    ')}${more}`,
      { hint: `${remedy(owned, referencing, context)}; nothing was rolled back` },
    ),
  );
}

function remedy(owned: OwnedRows, referencing: string, context: ReferenceContext): string {
  const owner = context.owners.get(referencing);
  if (owner !== undefined && !context.selected.has(owner)) {
    return `roll back \`${owner}\` in the same run: \`ferry rollback --select ${owned.migration}+\` (or add ${owner} to --select); rows ferry did not write must be deleted or pointed elsewhere first`;
  }
  return 'ferry did not write those rows: delete them or point them at other rows first, or leave this migration out of the rollback';
}

function printed(value: string | null): string {
  return value === null ? 'null' : value;
}
