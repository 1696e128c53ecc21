// Reads the parts of a basis from where they are now: the spec files' and ferry.lock's bytes, the
// tables and time zone of a plan just made, and what `_ferry` in the target holds. `plan --out`
// records them; `apply FILE` reads them again to compare.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type { Plan } from '../compiler/plan.js';
import { readTargetState } from '../diff/applied-state.js';
import { FerryError } from '../errors.js';
import { sessionTimeZone } from '../runner/session.js';
import { listSpecFiles } from '../spec/load.js';
import { formatQualifiedName } from '../spec/qualified-name.js';
import { type AppliedDigest, type PlanBasis, SAVED_PLAN_FORMAT_VERSION } from './basis.js';
import { FERRY_VERSION } from './ferry-version.js';

/** Where the project's files are. */
export interface ProjectFiles {
  readonly specsDir: string;
  readonly lockPath: string;
}

/** The bytes of a file as a basis records them: any edit, a comment or a blank line too, moves it. */
function hashBytes(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Every spec file the loader would read, by its path under the specs directory. */
export async function hashSpecFiles(specsDir: string): Promise<Record<string, string>> {
  const listed = await listSpecFiles(specsDir);
  if ('diagnostic' in listed) throw new FerryError(listed.diagnostic);
  const entries = await Promise.all(
    listed.paths.map(async (path) => [specKey(specsDir, path), hashBytes(await readFile(path))] as const),
  );
  return Object.fromEntries(entries);
}

/** A spec file's key: its path under the specs directory with `/`, the same on every machine. */
function specKey(specsDir: string, path: string): string {
  return relative(specsDir, path).split(sep).join('/');
}

/** ferry.lock's bytes hashed; null when there is no lockfile. */
export async function hashLockfile(lockPath: string): Promise<string | null> {
  try {
    return hashBytes(await readFile(lockPath));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Each migration's tables as the plan was resolved against them. */
export function tablesOfPlan(plan: Plan): PlanBasis['tables'] {
  return Object.fromEntries(
    plan.migrations.flatMap((m) =>
      m.tables
        ? [
            [
              m.name,
              {
                source: { table: formatQualifiedName(m.from), fingerprint: m.tables.source.fingerprint },
                target: { table: formatQualifiedName(m.to), fingerprint: m.tables.target.fingerprint },
              },
            ],
          ]
        : [],
    ),
  );
}

/**
 * What `_ferry` in the target holds of each named migration, read without creating anything. A
 * target without `_ferry` holds nothing of any: every entry is null.
 */
export async function readAppliedDigests(
  targetUrl: string,
  migrations: readonly string[],
): Promise<Record<string, AppliedDigest>> {
  const state = await readTargetState(targetUrl);
  return Object.fromEntries(
    migrations.map((name) => {
      const applied = state.applied.get(name);
      if (!applied) return [name, null];
      const digest: AppliedDigest = {
        phase: applied.control.phase,
        mappingHash: applied.control.mappingHash,
        batchesDone: applied.status.batches.done,
        batchesTotal: applied.status.batches.total,
        rows: applied.status.rows,
      };
      return [name, digest];
    }),
  );
}

/**
 * The basis of a plan just made: read after the plan, so the spec files and ferry.lock are those it
 * read and wrote.
 *
 * @example
 * const basis = await readBasis(result.plan, { specsDir: 'specs', lockPath: 'ferry.lock' }, targetUrl);
 */
export async function readBasis(plan: Plan, files: ProjectFiles, targetUrl: string): Promise<PlanBasis> {
  return {
    formatVersion: SAVED_PLAN_FORMAT_VERSION,
    ferryVersion: FERRY_VERSION,
    createdAt: new Date().toISOString(),
    specs: await hashSpecFiles(files.specsDir),
    lock: await hashLockfile(files.lockPath),
    sourceTimeZone: sessionTimeZone(plan),
    tables: tablesOfPlan(plan),
    applied: await readAppliedDigests(
      targetUrl,
      plan.migrations.map((m) => m.name),
    ),
  };
}
