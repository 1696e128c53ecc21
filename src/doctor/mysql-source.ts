// Doctor's checks of a MySQL or MariaDB source: connection, version and TLS, the catalog plan reads,
// SELECT on every source table, the settings that change what ferry reads (sql_mode, time zone,
// character sets), the limits that can stop a long apply, and the tables' size.

import type mysql from 'mysql2/promise';
import {
  type MysqlSession,
  mysqlConnectedFinding,
  mysqlConnectionFailure,
  mysqlTlsFinding,
  mysqlVersionFinding,
  openMysqlSession,
} from './mysql-connection.js';
import { type MysqlCheckContext, mysqlCheckContext } from './mysql-context.js';
import {
  connectionsFinding,
  idleTimeoutFinding,
  netTimeoutFinding,
  statementTimeoutFinding,
} from './mysql-limits.js';
import { charsetFinding, sqlModeFinding, timeZoneFinding } from './mysql-settings.js';
import { mysqlCatalogFinding, mysqlTablesFinding } from './mysql-tables.js';
import { type Check, runChecks } from './run-checks.js';
import type { SourceDialect } from './source-dialect.js';
import type { CheckResult } from './types.js';

const MYSQL_CHECKS: readonly Check<MysqlCheckContext>[] = [
  {
    id: 'source.version',
    title: 'source server version',
    run: async ({ session }) => mysqlVersionFinding(session),
  },
  { id: 'source.tls', title: 'source TLS', run: ({ session }) => mysqlTlsFinding(session) },
  { id: 'source.catalog', aboutTables: true, title: 'source catalog', run: mysqlCatalogFinding },
  { id: 'source.tables', aboutTables: true, title: 'source tables readable', run: mysqlTablesFinding },
  { id: 'source.sql-mode', aboutTables: true, title: 'source sql_mode', run: sqlModeFinding },
  { id: 'source.time-zone', title: 'source time zone', run: timeZoneFinding },
  { id: 'source.charset', aboutTables: true, title: 'source character sets', run: charsetFinding },
  { id: 'source.statement-timeout', title: 'source statement time limit', run: statementTimeoutFinding },
  { id: 'source.idle-timeout', title: 'source idle timeout', run: idleTimeoutFinding },
  { id: 'source.net-timeout', title: 'source network timeouts', run: netTimeoutFinding },
  { id: 'source.connections', title: 'source connections', run: connectionsFinding },
];

export const mysqlSource: SourceDialect = {
  engine: 'mysql',
  async check(url, scope) {
    const connection = (finding: Omit<CheckResult, 'id' | 'title'>): CheckResult => ({
      id: 'source.connection',
      title: 'source reachable',
      ...finding,
    });
    let session: MysqlSession;
    try {
      session = await openMysqlSession(url);
    } catch (error) {
      return { checks: [connection(mysqlConnectionFailure(error, scope))] };
    }
    try {
      const context = mysqlCheckContext(session, scope);
      const checks = [
        connection(mysqlConnectedFinding(session)),
        ...(await runChecks(MYSQL_CHECKS, context)),
      ];
      const bytes = await tablesSize(session.connection, context).catch(() => undefined);
      return bytes === undefined ? { checks } : { checks, bytes };
    } finally {
      await session.connection.end().catch(() => {});
    }
  },
};

/** Data and indexes of the source tables, as information_schema.TABLES estimates them. */
async function tablesSize(
  connection: mysql.Connection,
  context: MysqlCheckContext,
): Promise<number | undefined> {
  if (context.tables.length === 0) return 0;
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    `SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) AS bytes FROM information_schema.TABLES
     WHERE (TABLE_SCHEMA, TABLE_NAME) IN (${context.tables.map(() => '(?, ?)').join(', ')})`,
    context.tables.flatMap((t) => [t.schema, t.name]),
  );
  return Number((rows[0] as { bytes: string | number }).bytes);
}
