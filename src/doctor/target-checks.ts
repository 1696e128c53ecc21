// Doctor's checks of the target (always PostgreSQL): the catalog, ferry's own schema `_ferry`, the
// temporary staging tables, USAGE on the target schemas, what ferry does to the target tables and
// their sequences, ownership for --bulk, the settings, and the space the rows will take.

import type { QualifiedName } from '../spec/types.js';
import { sqlIdentifier } from '../util/sql.js';
import { catalogFinding, schemaUsageFinding } from './catalog-findings.js';
import { grantSql, ownerSql, sqlName } from './grants.js';
import { distinctTables, sequenceAccess, tableAccess } from './privileges.js';
import type { Check, CheckContext } from './run-checks.js';
import { settingChecks } from './server-settings.js';
import { count, type Finding, fail, ok, warn } from './types.js';

/** Privileges ferry uses on a target table: load (INSERT), fix-ups and refreshes, verify, rollback. */
export const TARGET_TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;

function targetTables(context: CheckContext): QualifiedName[] {
  return distinctTables(context.scope.migrations.map((m) => m.to));
}

const STATE_SCHEMA_SQL = `
select n.oid is not null as exists,
       pg_get_userbyid(n.nspowner) as owner,
       coalesce(pg_has_role(n.nspowner, 'USAGE'), false) as owned,
       has_database_privilege(current_database(), 'CREATE') as can_create,
       coalesce(array(
         select json_build_object('name', c.relname, 'kind', c.relkind)::text
         from pg_class c
         where c.relnamespace = n.oid and c.relkind in ('r', 'p', 'v', 'S')
           and not pg_has_role(c.relowner, 'USAGE')
           -- a sequence owned by a column goes with its table
           and not (c.relkind = 'S' and exists (select from pg_depend d
                      where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i')))
         order by c.relname), '{}') as foreign_objects
from (select 1) as one
left join pg_namespace n on n.nspname = '_ferry'`;

/**
 * ferry creates `_ferry` on the first apply (CREATE on the database), then creates tables in it
 * (key mappings, fix-ups) and upgrades its tables: it must own the schema and everything in it.
 */
async function stateSchemaFinding({ session }: CheckContext): Promise<Finding> {
  const row = (
    await session.client.query<{
      exists: boolean;
      owner: string | null;
      owned: boolean;
      can_create: boolean;
      foreign_objects: string[];
    }>(STATE_SCHEMA_SQL)
  ).rows[0];
  if (!row) return fail('the server did not answer about _ferry');
  if (!row.exists) {
    if (row.can_create)
      return ok('_ferry does not exist yet; the first apply creates it (CREATE on the database)');
    return fail(
      `_ferry does not exist, and ${session.user} may not create it: no CREATE on database ${session.database}`,
      [grantSql(['CREATE'], 'DATABASE', sqlIdentifier(session.database), session.user)],
    );
  }
  const objects = row.foreign_objects.map((text) => JSON.parse(text) as { name: string; kind: string });
  if (row.owned && objects.length === 0) return ok(`_ferry exists, owned by ${row.owner}`);
  const fixes = [
    ...(row.owned ? [] : [ownerSql('SCHEMA', '_ferry', session.user)]),
    ...objects.map((o) =>
      ownerSql(
        o.kind === 'v' ? 'VIEW' : o.kind === 'S' ? 'SEQUENCE' : 'TABLE',
        `_ferry.${sqlIdentifier(o.name)}`,
        session.user,
      ),
    ),
  ];
  const what = row.owned
    ? `${count(objects.length, 'object')} in it ${objects.length === 1 ? 'is' : 'are'} not`
    : `it is owned by ${row.owner}, not by ${session.user}`;
  return fail(`_ferry exists, but ${what}: ferry creates tables in it and upgrades them`, fixes);
}

async function temporaryFinding(context: CheckContext): Promise<Finding> {
  const { session } = context;
  const { rows } = await session.client.query<{ temp: boolean }>(
    `select has_database_privilege(current_database(), 'TEMP') as temp`,
  );
  if (rows[0]?.temp) return ok('TEMP on the database (for staging tables)');
  const staged = context.scope.migrations.filter((m) => m.staged).map((m) => m.name);
  if (staged.length === 0) return ok('no TEMP on the database, and no migration needs a staging table');
  return fail(
    `no TEMP on database ${session.database}: the batches of ${staged.join(', ')} go through a temporary staging table`,
    [grantSql(['TEMPORARY'], 'DATABASE', sqlIdentifier(session.database), session.user)],
  );
}

async function tablePrivilegesFinding(context: CheckContext): Promise<Finding> {
  const access = (
    await tableAccess(context.session.client, targetTables(context), TARGET_TABLE_PRIVILEGES)
  ).filter((t) => t.exists);
  const lacking = access.filter((t) => t.missing.length > 0);
  if (lacking.length === 0)
    return ok(`${TARGET_TABLE_PRIVILEGES.join(', ')} on ${count(access.length, 'table')}`);
  return fail(
    lacking.map((t) => `${sqlName(t.table)} lacks ${t.missing.join(', ')}`).join('; '),
    lacking.map((t) => grantSql(t.missing, 'TABLE', sqlName(t.table), context.session.user)),
  );
}

async function sequencesFinding(context: CheckContext): Promise<Finding> {
  const sequences = await sequenceAccess(context.session.client, targetTables(context));
  const lacking = sequences.filter((s) => s.missing.length > 0);
  if (sequences.length === 0) return ok('the target tables draw on no sequence');
  if (lacking.length === 0) {
    return ok(`USAGE, SELECT, UPDATE on ${count(sequences.length, 'sequence')} of the target tables`);
  }
  return fail(
    lacking.map((s) => `${sqlName(s.sequence)} lacks ${s.missing.join(', ')}`).join('; '),
    lacking.map((s) => grantSql(s.missing, 'SEQUENCE', sqlName(s.sequence), context.session.user)),
  );
}

/** --bulk drops and rebuilds the tables' indexes and foreign keys: only an owner may. A warning, as only --bulk needs it. */
async function bulkOwnershipFinding(context: CheckContext): Promise<Finding> {
  const access = (await tableAccess(context.session.client, targetTables(context), [])).filter(
    (t) => t.exists,
  );
  const foreign = access.filter((t) => !t.owned);
  if (foreign.length === 0) return ok(`${context.session.user} owns the target tables (${access.length})`);
  return warn(
    `only for apply --bulk: ${context.session.user} does not own ${foreign.map((t) => `${sqlName(t.table)} (owner ${t.owner})`).join(', ')}`,
    foreign.map((t) => ownerSql('TABLE', sqlName(t.table), context.session.user)),
  );
}

export const TARGET_CHECKS: readonly Check[] = [
  {
    id: 'target.catalog',
    aboutTables: true,
    title: 'target catalog',
    run: (context) => catalogFinding(context, targetTables(context)),
  },
  { id: 'target.state-schema', title: 'target _ferry schema', run: stateSchemaFinding },
  { id: 'target.temp', aboutTables: true, title: 'target temporary tables', run: temporaryFinding },
  {
    id: 'target.schemas',
    aboutTables: true,
    title: 'target schema usage',
    run: (context) => schemaUsageFinding(context, targetTables(context)),
  },
  { id: 'target.tables', aboutTables: true, title: 'target tables writable', run: tablePrivilegesFinding },
  { id: 'target.sequences', aboutTables: true, title: 'target sequences', run: sequencesFinding },
  {
    id: 'target.bulk-owner',
    aboutTables: true,
    title: 'target ownership (--bulk)',
    run: bulkOwnershipFinding,
  },
  ...settingChecks('target'),
];

/**
 * What the load will write, from the source's size. The target's free disk space is not visible
 * over SQL (not even to a superuser, without an extension), so doctor never claims a figure for it.
 */
export function spaceCheck(bytes: number | undefined) {
  const detail =
    bytes === undefined
      ? 'the source did not say how large its tables are; free disk space on the target is not visible over SQL: check it on the server'
      : `about ${formatBytes(bytes)} to write (the source tables with their indexes, as the source measures them), plus WAL while loading; free disk space on the target is not visible over SQL: check it on the server`;
  return { id: 'target.space', title: 'target space', ...ok(detail) };
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
