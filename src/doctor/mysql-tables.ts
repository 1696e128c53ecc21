// The source tables of a MySQL source: in the catalog plan reads, and readable by the account. An
// account sees in information_schema only the tables it holds a privilege on, so a table missing from
// the catalog is told apart by asking for it: absent, hidden for lack of a grant, or not a table.

import type { QualifiedName } from '../spec/types.js';
import type { MysqlCheckContext } from './mysql-context.js';
import { mysqlAccountText, mysqlGrantSql } from './mysql-grants.js';
import { count, type Finding, fail, ok } from './types.js';

/** `legacy.Album`, with backticks only around a part that needs them. */
export function mysqlTableText(table: QualifiedName): string {
  const part = (name: string) =>
    /^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) ? name : `\`${name.replaceAll('`', '``')}\``;
  return `${part(table.schema)}.${part(table.name)}`;
}

function list(tables: readonly QualifiedName[]): string {
  return tables.map(mysqlTableText).join(', ');
}

export async function mysqlCatalogFinding(context: MysqlCheckContext): Promise<Finding> {
  const catalog = await context.catalog();
  const known = new Set(catalog.tables.map((t) => JSON.stringify([t.schema, t.name])));
  const missing = context.tables.filter((t) => !known.has(JSON.stringify([t.schema, t.name])));
  const schemas = [...new Set(context.tables.map((t) => t.schema))].join(', ');
  if (missing.length === 0) return ok(`${count(context.tables.length, 'table')} found in ${schemas}`);
  const probes = new Map(
    (await context.probes()).map((p) => [JSON.stringify([p.table.schema, p.table.name]), p]),
  );
  const stateOf = (table: QualifiedName) => probes.get(JSON.stringify([table.schema, table.name]))?.state;
  const hidden = missing.filter((t) => stateOf(t) === 'denied');
  const notTables = missing.filter((t) => stateOf(t) === 'readable');
  const absent = missing.filter((t) => !hidden.includes(t) && !notTables.includes(t));
  const parts = [
    ...(absent.length > 0
      ? [`not found: ${list(absent)}; check \`from\` in the specs and the URL's database`]
      : []),
    ...(hidden.length > 0
      ? [
          `not visible to ${mysqlAccountText(context.session.account)}, which sees only the tables it may read: ${list(hidden)} (the grants under "source tables readable" make them visible)`,
        ]
      : []),
    ...(notTables.length > 0
      ? [`not base tables (views, say), which ferry does not read: ${list(notTables)}`]
      : []),
  ];
  return fail(parts.join('; '));
}

export async function mysqlTablesFinding(context: MysqlCheckContext): Promise<Finding> {
  const probes = await context.probes();
  const denied = probes.filter((p) => p.state === 'denied');
  const broken = probes.filter((p) => p.state === 'error');
  const readable = probes.filter((p) => p.state === 'readable');
  if (denied.length === 0 && broken.length === 0) return ok(`SELECT on ${count(readable.length, 'table')}`);
  const parts = [
    ...(denied.length > 0 ? [`no SELECT on ${list(denied.map((p) => p.table))}`] : []),
    ...broken.map((p) => `${mysqlTableText(p.table)} could not be read: ${p.message ?? 'unknown error'}`),
  ];
  return fail(
    parts.join('; '),
    denied.map((p) => mysqlGrantSql(p.table, context.session.account)),
  );
}
