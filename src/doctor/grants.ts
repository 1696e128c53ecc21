// The statements doctor suggests, written as a person would type them: identifiers quoted only
// where PostgreSQL needs it, privileges in a fixed order, one statement per object.

import type { QualifiedName } from '../spec/types.js';
import { sqlIdentifier } from '../util/sql.js';

export type ObjectKind = 'TABLE' | 'SEQUENCE' | 'SCHEMA' | 'DATABASE';

/** `schema.table` as SQL a person reads. */
export function sqlName(name: QualifiedName): string {
  return `${sqlIdentifier(name.schema)}.${sqlIdentifier(name.name)}`;
}

/**
 * @example
 * grantSql(['SELECT', 'INSERT'], 'TABLE', 'app.orders', 'ferry'); // → GRANT SELECT, INSERT ON TABLE app.orders TO ferry;
 */
export function grantSql(
  privileges: readonly string[],
  kind: ObjectKind,
  object: string,
  role: string,
): string {
  return `GRANT ${privileges.join(', ')} ON ${kind} ${object} TO ${sqlIdentifier(role)};`;
}

/** `ALTER TABLE app.orders OWNER TO ferry;` */
export function ownerSql(
  kind: 'TABLE' | 'SCHEMA' | 'VIEW' | 'SEQUENCE',
  object: string,
  role: string,
): string {
  return `ALTER ${kind} ${object} OWNER TO ${sqlIdentifier(role)};`;
}

/** `ALTER ROLE ferry SET statement_timeout = 0;`, or the form for one database when the setting is one. */
export function roleSettingSql(role: string, setting: string, value: string, database?: string): string {
  const where = database === undefined ? '' : ` IN DATABASE ${sqlIdentifier(database)}`;
  return `ALTER ROLE ${sqlIdentifier(role)}${where} SET ${setting} = ${value};`;
}
