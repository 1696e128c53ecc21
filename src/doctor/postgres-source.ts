// Doctor's checks of a PostgreSQL source: connection, version and TLS, the catalog ferry introspects,
// USAGE on the schemas and SELECT on the tables it reads, the settings, and the tables' size.

import type { QualifiedName } from '../spec/types.js';
import { catalogFinding, schemaUsageFinding } from './catalog-findings.js';
import { openSide } from './connection.js';
import { grantSql, sqlName } from './grants.js';
import { distinctTables, tableAccess } from './privileges.js';
import { type Check, type CheckContext, runChecks } from './run-checks.js';
import { settingChecks } from './server-settings.js';
import type { SourceDialect } from './source-dialect.js';
import { count, fail, ok } from './types.js';

function sourceTables(context: CheckContext): QualifiedName[] {
  return distinctTables(context.scope.migrations.map((m) => m.from));
}

const SOURCE_CHECKS: readonly Check[] = [
  {
    id: 'source.catalog',
    aboutTables: true,
    title: 'source catalog',
    run: (context) => catalogFinding(context, sourceTables(context)),
  },
  {
    id: 'source.schemas',
    aboutTables: true,
    title: 'source schema usage',
    run: (context) => schemaUsageFinding(context, sourceTables(context)),
  },
  {
    id: 'source.tables',
    aboutTables: true,
    title: 'source tables readable',
    run: async (context) => {
      const tables = sourceTables(context);
      const access = (await tableAccess(context.session.client, tables, ['SELECT'])).filter((t) => t.exists);
      const lacking = access.filter((t) => t.missing.length > 0);
      if (lacking.length === 0) return ok(`SELECT on ${count(access.length, 'table')}`);
      return fail(
        `no SELECT on ${lacking.map((t) => sqlName(t.table)).join(', ')}`,
        lacking.map((t) => grantSql(['SELECT'], 'TABLE', sqlName(t.table), context.session.user)),
      );
    },
  },
  ...settingChecks('source'),
];

const SIZE_SQL = `
select coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint as bytes
from unnest($1::text[], $2::text[]) as t (schema, name)
join pg_namespace n on n.nspname = t.schema
join pg_class c on c.relnamespace = n.oid and c.relname = t.name`;

export const postgresSource: SourceDialect = {
  engine: 'postgres',
  async check(url, scope) {
    const opened = await openSide('source', url, scope);
    if (!opened.session) return { checks: opened.checks };
    const context = { session: opened.session, scope };
    try {
      const checks = [...opened.checks, ...(await runChecks(SOURCE_CHECKS, context))];
      const tables = sourceTables(context);
      const size = await opened.session.client
        .query<{ bytes: string }>(SIZE_SQL, [tables.map((t) => t.schema), tables.map((t) => t.name)])
        .then((result) => Number(result.rows[0]?.bytes ?? 0))
        .catch(() => undefined);
      return size === undefined ? { checks } : { checks, bytes: size };
    } finally {
      await opened.session.client.end().catch(() => {});
    }
  },
};
