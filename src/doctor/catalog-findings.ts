// Findings every PostgreSQL side shares: the tables the specs name are in the catalog ferry
// introspects, and the role may use the schemas that hold them.

import { introspectPostgres } from '../catalog/postgres/introspect.js';
import type { QualifiedName } from '../spec/types.js';
import { sqlIdentifier } from '../util/sql.js';
import { grantSql, sqlName } from './grants.js';
import { distinctSchemas, schemaAccess } from './privileges.js';
import type { CheckContext } from './run-checks.js';
import { count, type Finding, fail, ok } from './types.js';

/** Every table the specs read from or write to must be in the catalog ferry introspects. */
export async function catalogFinding(
  context: CheckContext,
  tables: readonly QualifiedName[],
): Promise<Finding> {
  const schemas = distinctSchemas(tables);
  if (schemas.length === 0) return ok('no tables to look for');
  const catalog = await introspectPostgres(context.session.client, { schemas });
  const known = new Set(catalog.tables.map((t) => JSON.stringify([t.schema, t.name])));
  const absent = tables.filter((t) => !known.has(JSON.stringify([t.schema, t.name])));
  if (absent.length === 0)
    return ok(`${count(tables.length, 'table')} found in ${schemas.map(sqlIdentifier).join(', ')}`);
  return fail(
    `not found (or not visible to ${context.session.user}): ${absent.map(sqlName).join(', ')}; check \`from\`/\`to\` in the specs and the URL's database`,
  );
}

/** USAGE on each schema that holds the tables. */
export async function schemaUsageFinding(
  context: CheckContext,
  tables: readonly QualifiedName[],
): Promise<Finding> {
  const access = await schemaAccess(context.session.client, distinctSchemas(tables));
  const lacking = access.filter((s) => s.exists && !s.usage);
  if (lacking.length === 0)
    return ok(
      `USAGE on ${
        access
          .filter((s) => s.exists)
          .map((s) => sqlIdentifier(s.schema))
          .join(', ') || 'no schema'
      }`,
    );
  return fail(
    `no USAGE on schema ${lacking.map((s) => sqlIdentifier(s.schema)).join(', ')}`,
    lacking.map((s) => grantSql(['USAGE'], 'SCHEMA', sqlIdentifier(s.schema), context.session.user)),
  );
}
