// The demo's data: the reference workload (bench/workload) as a source database, the empty new schema
// as a target database, and the specs shipped with ferry as the project, all on the demo's server.

import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { groupDigits } from '../report/plan-report.js';

/** The specs shipped with ferry for the reference workload. */
export const REFERENCE_SPECS_DIR = fileURLToPath(new URL('../../specs', import.meta.url));
const WORKLOAD_DIR = fileURLToPath(new URL('../../bench/workload', import.meta.url));

/** 10,000 case files, 20,000 orders: large enough to be real, small enough to load in seconds. */
const DEMO_SCALE = '0.01';

/**
 * Rows per batch in the demo's copy of the project file, in place of `auto` (which loads this small a
 * workload in one batch per table): a few batches per table, so that progress has something to show.
 */
export const DEMO_BATCH_SIZE = 5000;

export const DEMO_DATABASES = { source: 'legacy_source', target: 'app_target' } as const;

/** Creates both databases and loads the source; the target gets the new schema, empty. */
export async function loadWorkload(url: (database: string) => string): Promise<void> {
  await run(
    url('postgres'),
    `CREATE DATABASE ${DEMO_DATABASES.source}`,
    `CREATE DATABASE ${DEMO_DATABASES.target}`,
  );
  const source = await readFile(join(WORKLOAD_DIR, 'legacy_source.sql'), 'utf8');
  await run(url(DEMO_DATABASES.source), source.replaceAll(':scale', DEMO_SCALE));
  await run(url(DEMO_DATABASES.target), await readFile(join(WORKLOAD_DIR, 'legacy_target.sql'), 'utf8'));
}

/** The project: ferry's reference specs, with the demo's batch size. */
export async function writeProject(projectDir: string): Promise<void> {
  const specsDir = join(projectDir, 'specs');
  await cp(REFERENCE_SPECS_DIR, specsDir, { recursive: true });
  const projectFile = join(specsDir, 'ferry.yaml');
  const text = await readFile(projectFile, 'utf8');
  if (!text.includes('batchSize: auto')) throw new Error('specs/ferry.yaml no longer sets batchSize: auto');
  await writeFile(projectFile, text.replace('batchSize: auto', `batchSize: ${DEMO_BATCH_SIZE}`));
}

/** `1,569 bracket, 10,000 casefile, …`: the source tables and their rows. */
export async function describeSource(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; n: string }>(
      `SELECT c.relname AS name, c.reltuples::bigint AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
       WHERE s.nspname = 'legacy' AND c.relkind = 'r' ORDER BY c.relname`,
    );
    return rows.map((r) => `${groupDigits(Number(r.n))} ${r.name.replace('dispatch_', '')}`).join(', ');
  } finally {
    await client.end();
  }
}

/** Each statement on its own: CREATE DATABASE cannot run in a multi-statement query's transaction. */
async function run(url: string, ...statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}
