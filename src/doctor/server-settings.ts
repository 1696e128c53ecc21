// The server settings that can stop a long apply part-way, checked on either side: statement and
// idle-in-transaction timeouts, and whether there are connections enough for the workers apply runs.

import { sqlIdentifier as quote } from '../util/sql.js';
import { roleSettingSql } from './grants.js';
import type { Check, CheckContext, Session } from './run-checks.js';
import { count, type DoctorScope, type Finding, fail, ok, warn } from './types.js';

/**
 * Timeouts below this warn. A batch, an index rebuild after --bulk or verify's comparison of a large
 * table can run for many minutes, and a transaction can wait on one side while the other works.
 */
export const TIMEOUT_WARN_BELOW_MS = 60 * 60 * 1000;

const SETTING_SQL = `
select current_setting($1) as shown, setting::bigint as milliseconds, source
from pg_settings where name = $1`;

function timeoutCheck(setting: string, id: string, title: string, why: string): Check {
  return {
    id,
    title,
    run: async ({ session }: CheckContext): Promise<Finding> => {
      const { rows } = await session.client.query<{ shown: string; milliseconds: string; source: string }>(
        SETTING_SQL,
        [setting],
      );
      const row = rows[0];
      if (!row) return ok(`${setting} is not a setting of this server`);
      const ms = Number(row.milliseconds);
      if (ms === 0) return ok(`${setting} = 0 (no limit)`);
      if (ms >= TIMEOUT_WARN_BELOW_MS) return ok(`${setting} = ${row.shown}`);
      return warn(`${setting} = ${row.shown} (set by ${sourceText(row.source)}): ${why}`, [
        timeoutFix(session, setting, row.source),
      ]);
    },
  };
}

function sourceText(source: string): string {
  switch (source) {
    case 'user':
      return 'ALTER ROLE';
    case 'database':
      return 'ALTER DATABASE';
    case 'database user':
      return 'ALTER ROLE … IN DATABASE';
    case 'client':
      return 'the connection’s options';
    default:
      return `the server’s ${source}`;
  }
}

/** A role setting overrides the database's and the server's; one given by the client it does not. */
function timeoutFix(session: Session, setting: string, source: string): string {
  if (source === 'client' || source === 'session') {
    return `remove -c ${setting}=… from the ${session.side} URL's options parameter (or PGOPTIONS)`;
  }
  return roleSettingSql(
    session.user,
    setting,
    '0',
    source === 'database user' ? session.database : undefined,
  );
}

const CONNECTIONS_SQL = `
with me as (select rolsuper, rolconnlimit from pg_roles where rolname = current_user),
     clients as (select usename, datname from pg_stat_activity where backend_type = 'client backend')
select current_setting('max_connections')::int as max,
       current_setting('superuser_reserved_connections')::int as superuser_reserved,
       coalesce(current_setting('reserved_connections', true)::int, 0) as role_reserved,
       (select rolsuper from me) as superuser,
       coalesce((select pg_has_role(current_user, oid, 'MEMBER') from pg_roles
                 where rolname = 'pg_use_reserved_connections'), false) as uses_reserved,
       (select count(*) from clients)::int as in_use,
       (select rolconnlimit from me) as role_limit,
       (select count(*) from clients where usename = current_user)::int as role_in_use,
       (select datconnlimit from pg_database where datname = current_database()) as database_limit,
       (select count(*) from clients where datname = current_database())::int as database_in_use`;

interface ConnectionFacts {
  max: number;
  /** Slots only superusers may take. */
  superuser_reserved: number;
  /** Slots (PostgreSQL 16+) only members of pg_use_reserved_connections and superusers may take. */
  role_reserved: number;
  superuser: boolean;
  uses_reserved: boolean;
  in_use: number;
  role_limit: number;
  role_in_use: number;
  database_limit: number;
  database_in_use: number;
}

/** The most connections apply opens at once on a side: the workers of its widest layer (+ the run lock's). */
export function connectionsNeeded(context: CheckContext): number {
  const widest = widestLayerWorkers(context.scope);
  return context.session.side === 'target' ? widest + 1 : widest;
}

/** The batches apply loads at once at most: the sum of the workers of the plan's widest layer. */
export function widestLayerWorkers(scope: DoctorScope): number {
  const workers = new Map(scope.migrations.map((m) => [m.name, m.workers]));
  return Math.max(
    0,
    ...scope.layers.map((layer) => layer.reduce((sum, name) => sum + (workers.get(name) ?? 1), 0)),
  );
}

const connectionsCheck = (side: 'source' | 'target'): Check => ({
  id: `${side}.connections`,
  title: `${side} connections`,
  run: async (context) => {
    const { session } = context;
    const facts = (await session.client.query<ConnectionFacts>(CONNECTIONS_SQL)).rows[0];
    if (!facts) return ok('the server did not report its connections');
    const needed = connectionsNeeded(context);
    // This session is doctor's own; it is gone when apply runs.
    const limits = connectionLimits(facts, session);
    const binding = limits.reduce((low, limit) => (limit.free < low.free ? limit : low));
    const summary = `${binding.free} free for this role (${binding.text})`;
    if (needed === 0) return ok(summary);
    const text = `apply opens up to ${needed} at once (the workers of its widest layer${side === 'target' ? ', and one for the run lock' : ''}); ${summary}`;
    const never = limits.find((limit) => needed > limit.capacity);
    if (never) {
      return fail(
        `${text}: more than ${never.name} ever allows; raise it, or run apply with fewer --workers`,
        [never.fix(needed)],
      );
    }
    if (needed > binding.free) {
      return warn(
        `${text}: fewer are free now than apply needs; other sessions must end first, or run fewer --workers`,
      );
    }
    return ok(text);
  },
});

interface Limit {
  /** Connections this role could open now (this session's included). */
  readonly free: number;
  /** Connections it could have if nobody else were connected. */
  readonly capacity: number;
  readonly name: string;
  readonly text: string;
  fix(needed: number): string;
}

function connectionLimits(facts: ConnectionFacts, session: Session): Limit[] {
  const reserved = facts.superuser
    ? 0
    : facts.superuser_reserved + (facts.uses_reserved ? 0 : facts.role_reserved);
  const server = facts.max - reserved;
  const limits: Limit[] = [
    {
      free: server - facts.in_use + 1,
      capacity: server,
      name: 'max_connections',
      text: `max_connections ${facts.max}${reserved > 0 ? `, ${reserved} reserved` : ''}, ${facts.in_use - 1} in use by others`,
      fix: (needed) =>
        `ALTER SYSTEM SET max_connections = ${needed + facts.in_use - 1 + reserved}; -- then restart the server`,
    },
  ];
  // Superusers are exempt from the role's and the database's connection limits.
  if (!facts.superuser && facts.role_limit >= 0) {
    limits.push({
      free: facts.role_limit - facts.role_in_use + 1,
      capacity: facts.role_limit,
      name: 'the role’s connection limit',
      text: `the role's connection limit ${facts.role_limit}, ${count(facts.role_in_use - 1, 'other session')} of it`,
      fix: (needed) =>
        `ALTER ROLE ${quote(session.user)} CONNECTION LIMIT ${needed + facts.role_in_use - 1};`,
    });
  }
  if (!facts.superuser && facts.database_limit >= 0) {
    limits.push({
      free: facts.database_limit - facts.database_in_use + 1,
      capacity: facts.database_limit,
      name: 'the database’s connection limit',
      text: `the database's connection limit ${facts.database_limit}, ${count(facts.database_in_use - 1, 'other session')} in it`,
      fix: (needed) =>
        `ALTER DATABASE ${quote(session.database)} CONNECTION LIMIT ${needed + facts.database_in_use - 1};`,
    });
  }
  return limits;
}

/** The settings checks of one side, in the order they are reported. */
export function settingChecks(side: 'source' | 'target'): Check[] {
  return [
    timeoutCheck(
      'statement_timeout',
      `${side}.statement-timeout`,
      `${side} statement timeout`,
      side === 'source'
        ? 'reading a batch (or verify comparing a table) that takes longer is cancelled; apply then halves the batch and tries again'
        : 'loading a batch, rebuilding an index after --bulk or verify comparing a table that takes longer is cancelled',
    ),
    timeoutCheck(
      'idle_in_transaction_session_timeout',
      `${side}.idle-timeout`,
      `${side} idle-in-transaction timeout`,
      'verify, rollback and dry runs hold a transaction open on one side while the other works; a longer wait ends the session',
    ),
    connectionsCheck(side),
  ];
}
