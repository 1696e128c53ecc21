// The MySQL statements doctor suggests, written as a DBA types them: tables in backticks, the account
// as 'user'@'host', one statement per table.

import { quoteMysqlTable } from '../source/mysql/identifiers.js';
import type { QualifiedName } from '../spec/types.js';
import type { MysqlAccount } from './mysql-connection.js';

/** CURRENT_USER()'s `user@host`; the host never holds an `@`, the user name may. */
export function parseMysqlAccount(text: string): MysqlAccount {
  const at = text.lastIndexOf('@');
  return at < 0 ? { user: text, host: '%' } : { user: text.slice(0, at), host: text.slice(at + 1) };
}

/** A MySQL string literal under the default sql_mode: quotes doubled, backslashes escaped. */
function mysqlString(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** `'ferry'@'%'` */
export function mysqlAccountText(account: MysqlAccount): string {
  return `${mysqlString(account.user)}@${mysqlString(account.host)}`;
}

/**
 * @example
 * mysqlGrantSql({ schema: 'legacy', name: 'Album' }, { user: 'ferry', host: '%' });
 * // → GRANT SELECT ON `legacy`.`Album` TO 'ferry'@'%';
 */
export function mysqlGrantSql(table: QualifiedName, account: MysqlAccount): string {
  return `GRANT SELECT ON ${quoteMysqlTable(table)} TO ${mysqlAccountText(account)};`;
}

/** `ALTER USER 'ferry'@'%' WITH MAX_USER_CONNECTIONS 8;` */
export function mysqlAlterUserSql(account: MysqlAccount, option: string, value: number): string {
  return `ALTER USER ${mysqlAccountText(account)} WITH ${option} ${value};`;
}
