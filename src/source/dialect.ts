// The source engines ferry reads, behind one interface: how a source URL is introspected, how the
// runner opens it (source/reader.ts), and how the plan's source catalog reads to the batch SQL. The
// runner, verify and the compiler ask `sourceDialect(url)` and never test the engine themselves.

import type pg from 'pg';
import { introspectMysql } from '../catalog/mysql/introspect.js';
import { introspectPostgres } from '../catalog/postgres/introspect.js';
import type { Catalog, CatalogEngine } from '../catalog/types.js';
import { type Catalogs, findTable } from '../compiler/catalog-checks.js';
import type { MigrationNode, Plan } from '../compiler/plan.js';
import { checkAgainstSource } from '../compiler/source-checks.js';
import { connectMysql, isMysqlUrl } from '../db/mysql.js';
import { connectPostgres } from '../db/postgres.js';
import { FALLBACK_TIME_ZONE, readDefaultTimeZone, setSessionTimeZone } from '../db/session-time-zone.js';
import { type Diagnostic, errorDiagnostic, FerryError } from '../errors.js';
import { timeZoneProblem } from '../spec/time-zone.js';
import { quoteQualifiedName } from '../util/sql.js';
import { createStagingTable, mysqlReader, mysqlSourceRelation } from './mysql/reader.js';
import { stagedCatalog } from './mysql/staged-catalog.js';
import { mysqlDefaultTimeZone } from './mysql/time-zone.js';
import { postgresReader } from './postgres/reader.js';
import type { SourceReader } from './reader.js';

export interface SourceUrls {
  readonly source: string;
  readonly target: string;
  /** The session time zone of every PostgreSQL session (see runner/session.ts). */
  readonly timeZone: string;
}

/** The session source-side SQL runs in, and the reader that fills it. */
export interface OpenedSource {
  /** The source's own session, or for a source staged on the target, the target session given to open. */
  readonly sql: pg.Client;
  readonly reader: SourceReader;
}

/** What `plan` does on the source: its default zone, its catalog, and the plan's values tried on it. */
export interface PlanningSource {
  /** The zone the source reads zone-less timestamps in by default, as an IANA name. */
  serverTimeZone(): Promise<string>;
  /** Every later step reads and converts in this zone. */
  useTimeZone(zone: string): Promise<void>;
  introspect(schemas: readonly string[]): Promise<Catalog>;
  /** Each mapped value and `where` of the plan tried without reading a row (compiler/source-checks.ts). */
  tryValues(plan: Plan, catalogs: Catalogs): Promise<Diagnostic[]>;
  end(): Promise<void>;
}

export interface SourceDialect {
  readonly engine: CatalogEngine;
  openForPlanning(urls: { readonly source: string; readonly target: string }): Promise<PlanningSource>;
  /** The source's tables, in the engine's own types. */
  introspect(url: string, schemas?: readonly string[]): Promise<Catalog>;
  /** The source catalog as source-side SQL sees it. */
  sqlCatalog(catalog: Catalog): Catalog;
  /** Where a migration's rows are read in SQL; the source table itself when undefined. */
  readonly sourceRelation?: (migration: MigrationNode) => string;
  /** Why this source cannot run `migration` as its spec asks, if it cannot. */
  readonly unsupported?: (migration: MigrationNode) => string | undefined;
  /**
   * Opens the session source-side SQL runs in; `catalog` is the source's own (introspect's). A source
   * whose rows are staged on the target stages them in `target` when one is given, so that they reach
   * the target's tables without leaving the server (see runner/copy-batch.ts).
   */
  open(urls: SourceUrls, catalog: Catalog, target?: pg.Client): Promise<OpenedSource>;
}

const postgres: SourceDialect = {
  engine: 'postgres',
  async openForPlanning(urls) {
    const client = await connectPostgres(urls.source, 'source');
    return {
      // Read before the session's zone is set: it is what gets pinned when nothing else says.
      serverTimeZone: () => readDefaultTimeZone(client),
      // Introspection too: the server prints defaults such as a timestamptz literal in this zone.
      useTimeZone: (zone) => setSessionTimeZone(client, zone, 'source'),
      introspect: (schemas) => introspectPostgres(client, schemas.length ? { schemas } : {}),
      tryValues: (plan, catalogs) => checkAgainstSource(client, plan, catalogs),
      end: () => client.end().catch(() => {}),
    };
  },
  async introspect(url, schemas) {
    const client = await connectPostgres(url, 'source');
    try {
      return await introspectPostgres(client, schemas?.length ? { schemas } : {});
    } finally {
      await client.end().catch(() => {});
    }
  },
  sqlCatalog: (catalog) => catalog,
  async open(urls) {
    const sql = await connectPostgres(urls.source, 'source', { timeZone: urls.timeZone });
    return { sql, reader: postgresReader };
  },
};

/**
 * A MySQL source's rows are staged, range by range, in a session on the target server; the batch SQL
 * (the spec's PostgreSQL expressions included) runs there. ferry only ever reads from MySQL.
 */
const mysql: SourceDialect = {
  engine: 'mysql',
  async openForPlanning(urls) {
    const connection = await connectMysql(urls.source, 'source');
    let zone = FALLBACK_TIME_ZONE;
    return {
      serverTimeZone: () => mysqlDefaultTimeZone(connection),
      useTimeZone: async (chosen) => {
        // The server's own zone is only pinned when nothing is declared; one without an IANA name
        // cannot be, and must be declared.
        const problem = timeZoneProblem(chosen);
        if (problem)
          throw new FerryError(
            errorDiagnostic('spec.time-zone', `the MySQL source's time zone ${problem.message}`, {
              hint: 'declare sourceTimeZone in the project file: the zone the DATETIME values were written in',
            }),
          );
        zone = chosen;
      },
      introspect: (schemas) => introspectMysql(connection, schemas.length ? { schemas } : {}),
      // The values are PostgreSQL expressions over the staged columns: tried on empty staging tables.
      async tryValues(plan, catalogs) {
        const sql = await connectPostgres(urls.target, 'target', { timeZone: zone });
        try {
          const staged = stagedCatalog(catalogs.source);
          for (const migration of plan.migrations) {
            const table = findTable(catalogs.source, migration.from);
            if (table) await createStagingTable(sql, mysqlSourceRelation(migration.name), table.columns);
          }
          return await checkAgainstSource(sql, plan, { ...catalogs, source: staged }, (migration) =>
            mysqlSourceRelation(migration.name),
          );
        } finally {
          await sql.end().catch(() => {});
        }
      },
      end: () => connection.end().catch(() => {}),
    };
  },
  async introspect(url, schemas) {
    const connection = await connectMysql(url, 'source');
    try {
      return await introspectMysql(connection, schemas?.length ? { schemas } : {});
    } finally {
      await connection.end().catch(() => {});
    }
  },
  sqlCatalog: stagedCatalog,
  sourceRelation: (migration) => mysqlSourceRelation(migration.name),
  // A cursor's window is a PostgreSQL condition over the source, which MySQL cannot evaluate.
  unsupported: (migration) =>
    migration.incremental
      ? 'incremental: { cursor } needs a PostgreSQL source; from MySQL, new rows are appended by key on every apply'
      : undefined,
  async open(urls, catalog, target) {
    const connection = await connectMysql(urls.source, 'source');
    try {
      const sql = target ?? (await connectPostgres(urls.target, 'target', { timeZone: urls.timeZone }));
      return { sql, reader: mysqlReader(connection, catalog) };
    } catch (error) {
      await connection.end().catch(() => {});
      throw error;
    }
  },
};

/** The dialect of the source behind `url`: MySQL for `mysql://` and `mariadb://`, else PostgreSQL. */
export function sourceDialect(url: string): SourceDialect {
  return isMysqlUrl(url) ? mysql : postgres;
}

/** A source opened for SQL over whole tables: what diff and rollback read besides the batches. */
export interface WholeTableSource {
  readonly sql: pg.Client;
  /** The relation holding every row of the migration's source table, staged first where needed. */
  relationOf(migration: MigrationNode): Promise<string>;
  end(): Promise<void>;
}

/**
 * Opens the source behind `urls` for queries over whole tables. A MySQL table is staged once, at its
 * first use, in full: what it costs is one read of the table.
 */
export async function openWholeTables(urls: SourceUrls, catalog: Catalog): Promise<WholeTableSource> {
  const dialect = sourceDialect(urls.source);
  const { sql, reader } = await dialect.open(urls, catalog);
  const staged = new Map<string, string>();
  return {
    sql,
    async relationOf(migration) {
      const known = staged.get(migration.name);
      if (known) return known;
      const relation = dialect.sourceRelation?.(migration) ?? quoteQualifiedName(migration.from);
      const table = findTable(catalog, migration.from);
      const key = migration.batch.key ?? table?.primaryKey ?? [];
      await reader.stage(
        sql,
        { sourceName: migration.from, sourceRelation: relation, key: key.map((name) => ({ name })) },
        { low: null, high: null },
      );
      staged.set(migration.name, relation);
      return relation;
    },
    end: async () => {
      await Promise.all([sql.end().catch(() => {}), reader.end().catch(() => {})]);
    },
  };
}
