// What the checks of a MySQL source share: the session, the scope, and the facts several checks read
// (the catalog, each table's access, the server's variables), each read once on first use.

import type mysql from 'mysql2/promise';
import { introspectMysql } from '../catalog/mysql/introspect.js';
import type { Catalog } from '../catalog/types.js';
import { quoteMysqlTable } from '../source/mysql/identifiers.js';
import type { QualifiedName } from '../spec/types.js';
import type { MysqlSession } from './mysql-connection.js';
import { distinctSchemas, distinctTables } from './privileges.js';
import type { DoctorScope } from './types.js';

/** Whether the account may read a table, as the server answers a query of it. */
export interface TableProbe {
  readonly table: QualifiedName;
  /** readable: SELECT on every column; denied: not (the server then hides whether it exists). */
  readonly state: 'readable' | 'denied' | 'absent' | 'error';
  readonly message?: string;
}

/** Session variables (as ferry's sessions get them) and the server-wide ones, by name. */
export interface MysqlVariables {
  readonly session: Readonly<Record<string, string>>;
  readonly global: Readonly<Record<string, string>>;
}

export interface MysqlCheckContext {
  readonly session: MysqlSession;
  readonly scope: DoctorScope;
  /** The specs' source tables, each once. */
  readonly tables: readonly QualifiedName[];
  catalog(): Promise<Catalog>;
  probes(): Promise<readonly TableProbe[]>;
  variables(): Promise<MysqlVariables>;
}

const SESSION_VARIABLES = [
  'character_set_server',
  'max_connections',
  'max_execution_time',
  'max_statement_time',
  'max_user_connections',
  'net_read_timeout',
  'net_write_timeout',
  'wait_timeout',
];

/** ferry's sessions set their own sql_mode and time_zone: what applications wrote with is the server's. */
const GLOBAL_VARIABLES = [
  'max_execution_time',
  'max_statement_time',
  'max_user_connections',
  'sql_mode',
  'system_time_zone',
  'time_zone',
];

export function mysqlCheckContext(session: MysqlSession, scope: DoctorScope): MysqlCheckContext {
  const tables = distinctTables(scope.migrations.map((m) => m.from));
  return {
    session,
    scope,
    tables,
    catalog: once(() => introspectMysql(session.connection, { schemas: distinctSchemas(tables) })),
    probes: once(async () => {
      const probes: TableProbe[] = [];
      for (const table of tables) probes.push(await probeTable(session.connection, table));
      return probes;
    }),
    variables: once(async () => ({
      session: await readVariables(session.connection, 'SESSION', SESSION_VARIABLES),
      global: await readVariables(session.connection, 'GLOBAL', GLOBAL_VARIABLES),
    })),
  };
}

function once<T>(read: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => {
    result ??= read();
    return result;
  };
}

/** SHOW … WHERE lists only the variables the server has: MySQL and MariaDB each lack some of these. */
async function readVariables(
  connection: mysql.Connection,
  kind: 'SESSION' | 'GLOBAL',
  names: readonly string[],
): Promise<Record<string, string>> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    `SHOW ${kind} VARIABLES WHERE Variable_name IN (?)`,
    [names],
  );
  return Object.fromEntries(
    (rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, r.Value]),
  );
}

/** Server errors that say the account may not read the table (or one of its columns). */
const DENIED = new Set([1142, 1143, 1044]);
/** Unknown table or database: answered only to an account that may know. */
const ABSENT = new Set([1146, 1049]);

/**
 * `SELECT * … LIMIT 0` reads no row, and succeeds only with SELECT on every column: what the batch
 * reader needs. The server decides, so global, database, table and role grants all count.
 */
async function probeTable(connection: mysql.Connection, table: QualifiedName): Promise<TableProbe> {
  try {
    await connection.query(`SELECT * FROM ${quoteMysqlTable(table)} LIMIT 0`);
    return { table, state: 'readable' };
  } catch (error) {
    const errno = (error as { errno?: number }).errno ?? 0;
    const message = error instanceof Error ? error.message : String(error);
    if (DENIED.has(errno)) return { table, state: 'denied', message };
    if (ABSENT.has(errno)) return { table, state: 'absent', message };
    return { table, state: 'error', message };
  }
}
