// The MySQL settings that change what ferry reads: the sql_mode applications wrote under (zero and
// invalid dates), the zone DATETIME values are read in, and the character sets text arrives from.
// ferry's own sessions pin their sql_mode, time_zone and character set (db/mysql.ts), so what matters
// here is what the server let in, and which zone plan pins.

import type mysql from 'mysql2/promise';
import type { CatalogColumn } from '../catalog/types.js';
import { FerryError } from '../errors.js';
import { mysqlDefaultTimeZone } from '../source/mysql/time-zone.js';
import type { MysqlCheckContext } from './mysql-context.js';
import { count, type Finding, ok, warn } from './types.js';

const DATE_TYPES = new Set(['date', 'datetime', 'timestamp']);

interface ScopedColumns {
  readonly columns: readonly CatalogColumn[];
  /** Said when the account cannot see every source table: the figures cover the ones it sees. */
  readonly caveat: string;
}

/** The columns of the source tables the account can see in the catalog. */
async function scopedColumns(context: MysqlCheckContext): Promise<ScopedColumns> {
  const catalog = await context.catalog();
  const wanted = new Set(context.tables.map((t) => JSON.stringify([t.schema, t.name])));
  const seen = catalog.tables.filter((t) => wanted.has(JSON.stringify([t.schema, t.name])));
  return {
    columns: seen.flatMap((t) => t.columns),
    caveat:
      seen.length < context.tables.length
        ? ` (counting only the ${seen.length} of ${context.tables.length} source tables the account can see)`
        : '',
  };
}

/**
 * Zero dates get in unless the mode is strict and has NO_ZERO_DATE and NO_ZERO_IN_DATE (TRADITIONAL
 * has all three); ALLOW_INVALID_DATES lets in days a month does not have.
 */
export async function sqlModeFinding(context: MysqlCheckContext): Promise<Finding> {
  const { global } = await context.variables();
  const mode = global.sql_mode ?? '';
  const modes = new Set(mode.split(',').filter((m) => m !== ''));
  const shown = `sql_mode = ${mode === '' ? "''" : mode}`;
  const scoped = await scopedColumns(context);
  const dates = scoped.columns.filter((c) => DATE_TYPES.has(c.baseType));
  if (dates.length === 0)
    return ok(`${shown}; the source tables have no DATE, DATETIME or TIMESTAMP column${scoped.caveat}`);
  const traditional = modes.has('TRADITIONAL');
  const strict = traditional || modes.has('STRICT_TRANS_TABLES') || modes.has('STRICT_ALL_TABLES');
  const guards = ['NO_ZERO_DATE', 'NO_ZERO_IN_DATE'].filter((m) => !traditional && !modes.has(m));
  const columns = count(dates.length, 'date column');
  const problems: string[] = [];
  if (!strict || guards.length > 0) {
    const lacking = [...(strict ? [] : ['a strict mode']), ...guards].join(', ');
    problems.push(
      `without ${lacking} the server takes zero dates (0000-00-00, 2020-00-00), so the ${columns} of the source tables${scoped.caveat} may hold some: ferry reads them as NULL and counts them per batch, and a row that brings one into a NOT NULL target column pauses its migration`,
    );
  }
  if (modes.has('ALLOW_INVALID_DATES')) {
    problems.push(
      'ALLOW_INVALID_DATES lets in days a month does not have (2020-02-31), which PostgreSQL has no value for: a batch that reads one fails',
    );
  }
  if (problems.length > 0) return warn(`${shown}: ${problems.join('; ')}`);
  return ok(
    `${shown}: zero dates are refused on write (rows written earlier under another mode may still hold some; ferry reads them as NULL and counts them)`,
  );
}

/** What zone plan reads DATETIME values in: the declared or pinned one, else the server's. */
export async function timeZoneFinding(context: MysqlCheckContext): Promise<Finding> {
  const { global } = await context.variables();
  const server =
    global.time_zone === 'SYSTEM'
      ? `time_zone = SYSTEM (system_time_zone ${global.system_time_zone ?? 'unknown'})`
      : `time_zone = ${global.time_zone ?? 'unknown'}`;
  const instants = 'TIMESTAMP values are read as the instants they store';
  const chosen = context.scope.sourceTimeZone;
  if (chosen) {
    const where = chosen.origin === 'declared' ? 'as the project file declares' : 'as ferry.lock pins';
    return ok(`DATETIME values are read in ${chosen.name}, ${where} (the server's ${server}); ${instants}`);
  }
  let zone: string;
  try {
    zone = await mysqlDefaultTimeZone(context.session.connection);
  } catch (error) {
    if (!(error instanceof FerryError)) throw error;
    return {
      status: 'fail',
      detail: `${server} has no IANA name ferry can pin: plan needs the zone the DATETIME values were written in`,
      fix: [
        'sourceTimeZone: Area/City   # in specs/ferry.yaml: the zone the DATETIME values were written in',
      ],
    };
  }
  return ok(
    `${server}: plan pins ${zone} and reads DATETIME values in it (declare sourceTimeZone in the project file if the applications wrote them in another zone); ${instants}`,
  );
}

/** Text arrives as UTF-8 whatever its character set: informative only. */
export async function charsetFinding(context: MysqlCheckContext): Promise<Finding> {
  const { session } = await context.variables();
  const schemas = [...new Set(context.tables.map((t) => t.schema))];
  const [rows] = await context.session.connection.query<mysql.RowDataPacket[]>(
    'SELECT SCHEMA_NAME AS name, DEFAULT_CHARACTER_SET_NAME AS charset FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?) ORDER BY SCHEMA_NAME',
    [schemas],
  );
  const databases = (rows as { name: string; charset: string }[]).map(
    (r) => `database ${r.name} ${r.charset}`,
  );
  const scoped = await scopedColumns(context);
  const byCharset = new Map<string, number>();
  for (const column of scoped.columns) {
    if (column.charset) byCharset.set(column.charset, (byCharset.get(column.charset) ?? 0) + 1);
  }
  const columns = [...byCharset]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([charset, n]) => `${n} ${charset}`);
  const facts = [
    `character_set_server ${session.character_set_server ?? 'unknown'}`,
    ...databases,
    `${columns.length > 0 ? `text columns: ${columns.join(', ')}` : 'no text columns'}${scoped.caveat}`,
  ];
  return ok(`${facts.join('; ')}; ferry reads all text as UTF-8 (SET NAMES utf8mb4: the server converts it)`);
}
