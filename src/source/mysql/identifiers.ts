// MySQL identifiers in backticks: a backtick inside a name is doubled, and nothing else needs escaping,
// so any name a table or column can have (quotes, spaces, unicode, reserved words) is spliced safely.

import type { QualifiedName } from '../../spec/types.js';

export function quoteMysqlIdentifier(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/** `legacy`.`dispatch_order`: the schema of a MySQL table is its database. */
export function quoteMysqlTable(table: QualifiedName): string {
  return `${quoteMysqlIdentifier(table.schema)}.${quoteMysqlIdentifier(table.name)}`;
}
