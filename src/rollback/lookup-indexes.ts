// Deleting a parent row makes PostgreSQL look for rows that reference it, one lookup per deleted row
// per foreign key. Without an index on the referencing columns each lookup scans the whole child
// table, including the rows this rollback already deleted from it: a rollback of 100,000 case files
// over an unindexed orders table took minutes instead of seconds. So, for the length of the rollback's
// transaction, such foreign keys get an index of their own; it is dropped before the transaction ends
// and never outlives it.

import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { QualifiedName } from '../spec/types.js';
import { quoteIdentifier, quoteQualifiedName } from '../util/sql.js';

/** Foreign keys into $1 whose referencing columns lead no index of the referencing table. */
const UNINDEXED_SQL = `
select n.nspname as schema,
       r.relname as table,
       array(select a.attname::text
               from unnest(c.conkey) with ordinality as k (attnum, position)
               join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
              order by k.position) as columns
from pg_constraint c
join pg_class r on r.oid = c.conrelid
join pg_namespace n on n.oid = r.relnamespace
where c.contype = 'f'
  and c.confrelid = $1::regclass
  and r.relkind = 'r'
  and not exists (
    select from pg_index x
    where x.indrelid = c.conrelid
      and (select array_agg(k order by k)
             from unnest((x.indkey::int2[])[0:cardinality(c.conkey) - 1]) as k)
        = (select array_agg(k order by k) from unnest(c.conkey) as k)
  )`;

interface UnindexedKey {
  readonly schema: string;
  readonly table: string;
  readonly columns: string[];
}

/** The indexes made for one rollback, to drop before its transaction ends. */
export class LookupIndexes {
  private readonly made: QualifiedName[] = [];

  /**
   * Indexes the referencing columns of every foreign key into `table` that has none. A role that
   * may not create one (it does not own the child table) goes on without: slower, still correct.
   * Inside the rollback's transaction.
   */
  async coverReferencesTo(client: pg.ClientBase, table: QualifiedName): Promise<void> {
    const { rows } = await client.query<UnindexedKey>(UNINDEXED_SQL, [quoteQualifiedName(table)]);
    for (const key of rows) {
      const index = { schema: key.schema, name: `ferry_rollback_${randomBytes(4).toString('hex')}` };
      await client.query('SAVEPOINT ferry_lookup_index');
      try {
        await client.query(
          `CREATE INDEX ${quoteIdentifier(index.name)} ON ${quoteQualifiedName({ schema: key.schema, name: key.table })} (${key.columns.map(quoteIdentifier).join(', ')})`,
        );
        await client.query('RELEASE SAVEPOINT ferry_lookup_index');
        this.made.push(index);
      } catch {
        await client.query('ROLLBACK TO SAVEPOINT ferry_lookup_index');
      }
    }
  }

  /** Drops what coverReferencesTo made; before COMMIT, so that the target keeps its own indexes only. */
  async dropAll(client: pg.ClientBase): Promise<void> {
    for (const index of this.made.splice(0)) await client.query(`DROP INDEX ${quoteQualifiedName(index)}`);
  }
}
