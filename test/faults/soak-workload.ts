// The soak's workload: the reference workload (bench/workload, specs/) at a small scale, built on any
// PostgreSQL server the soak is given (the script runs outside the test runner, so it cannot use the
// suite's database helpers), with one addition: case files may be merged into another case file, a
// reference into their own table, so that case_files has a fix-up step to be killed in.

import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Checks, REFERENCE_CHECKS } from '../support/checksums.js';
import type { TestDatabase } from '../support/database.js';
import { ROOT, type Workload, workloadIn } from '../support/workload.js';

/** Every third case file is merged into another one, before or after it in key order. */
const SOURCE_MERGES = `
ALTER TABLE legacy.dispatch_casefile ADD COLUMN merged_into_id bigint REFERENCES legacy.dispatch_casefile(id);
UPDATE legacy.dispatch_casefile c SET merged_into_id = 1 + (c.id * 7919) % n.rows
  FROM (SELECT count(*) AS rows FROM legacy.dispatch_casefile) n WHERE c.id % 3 = 0;
ANALYZE legacy.dispatch_casefile;`;

const TARGET_MERGES = `ALTER TABLE app.case_files ADD COLUMN merged_into_id bigint REFERENCES app.case_files(id);`;

const CASE_FILES_SPEC = `# Case files, merged into one another: merged_into_id points into this same table (a fix-up).
migration: case_files
from: legacy.dispatch_casefile
to: app.case_files
columns:
  bracket_id: { ref: brackets }
  active: { expr: "is_active <> 0" }
  merged_into_id: { ref: case_files }
`;

/** The reference checks (test/support/checksums.ts), case files with their merge reference. */
export const MERGED_REFERENCE_CHECKS = {
  ...REFERENCE_CHECKS,
  case_files: [
    `SELECT id, case_number, bracket_id, status, opened_on, notes, is_active <> 0, merged_into_id
       FROM legacy.dispatch_casefile`,
    `SELECT id, case_number, bracket_id, status, opened_on, notes, active, merged_into_id FROM app.case_files`,
  ],
} as const satisfies Checks;

/** A migration's mapped values on both sides, and how many leading columns are its key. */
export interface SoakCheck {
  readonly source: string;
  readonly target: string;
  readonly keyColumns: number;
}

/** The merged reference checks, keyed: the junction's key is its two columns, the others' their first. */
export const SOAK_CHECKS: Readonly<Record<string, SoakCheck>> = Object.fromEntries(
  Object.entries(MERGED_REFERENCE_CHECKS).map(([name, [source, target]]) => [
    name,
    { source, target, keyColumns: name === 'case_file_tags' ? 2 : 1 },
  ]),
);

/** The migrations of the soak's plan and their target tables. */
export const SOAK_TABLES: Readonly<Record<string, string>> = {
  brackets: 'app.brackets',
  tags: 'app.tags',
  case_files: 'app.case_files',
  orders: 'app.orders',
  case_file_tags: 'app.case_file_tags',
};

/**
 * Batch sizes that cut the big tables into about ten batches each at `scale`, so that kills land
 * between batches as well as in them.
 */
export function soakBatchSizes(scale: number): Readonly<Record<string, number>> {
  const caseFiles = Math.round(1_000_000 * scale);
  return {
    case_files: Math.max(1, Math.ceil(caseFiles / 10)),
    orders: Math.max(1, Math.ceil((2 * caseFiles) / 10)),
    case_file_tags: Math.max(1, Math.ceil((2 * caseFiles) / 10)),
  };
}

/**
 * The batches each migration is cut in with soakBatchSizes: at most, for the junction, whose pairs
 * that collide on (case, tag) the source drops.
 */
export function soakBatchCounts(scale: number): Readonly<Record<string, number>> {
  const caseFiles = Math.round(1_000_000 * scale);
  const sizes = soakBatchSizes(scale);
  const batches = (rows: number, size: number | undefined) => Math.ceil(rows / (size ?? rows));
  return {
    brackets: 1,
    tags: 1,
    case_files: batches(caseFiles, sizes.case_files),
    orders: batches(2 * caseFiles, sizes.orders),
    case_file_tags: batches(2 * caseFiles, sizes.case_file_tags),
  };
}

/**
 * Builds the soak's source and target databases on the server at `serverUrl` and a project whose
 * specs point at them; `drop()` removes both databases and the project directory.
 *
 * @example
 * const workload = await buildSoakWorkload('postgres://postgres@127.0.0.1:5432/postgres', 0.002);
 */
export function buildSoakWorkload(serverUrl: string, scale: number): Promise<Workload> {
  return buildReferenceWorkload({
    label: 'soak',
    sourceServer: serverUrl,
    targetServer: serverUrl,
    scale,
    merges: true,
  });
}

/**
 * The reference workload with its source and target on servers of the caller's choice (the suite's
 * helpers put both on the suite's server), optionally with the soak's merged case files.
 */
export async function buildReferenceWorkload(options: {
  /** Names the databases: `ferry_<label>_src_…`, `…_tgt_…`. */
  readonly label: string;
  readonly sourceServer: string;
  readonly targetServer: string;
  readonly scale: number;
  readonly merges: boolean;
}): Promise<Workload> {
  const { label, sourceServer, targetServer, scale, merges } = options;
  const sourceSql = (await readFile(join(ROOT, 'bench/workload/legacy_source.sql'), 'utf8')).replaceAll(
    ':scale',
    String(scale),
  );
  const targetSql = await readFile(join(ROOT, 'bench/workload/legacy_target.sql'), 'utf8');
  const source = await createServerDatabase(
    sourceServer,
    `${label}_src`,
    merges ? `${sourceSql}\n${SOURCE_MERGES}` : sourceSql,
  );
  let target: TestDatabase;
  try {
    target = await createServerDatabase(
      targetServer,
      `${label}_tgt`,
      merges ? `${targetSql}\n${TARGET_MERGES}` : targetSql,
    );
  } catch (error) {
    await source.drop();
    throw error;
  }
  const projectDir = await mkdtemp(join(tmpdir(), 'ferry-soak-'));
  await cp(join(ROOT, 'specs'), join(projectDir, 'specs'), { recursive: true });
  if (merges) await writeFile(join(projectDir, 'specs', 'case_files.yaml'), CASE_FILES_SPEC);
  const workload = workloadIn(projectDir, source, target);
  return {
    ...workload,
    drop: async () => {
      await workload.drop();
      await rm(projectDir, { recursive: true, force: true });
    },
  };
}

/** A database named `ferry_<label>_<random>` on the server, built by `script`. */
async function createServerDatabase(serverUrl: string, label: string, script: string): Promise<TestDatabase> {
  const name = `ferry_${label}_${randomBytes(4).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database: TestDatabase = {
    url: url.toString(),
    name,
    query: (sql, values) =>
      withClient(url.toString(), async (client) => {
        const result = (await client.query(sql, values)) as unknown as pg.QueryResult | pg.QueryResult[];
        return (Array.isArray(result) ? result.at(-1)?.rows : result.rows) ?? [];
      }),
    withClient: (work) => withClient(url.toString(), work),
    drop: () =>
      withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => {},
      ),
  };
  try {
    await database.query(script);
  } catch (error) {
    await database.drop();
    throw error;
  }
  return database;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
