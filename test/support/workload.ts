// The reference workload (bench/workload/*.sql) and the examples, built on the test server: a source and
// a target database from their SQL files, and for the CLI a project directory whose specs point at them.

import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from './database.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Where a workload's SQL and specs are, relative to the repository root. */
export interface WorkloadFiles {
  /** Names its databases: `ferry_test_<label>_src_…` and `…_tgt_…`. */
  readonly label: string;
  readonly specsDir: string;
  readonly sourceSql: string;
  readonly targetSql: string;
  /** psql variables (`:scale`) the source SQL uses, replaced in its text because node-postgres has none. */
  readonly variables?: Readonly<Record<string, string>>;
}

/** The reference workload at `scale` (0.001 → 1,000 case files), with the repository's specs. */
export function referenceFiles(scale = '0.001'): WorkloadFiles {
  return {
    label: `reference_${scale.replace('.', '_')}`,
    specsDir: 'specs',
    sourceSql: 'bench/workload/legacy_source.sql',
    targetSql: 'bench/workload/legacy_target.sql',
    variables: { scale },
  };
}

export const HR_FILES: WorkloadFiles = {
  label: 'hr',
  specsDir: 'examples/hr/specs',
  sourceSql: 'examples/hr/source.sql',
  targetSql: 'examples/hr/target.sql',
};

export const SHOP_FILES: WorkloadFiles = {
  label: 'shop',
  specsDir: 'examples/shop/specs',
  sourceSql: 'examples/shop/source.sql',
  targetSql: 'examples/shop/target.sql',
};

/** A SQL file's text with its psql variables replaced. */
async function sqlFile(path: string, variables: Readonly<Record<string, string>> = {}): Promise<string> {
  let text = await readFile(join(ROOT, path), 'utf8');
  for (const [name, value] of Object.entries(variables)) {
    const placeholder = `:${name}`;
    // A renamed variable would otherwise reach PostgreSQL as a syntax error far from its cause.
    if (!text.includes(placeholder)) throw new Error(`${path} does not use the psql variable ${placeholder}`);
    text = text.replaceAll(placeholder, value);
  }
  return text;
}

/** A database built by a SQL file; a failure names the file. */
async function databaseFromFile(
  label: string,
  path: string,
  variables: Readonly<Record<string, string>> = {},
): Promise<TestDatabase> {
  const sql = await sqlFile(path, variables);
  try {
    return await createTestDatabase(label, sql);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

/** The workload's source and target databases, neither left behind when one fails. */
export async function workloadDatabases(
  label: string,
  files: WorkloadFiles,
): Promise<{ source: TestDatabase; target: TestDatabase }> {
  const source = await databaseFromFile(`${label}_src`, files.sourceSql, files.variables);
  try {
    return { source, target: await databaseFromFile(`${label}_tgt`, files.targetSql) };
  } catch (error) {
    await source.drop();
    throw error;
  }
}

export interface Workload<Source extends DroppableDatabase = TestDatabase> {
  readonly source: Source;
  readonly target: TestDatabase;
  /** A copy of the specs in a directory of its own, so tests may edit them and write ferry.lock. */
  readonly projectDir: string;
  readonly env: Record<string, string>;
  drop(): Promise<void>;
}

/** The reference workload at `scale` as a project the CLI can run in. */
export function referenceWorkload(label: string, scale = '0.001'): Promise<Workload> {
  return buildWorkload(label, referenceFiles(scale));
}

/** The workload's databases and a copy of its specs, with the environment that points at them. */
export async function buildWorkload(label: string, files: WorkloadFiles): Promise<Workload> {
  const { source, target } = await workloadDatabases(label, files);
  const projectDir = await mkdtemp(join(tmpdir(), 'ferry-project-'));
  await cp(join(ROOT, files.specsDir), join(projectDir, 'specs'), { recursive: true });
  return workloadIn(projectDir, source, target);
}

/** What a workload's source must offer: a URL to point ferry at, and a way to drop it. */
export interface DroppableDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** A workload of a project directory and its two databases, with the environment that points at them. */
export function workloadIn<Source extends DroppableDatabase>(
  projectDir: string,
  source: Source,
  target: TestDatabase,
): Workload<Source> {
  return {
    source,
    target,
    projectDir,
    env: { FERRY_SOURCE_URL: source.url, FERRY_TARGET_URL: target.url },
    drop: async () => {
      await source.drop();
      await target.drop();
    },
  };
}

/** A project written in the test itself: SQL for both databases and the spec files by name. */
export interface InlineProject {
  readonly label: string;
  readonly sourceSql: string;
  readonly targetSql: string;
  /** File name → YAML, written to specs/. A `ferry.yaml` pointing at both databases is added unless given. */
  readonly specs: Readonly<Record<string, string>>;
}

const DEFAULT_PROJECT_YAML = `version: 1
source:
  url: \${env:FERRY_SOURCE_URL}
target:
  url: \${env:FERRY_TARGET_URL}
defaults: { batchSize: auto, onError: pause, onOrphan: fail }
`;

/**
 * Builds an inline project's databases and specs, like buildWorkload does for the files of one.
 *
 * @example
 * const project = await inlineWorkload({ label: 'kinds', sourceSql, targetSql, specs: { 'items.yaml': '…' } });
 */
export async function inlineWorkload(project: InlineProject): Promise<Workload> {
  const source = await createTestDatabase(`${project.label}_src`, project.sourceSql);
  let target: TestDatabase;
  try {
    target = await createTestDatabase(`${project.label}_tgt`, project.targetSql);
  } catch (error) {
    await source.drop();
    throw error;
  }
  const projectDir = await mkdtemp(join(tmpdir(), 'ferry-project-'));
  await mkdir(join(projectDir, 'specs'));
  const files = { 'ferry.yaml': DEFAULT_PROJECT_YAML, ...project.specs };
  for (const [name, text] of Object.entries(files)) await writeFile(join(projectDir, 'specs', name), text);
  return workloadIn(projectDir, source, target);
}
