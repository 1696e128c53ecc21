// The reference workload as the apply benchmark uses it: the source built at a scale, the two target
// schemas (preserved keys, and the ID-remap variant), and the checks that prove a run moved every row
// right: per table a count and a checksum of the mapped values, source against target.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Checks, REFERENCE_CHECKS } from '../../test/support/checksums.js';
import type { BenchDatabase } from './databases.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export const WORKLOAD_FILES = {
  source: join(REPO, 'bench/workload/legacy_source.sql'),
  target: join(REPO, 'bench/workload/legacy_target.sql'),
  specs: join(REPO, 'specs'),
  /** specs/ with this file in place of specs/case_files.yaml: case files get new keys. */
  remapCaseFiles: join(REPO, 'bench/id-remap/case_files.yaml'),
  remapTarget: join(REPO, 'bench/id-remap/target.sql'),
} as const;

/** The source tables, for row counts: every floor and peer moves exactly these rows. */
export const SOURCE_TABLES = {
  brackets: 'legacy.dispatch_bracket',
  tags: 'legacy.dispatch_tag',
  case_files: 'legacy.dispatch_casefile',
  orders: 'legacy.dispatch_order',
  case_file_tags: 'legacy.dispatch_casefile_tags',
} as const;

/** The same migrations by their target tables (ferry and the floors load these). */
export const TARGET_TABLES = {
  brackets: 'app.brackets',
  tags: 'app.tags',
  case_files: 'app.case_files',
  orders: 'app.orders',
  case_file_tags: 'app.case_file_tags',
} as const;

/** pgloader copies the source tables as they are, into the target's schema `legacy`. */
export const PGLOADER_TABLES = SOURCE_TABLES;

export type Migration = keyof typeof SOURCE_TABLES;

/** The reference checks of the test suite: preserved keys, so every table compares by its own key. */
export { REFERENCE_CHECKS };

/**
 * The ID-remap variant: case files have new keys, so they are compared by source key through
 * `_ferry.migration_mappings`, and the refs to them (orders, the junction) by the case number.
 */
export const REMAP_CHECKS: Checks = {
  ...REFERENCE_CHECKS,
  case_files: [
    `SELECT id, case_number, bracket_id, status, opened_on, notes, is_active <> 0 FROM legacy.dispatch_casefile`,
    `SELECT (m.source_key->>0)::bigint, c.case_number, c.bracket_id, c.status, c.opened_on, c.notes, c.active
       FROM app.case_files c
       JOIN _ferry.migration_mappings m ON m.migration = 'case_files' AND (m.target_key->>0)::bigint = c.id`,
  ],
  orders: [
    `SELECT o.id, c.case_number, (o.amount_cents / 100.0)::numeric(12,2), o.currency, o.placed_at::timestamptz
       FROM legacy.dispatch_order o JOIN legacy.dispatch_casefile c ON c.id = o.casefile_id`,
    `SELECT o.id, c.case_number, o.amount, o.currency, o.placed_at
       FROM app.orders o JOIN app.case_files c ON c.id = o.case_file_id`,
  ],
  case_file_tags: [
    `SELECT c.case_number, t.tag_id
       FROM legacy.dispatch_casefile_tags t JOIN legacy.dispatch_casefile c ON c.id = t.casefile_id`,
    `SELECT c.case_number, t.tag_id FROM app.case_file_tags t JOIN app.case_files c ON c.id = t.case_file_id`,
  ],
};

/** The source SQL at `scale`, its psql variable replaced in the text (node-postgres has none). */
export async function sourceSql(scale: number): Promise<string> {
  const text = await readFile(WORKLOAD_FILES.source, 'utf8');
  if (!text.includes(':scale'))
    throw new Error(`${WORKLOAD_FILES.source} no longer uses the psql variable :scale`);
  return text.replaceAll(':scale', String(scale));
}

/**
 * Builds the source at `scale` and freezes it, so that no measured run pays for setting hint bits on
 * rows it is the first to read. Returns the rows of each source table.
 */
export async function buildSource(
  source: BenchDatabase,
  scale: number,
): Promise<Readonly<Record<Migration, number>>> {
  await source.query(await sourceSql(scale));
  await source.query(`VACUUM (FREEZE, ANALYZE) ${Object.values(SOURCE_TABLES).join(', ')}`);
  return countRows(source, SOURCE_TABLES);
}

/** Rows of each table, by migration. */
export async function countRows(
  database: BenchDatabase,
  tables: Readonly<Record<Migration, string>>,
): Promise<Record<Migration, number>> {
  const names = Object.keys(tables) as Migration[];
  const counts = names.map((name) => `(SELECT count(*) FROM ${tables[name]})::bigint AS ${name}`);
  const [row] = await database.query<Record<Migration, string>>(`SELECT ${counts.join(', ')}`);
  if (!row) throw new Error('no row counts');
  return Object.fromEntries(names.map((name) => [name, Number(row[name])])) as Record<Migration, number>;
}

export interface Checksum {
  readonly rows: number;
  /** The sum of the rows' md5 prefixes: independent of order, and no table's text held in memory. */
  readonly hash: string;
}

/**
 * Rows of `select` and a checksum of their text forms (`rowText`, over the rows as `t`), computed by the
 * server. The test suite hashes the sorted rows as one string; at scale 4 that string would near
 * PostgreSQL's 1 GB limit, so here each row's md5 is summed instead (a lost, doubled or changed row
 * still changes the sum). The prefix is 60 bits, so that it is non-negative on PostgreSQL and MySQL alike.
 */
export function checksum(database: BenchDatabase, select: string, rowText = 't::text'): Promise<Checksum> {
  return database.withClient(async (client) => {
    // One zone on both sides, so that timestamptz values print alike.
    await client.query(`SET TimeZone = 'UTC'`);
    const { rows } = await client.query<{ rows: string; hash: string }>(
      `SELECT count(*)::text AS rows,
              coalesce(sum(('x' || left(md5(${rowText}), 15))::bit(60)::bigint::numeric), 0)::text AS hash
         FROM (${select}) t`,
    );
    const row = rows[0];
    if (!row) throw new Error('no checksum');
    return { rows: Number(row.rows), hash: row.hash };
  });
}

/** Each check's source side, computed once: the source does not change between runs. */
export async function sourceChecksums(
  source: BenchDatabase,
  checks: Checks,
): Promise<ReadonlyMap<string, Checksum>> {
  const sums = new Map<string, Checksum>();
  for (const [name, [select]] of Object.entries(checks)) sums.set(name, await checksum(source, select));
  return sums;
}

/** The tables whose target does not match the source, with what differs; empty when all agree. */
export async function disagreements(
  target: BenchDatabase,
  checks: Checks,
  expected: ReadonlyMap<string, Checksum>,
  rowText = 't::text',
): Promise<string[]> {
  const problems: string[] = [];
  for (const [name, [, select]] of Object.entries(checks)) {
    const want = expected.get(name);
    const got = await checksum(target, select, rowText);
    if (!want) throw new Error(`no source checksum for ${name}`);
    if (want.rows === 0) problems.push(`${name}: the source check selects no rows`);
    else if (got.rows !== want.rows)
      problems.push(`${name}: ${got.rows} rows in the target, ${want.rows} in the source`);
    else if (got.hash !== want.hash) problems.push(`${name}: ${got.rows} rows, but their values differ`);
  }
  return problems;
}

/** Tables whose row count differs from the source's: the cheap check for the floors and pgloader. */
export async function countMismatches(
  target: BenchDatabase,
  tables: Readonly<Record<Migration, string>>,
  expected: Readonly<Record<Migration, number>>,
): Promise<string[]> {
  const counts = await countRows(target, tables);
  return (Object.keys(expected) as Migration[])
    .filter((name) => counts[name] !== expected[name])
    .map((name) => `${tables[name]}: ${counts[name]} rows, the source has ${expected[name]}`);
}
