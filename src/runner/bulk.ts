// `apply --bulk`: for empty targets, the indexes and foreign keys of the loaded tables are dropped
// before the load and rebuilt after it, with what restores them recorded in `_ferry` by the
// transaction that drops them, so that a crash at any point leaves a restore to finish, never a loss.

import type pg from 'pg';
import { inTransaction } from '../db/transaction.js';
import { errorDiagnostic, FerryError } from '../errors.js';
import { formatQualifiedName } from '../spec/qualified-name.js';
import type { QualifiedName } from '../spec/types.js';
import {
  type DeferredDefinition,
  type DeferredObject,
  readDeferred,
  recordDeferred,
} from '../state/deferred-ddl.js';
import { quoteQualifiedName } from '../util/sql.js';
import { dropOrder, dropSql, QUALIFY_NAMES_SQL, readDeferrable, resolveTables } from './bulk-catalog.js';

export type { DeferredKind, DeferredObject } from '../state/deferred-ddl.js';
export { type RestoreOptions, type RestoreResult, restoreConstraints } from './bulk-restore.js';

/**
 * Throws `apply.bulk-not-empty`, naming every table of `tables` that holds a row. Asks only whether a
 * first row exists, never counts: an answer in constant time however large the table.
 *
 * @example
 * await assertEmptyTargets(target, [{ schema: 'app', name: 'orders' }, { schema: 'app', name: 'tags' }]);
 */
export async function assertEmptyTargets(
  client: pg.ClientBase,
  tables: readonly QualifiedName[],
): Promise<void> {
  if (tables.length === 0) return;
  const sql = tables
    .map(
      (table, i) => `select ${i} as position, exists (select from ${quoteQualifiedName(table)}) as has_rows`,
    )
    .join('\nunion all\n');
  const { rows } = await client.query<{ position: number; has_rows: boolean }>(sql);
  const filled = rows.filter((row) => row.has_rows).map((row) => tables[row.position] as QualifiedName);
  if (filled.length === 0) return;
  throw new FerryError(
    errorDiagnostic(
      'apply.bulk-not-empty',
      `--bulk loads only into empty tables, and ${filled.length === 1 ? 'this one holds' : 'these hold'} rows: ${filled.map(formatQualifiedName).join(', ')}`,
      {
        hint: 'run `ferry apply` without --bulk to load beside the existing rows, or empty the tables first (TRUNCATE) if their rows may go',
      },
    ),
  );
}

/**
 * Drops the indexes, primary keys, unique and exclusion constraints of `tables`, every foreign key on
 * them, and every foreign key of another table that references them (a referenced primary key cannot
 * go while one does), after recording what restores each in `_ferry.deferred_ddl`; all in one
 * transaction, so that either everything is dropped and recorded or nothing is. CHECK and NOT NULL
 * constraints stay: they cost little per row and catch bad rows at once. Returns the records of what
 * it dropped. Runs its own transaction: call it on a client that is not in one.
 *
 * Idempotent: an object a crashed run recorded is gone, so nothing is dropped or recorded twice; one
 * whose restore had begun (an index built, not yet attached as its constraint) is left for the
 * restore to finish.
 *
 * @example
 * const dropped = await deferConstraints(target, { runId, tables: [{ schema: 'app', name: 'orders' }] });
 * // … load the rows …
 * await restoreConstraints(() => connectPostgres(url, 'target'), { parallelism: 4 });
 */
export async function deferConstraints(
  client: pg.ClientBase,
  options: {
    readonly runId: string;
    readonly tables: readonly QualifiedName[];
    /** Runs inside the transaction after the drops, to record more in the same commit. */
    readonly beforeCommit?: (client: pg.ClientBase) => Promise<void>;
  },
): Promise<DeferredObject[]> {
  if (options.tables.length === 0) return [];
  return inTransaction(client, async () => {
    await client.query(QUALIFY_NAMES_SQL);
    const oids = await resolveTables(client, options.tables);
    // Taken at once, so that the objects read next are the objects dropped, and no writer holds a
    // lock the drops would then wait for one table at a time.
    await client.query(
      `LOCK TABLE ${options.tables.map(quoteQualifiedName).join(', ')} IN ACCESS EXCLUSIVE MODE`,
    );
    const found = await readDeferrable(client, oids);
    const recorded = await readDeferred(client);
    const fresh = await recordDeferred(
      client,
      options.runId,
      found.filter((object) => recordOf(object, recorded) === undefined),
    );
    // An object recorded and present again was rebuilt by hand: its record restores it after the load.
    const again = found.flatMap((object) => {
      const record = recordOf(object, recorded);
      return record?.stepsDone === 0 ? [record] : [];
    });
    const dropped = [...fresh, ...again];
    for (const object of dropOrder(dropped)) await client.query(dropSql(object));
    await options.beforeCommit?.(client);
    return dropped;
  });
}

/**
 * The record of the object, matched by table and name within its namespace: a half-restored primary
 * key is still a plain unique index in the catalog, a half-restored foreign key a NOT VALID one.
 */
function recordOf(
  object: DeferredDefinition,
  records: readonly DeferredObject[],
): DeferredObject | undefined {
  const isKey = (o: DeferredDefinition) => o.kind === 'foreign-key';
  return records.find(
    (record) =>
      record.name === object.name &&
      isKey(record) === isKey(object) &&
      record.table.schema === object.table.schema &&
      record.table.name === object.table.name,
  );
}

/**
 * What earlier bulk runs dropped and no restore has rebuilt yet (a crash, or a rebuild the data
 * refused), in restore order. A later `ferry apply`, bulk or not, finishes these first with
 * restoreConstraints. Needs `_ferry` at version 2 or later (upgradeState).
 *
 * @example
 * if ((await pendingRestore(target)).length > 0) await restoreConstraints(connect, { parallelism: 4 });
 */
export function pendingRestore(client: pg.ClientBase): Promise<DeferredObject[]> {
  return readDeferred(client);
}
