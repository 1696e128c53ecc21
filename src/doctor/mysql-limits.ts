// The MySQL limits that can stop a long apply part-way: a statement time limit on the reads, the
// timeouts that close a session that waits or a stream that stalls, and the connections the workers
// need. Each value is the one ferry's own sessions get (the account's limits included).

import type mysql from 'mysql2/promise';
import type { MysqlCheckContext } from './mysql-context.js';
import { mysqlAccountText, mysqlAlterUserSql } from './mysql-grants.js';
import { widestLayerWorkers } from './server-settings.js';
import { count, type Finding, fail, ok, warn } from './types.js';

/** A statement time limit or an idle timeout below this warns, as on a PostgreSQL side. */
export const MYSQL_TIMEOUT_WARN_BELOW_SECONDS = 60 * 60;

/**
 * net_write_timeout below this warns: MySQL's own default. The batch reader pauses the stream while
 * the target takes in the rows it has, which is seconds; the default leaves room for a stalled disk.
 */
export const NET_WRITE_TIMEOUT_WARN_BELOW_SECONDS = 60;

function seconds(value: number): string {
  return Number.isInteger(value) ? `${value}s` : `${value.toFixed(3).replace(/0+$/, '')}s`;
}

/** A change that outlives a restart: SET PERSIST where the server has it (MySQL 8), else SET GLOBAL. */
function setGlobalSql(context: MysqlCheckContext, variable: string, value: number): string {
  const persists = !context.session.mariadb && /^([89]|\d{2,})\./.test(context.session.version);
  if (persists) return `SET PERSIST ${variable} = ${value};`;
  return `SET GLOBAL ${variable} = ${value}; -- and in the server's option file, to outlive a restart`;
}

/** MariaDB's max_statement_time (seconds, any statement) or MySQL's max_execution_time (ms, SELECTs). */
export async function statementTimeoutFinding(context: MysqlCheckContext): Promise<Finding> {
  const { session, global } = await context.variables();
  const mariadb = 'max_statement_time' in session;
  const name = mariadb ? 'max_statement_time' : 'max_execution_time';
  const raw = session[name];
  if (raw === undefined) return ok('the server has no statement time limit');
  const limit = mariadb ? Number(raw) : Number(raw) / 1000;
  if (limit === 0) return ok(`${name} = 0 (no limit)`);
  const shown = `${name} = ${mariadb ? seconds(limit) : `${raw} ms`}`;
  if (limit >= MYSQL_TIMEOUT_WARN_BELOW_SECONDS) return ok(shown);
  // MariaDB applies an account's MAX_STATEMENT_TIME to its sessions in place of the server's.
  const fromAccount = mariadb && global[name] !== raw;
  return warn(
    `${shown}${fromAccount ? ' (the account’s MAX_STATEMENT_TIME)' : ''}: reading a batch, or a whole table for verify, diff or rollback, that takes longer is cancelled`,
    [
      fromAccount
        ? mysqlAlterUserSql(context.session.account, 'MAX_STATEMENT_TIME', 0)
        : setGlobalSql(context, name, 0),
    ],
  );
}

/** wait_timeout: how long the server keeps a session that sends nothing. */
export async function idleTimeoutFinding(context: MysqlCheckContext): Promise<Finding> {
  const { session } = await context.variables();
  const wait = Number(session.wait_timeout ?? 0);
  const shown = `wait_timeout = ${seconds(wait)}`;
  if (wait === 0 || wait >= MYSQL_TIMEOUT_WARN_BELOW_SECONDS) return ok(shown);
  return warn(
    `${shown}: ferry's source sessions wait while the target loads a batch, rebuilds indexes after --bulk or verify compares a table; the server closes one that waits longer, and the command using it fails`,
    [setGlobalSql(context, 'wait_timeout', 28800)],
  );
}

/** net_write_timeout bounds a stalled stream of rows; net_read_timeout bounds what ferry sends. */
export async function netTimeoutFinding(context: MysqlCheckContext): Promise<Finding> {
  const { session } = await context.variables();
  const write = Number(session.net_write_timeout ?? 0);
  const read = Number(session.net_read_timeout ?? 0);
  const shown = `net_write_timeout = ${seconds(write)}, net_read_timeout = ${seconds(read)}`;
  const readNote = 'ferry sends only short statements, so net_read_timeout never comes into play';
  if (write >= NET_WRITE_TIMEOUT_WARN_BELOW_SECONDS) return ok(`${shown} (${readNote})`);
  return warn(
    `${shown}: the server drops a read whose rows wait longer than net_write_timeout to be taken, as they do while the target falls behind (${readNote})`,
    [setGlobalSql(context, 'net_write_timeout', NET_WRITE_TIMEOUT_WARN_BELOW_SECONDS)],
  );
}

interface Limit {
  /** Connections the account could open now, doctor's own included. */
  readonly free: number;
  /** Connections it could open with nobody else connected. */
  readonly capacity: number;
  readonly name: string;
  readonly text: string;
  readonly fix: (needed: number) => string;
}

/** One connection per batch loaded at once, as on a PostgreSQL source: the widest layer's workers. */
export async function connectionsFinding(context: MysqlCheckContext): Promise<Finding> {
  const { session, global } = await context.variables();
  const inUse = await threadsConnected(context);
  // Without the PROCESS privilege an account sees only its own sessions here: those are what count.
  const [rows] = await context.session.connection.query<mysql.RowDataPacket[]>(
    "SELECT COUNT(*) AS own FROM information_schema.PROCESSLIST WHERE USER = SUBSTRING_INDEX(USER(), '@', 1)",
  );
  const own = Number((rows[0] as { own: string | number }).own);
  const max = Number(session.max_connections ?? 0);
  const limits: Limit[] = [
    {
      free: max - inUse + 1,
      capacity: max,
      name: 'max_connections',
      text: `max_connections ${max}, ${inUse - 1} in use by others`,
      fix: (needed) => setGlobalSql(context, 'max_connections', needed + inUse - 1),
    },
  ];
  const userLimit = Number(session.max_user_connections ?? 0);
  if (userLimit > 0) {
    const fromAccount = global.max_user_connections !== session.max_user_connections;
    limits.push({
      free: userLimit - own + 1,
      capacity: userLimit,
      name: fromAccount ? 'the account’s MAX_USER_CONNECTIONS' : 'max_user_connections',
      text: `${fromAccount ? `${mysqlAccountText(context.session.account)} MAX_USER_CONNECTIONS` : 'max_user_connections'} ${userLimit}, ${count(own - 1, 'other session')} of the account`,
      fix: (needed) =>
        fromAccount
          ? mysqlAlterUserSql(context.session.account, 'MAX_USER_CONNECTIONS', needed + own - 1)
          : setGlobalSql(context, 'max_user_connections', needed + own - 1),
    });
  }
  const binding = limits.reduce((low, limit) => (limit.free < low.free ? limit : low));
  const summary = `${binding.free} free for this account (${binding.text})`;
  const needed = widestLayerWorkers(context.scope);
  if (needed === 0) return ok(summary);
  const text = `apply opens up to ${needed} at once (the workers of its widest layer); ${summary}`;
  const never = limits.find((limit) => needed > limit.capacity);
  if (never)
    return fail(`${text}: more than ${never.name} ever allows; raise it, or run apply with fewer --workers`, [
      never.fix(needed),
    ]);
  if (needed > binding.free)
    return warn(
      `${text}: fewer are free now than apply needs; other sessions must end first, or run fewer --workers`,
    );
  return ok(text);
}

async function threadsConnected(context: MysqlCheckContext): Promise<number> {
  const [rows] = await context.session.connection.query<mysql.RowDataPacket[]>(
    "SHOW GLOBAL STATUS LIKE 'Threads_connected'",
  );
  return Number((rows[0] as { Value?: string } | undefined)?.Value ?? 1);
}
