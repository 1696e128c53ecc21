// Builds the reference workload (bench/workload/*.sql) or an example's databases on the test server:
// a source and a target database, and a project directory whose specs point at them.

import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from './database.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Workload {
  readonly source: TestDatabase;
  readonly target: TestDatabase;
  /** A copy of the specs in a directory of its own, so tests may edit them and write ferry.lock. */
  readonly projectDir: string;
  readonly env: Record<string, string>;
  drop(): Promise<void>;
}

export async function sqlFile(path: string, variables: Record<string, string> = {}): Promise<string> {
  let text = await readFile(join(ROOT, path), 'utf8');
  for (const [name, value] of Object.entries(variables)) text = text.replaceAll(`:${name}`, value);
  return text;
}

/** The reference workload at `scale` (0.001 → 1,000 case files), with the repository's specs. */
export async function referenceWorkload(label: string, scale = '0.001'): Promise<Workload> {
  return buildWorkload(label, {
    sourceSql: await sqlFile('bench/workload/legacy_source.sql', { scale }),
    targetSql: await sqlFile('bench/workload/legacy_target.sql'),
    specsDir: 'specs',
  });
}

export async function buildWorkload(
  label: string,
  parts: { sourceSql: string; targetSql: string; specsDir: string },
): Promise<Workload> {
  const source = await createTestDatabase(`${label}_src`);
  const target = await createTestDatabase(`${label}_dst`);
  await source.query(parts.sourceSql);
  await target.query(parts.targetSql);
  const projectDir = await mkdtemp(join(tmpdir(), 'ferry-project-'));
  await cp(join(ROOT, parts.specsDir), join(projectDir, 'specs'), { recursive: true });
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
