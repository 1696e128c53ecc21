// The rebuild after a --bulk load, and after a crash at any point of one: every object recorded in
// `_ferry.deferred_ddl` is recreated step by step over several connections, each step committed with
// its progress in the record, so that an interrupted restore resumes where it stopped.

import type pg from 'pg';
import { inTransaction } from '../db/transaction.js';
import { type Diagnostic, errorDiagnostic, FerryError } from '../errors.js';
import { formatQualifiedName } from '../spec/qualified-name.js';
import { completeDeferredStep, type DeferredObject, readDeferred } from '../state/deferred-ddl.js';
import { quoteIdentifier, quoteLiteral, quoteQualifiedName } from '../util/sql.js';
import { QUALIFY_NAMES_SQL } from './bulk-catalog.js';
import { RestoreSchedule, type RestoreStep, sameTable } from './bulk-schedule.js';
import { asViolation, type Violation } from './violation.js';

export interface RestoreOptions {
  /** Connections that rebuild at once; at least 1. */
  readonly parallelism: number;
  /** Called as each object is restored completely. */
  readonly onRestored?: (object: DeferredObject) => void;
}

export interface RestoreResult {
  /** The objects restored by this call, in the order they were completed. */
  readonly restored: readonly DeferredObject[];
}

/**
 * The recorded statements were printed for an empty search_path; the index lands in its recorded
 * tablespace, or the database's default whatever the session's default_tablespace says.
 */
const STEP_SESSION_SQL = `${QUALIFY_NAMES_SQL}, pg_catalog.set_config('default_tablespace', $1, true)`;

const TABLE_BYTES_SQL = `
select coalesce(pg_catalog.pg_relation_size(c.oid), 0)::float8 as bytes
from unnest($1::text[], $2::text[]) with ordinality as wanted (schema, name, position)
left join pg_catalog.pg_namespace n on n.nspname = wanted.schema
left join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relname = wanted.name
order by wanted.position`;

interface Failure {
  readonly object: DeferredObject;
  readonly violation: Violation;
}

/** What the connections of one restore found, besides the steps they ran. */
interface Outcomes {
  readonly restored: DeferredObject[];
  /** Rebuilds the data refused. */
  readonly failures: Failure[];
  /** Foreign keys whose referenced unique index is one of the failures: they wait for it. */
  readonly waiting: DeferredObject[];
  readonly onRestored: ((object: DeferredObject) => void) | undefined;
}

/** invalid_foreign_key: the referenced columns have no unique index, as when its rebuild failed. */
const NO_REFERENCED_KEY = '42830';

/**
 * Recreates every object recorded in `_ferry.deferred_ddl`: indexes, primary keys, unique and exclusion
 * constraints first, up to `parallelism` at once (index builds of one table side by side, since they
 * share their lock), then foreign keys, added NOT VALID and validated, so that the validations of keys
 * into one parent run side by side too. Each step and its progress in the record commit together.
 *
 * A rebuild the data refuses (a duplicate key, an orphan row: SQLSTATE class 23) leaves its record,
 * and so do the foreign keys that need its unique index; the others are restored, then
 * `apply.bulk-restore-failed` names each refusal. Any other error stops the restore once the steps
 * running have finished, and is thrown as it is. Opens its connections with `connect` and closes them.
 *
 * @example
 * const { restored } = await restoreConstraints(() => connectPostgres(url, 'target'), { parallelism: 4 });
 */
export async function restoreConstraints(
  connect: () => Promise<pg.Client>,
  options: RestoreOptions,
): Promise<RestoreResult> {
  const first = await connect();
  const clients = [first];
  try {
    const objects = await largestTablesFirst(first, await readDeferred(first));
    if (objects.length === 0) return { restored: [] };
    const schedule = new RestoreSchedule(objects);
    const outcomes: Outcomes = { restored: [], failures: [], waiting: [], onRestored: options.onRestored };
    let fatal: { readonly error: unknown } | undefined;
    const work = async (client: pg.Client | undefined) => {
      try {
        const own = client ?? (await connect());
        if (own !== first) clients.push(own);
        await runSteps(own, schedule, outcomes);
      } catch (error) {
        fatal ??= { error };
        schedule.stop();
      }
    };
    const count = Math.max(1, Math.min(options.parallelism, objects.length));
    await Promise.all(Array.from({ length: count }, (_, i) => work(i === 0 ? first : undefined)));
    if (fatal) throw fatal.error;
    if (outcomes.failures.length > 0) throw restoreFailed(outcomes);
    if (outcomes.waiting.length > 0) {
      throw new Error(
        `foreign keys lack their referenced unique index: ${outcomes.waiting.map((o) => o.name).join(', ')}`,
      );
    }
    return { restored: outcomes.restored };
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
  }
}

/** One connection's loop: take a step, run it, report it, until the schedule is finished. */
async function runSteps(client: pg.Client, schedule: RestoreSchedule, outcomes: Outcomes): Promise<void> {
  for (;;) {
    const step = schedule.next();
    if (step === 'finished') return;
    if (step === 'wait') {
      await schedule.changed();
      continue;
    }
    const error = await runStep(client, step).then(
      () => undefined,
      (thrown: unknown) => ({ thrown }),
    );
    if (error === undefined) {
      if (!schedule.finish(step, 'done')) continue;
      outcomes.restored.push(step.object);
      outcomes.onRestored?.(step.object);
      continue;
    }
    schedule.finish(step, 'failed');
    const violation = asViolation(error.thrown);
    // Class 22 (a bad value) cannot come from rebuilding over rows the target already accepted.
    if (violation?.sqlstate.startsWith('23')) outcomes.failures.push({ object: step.object, violation });
    else if (sqlState(error.thrown) === NO_REFERENCED_KEY) outcomes.waiting.push(step.object);
    else throw error.thrown;
  }
}

/** One statement of the rebuild, with the comment on its last, and the record's progress. */
async function runStep(client: pg.ClientBase, { object, step }: RestoreStep): Promise<void> {
  await inTransaction(client, async () => {
    await client.query(STEP_SESSION_SQL, [object.tablespace ?? '']);
    await client.query(object.restoreSql[step] as string);
    const last = step === object.restoreSql.length - 1;
    if (last && object.comment !== undefined) await client.query(commentSql(object, object.comment));
    await completeDeferredStep(client, object, step);
  });
}

/** COMMENT takes no parameters: the text goes in as a quoted literal. */
function commentSql(object: DeferredObject, comment: string): string {
  const text = quoteLiteral(comment);
  if (object.kind === 'index') {
    return `COMMENT ON INDEX ${quoteQualifiedName({ schema: object.table.schema, name: object.name })} IS ${text}`;
  }
  return `COMMENT ON CONSTRAINT ${quoteIdentifier(object.name)} ON ${quoteQualifiedName(object.table)} IS ${text}`;
}

/** Orders within each restore order by table size, largest first: the longest builds start first. */
async function largestTablesFirst(
  client: pg.ClientBase,
  objects: readonly DeferredObject[],
): Promise<DeferredObject[]> {
  const { rows } = await client.query<{ bytes: number }>(TABLE_BYTES_SQL, [
    objects.map((o) => o.table.schema),
    objects.map((o) => o.table.name),
  ]);
  const sized = objects.map((object, i) => ({ object, bytes: rows[i]?.bytes ?? 0 }));
  sized.sort(
    (a, b) => a.object.restoreOrder - b.object.restoreOrder || b.bytes - a.bytes || a.object.id - b.object.id,
  );
  return sized.map((s) => s.object);
}

const KIND_NAMES: Readonly<Record<DeferredObject['kind'], string>> = {
  index: 'index',
  'primary-key': 'primary key',
  unique: 'unique constraint',
  exclusion: 'exclusion constraint',
  'foreign-key': 'foreign key',
};

/**
 * One diagnostic per refused rebuild. A foreign key that waits for a failed unique index is named in
 * that failure's hint; one that waits while no index of its table failed is a bug (thrown as such).
 */
function restoreFailed(outcomes: Outcomes): FerryError {
  return new FerryError(outcomes.failures.map((failure) => failureDiagnostic(failure, outcomes.waiting)));
}

function failureDiagnostic(
  { object, violation }: Failure,
  waitingKeys: readonly DeferredObject[],
): Diagnostic {
  const table = formatQualifiedName(object.table);
  const into = object.references ? ` (to ${formatQualifiedName(object.references)})` : '';
  const why = violation.detail ?? violation.message;
  const waiting =
    object.restoreOrder === 1
      ? waitingKeys.filter((fk) => fk.references && sameTable(fk.references, object.table))
      : [];
  const notValid =
    object.kind === 'foreign-key' && object.restoreSql.length > 1 && object.stepsDone === 1
      ? '; it is in place as NOT VALID meanwhile, so new rows are checked'
      : '';
  const alsoWaiting =
    waiting.length > 0 ? `; ${waiting.length} foreign key(s) into ${table} wait for it too` : '';
  return errorDiagnostic(
    'apply.bulk-restore-failed',
    `could not restore the ${KIND_NAMES[object.kind]} "${object.name}" of ${table}${into}: ${why}`,
    {
      hint: `fix or delete the offending rows, then run \`ferry apply\` again: it restores this and everything else still recorded in _ferry.deferred_ddl${notValid}${alsoWaiting}`,
    },
  );
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
