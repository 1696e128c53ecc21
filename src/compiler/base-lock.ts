// The base branch's ferry.lock for `state:modified` and the pull-request report, read from a file the
// workflow writes (`git show "$BASE_SHA:ferry.lock" > base.lock`). An empty file stands for a base
// branch that had no lockfile yet: then every migration is new.

import { readFile } from 'node:fs/promises';
import { errorDiagnostic, FerryError } from '../errors.js';
import { readLockfile } from '../lock/lock-io.js';
import { LOCK_VERSION } from '../lock/lockfile.js';
import type { BaseLock } from './state-modified.js';

const HINT =
  'write the base branch’s lockfile to a file and pass it: git show "$BASE_SHA:ferry.lock" > base.lock (an empty file when the base branch has none)';

/**
 * Reads the base lockfile at `path`. Throws `select.base-lock` when it is missing or not a lockfile.
 *
 * @example
 * const base = await readBaseLock('/tmp/base.lock', 'base.lock');
 */
export async function readBaseLock(path: string, displayName: string): Promise<BaseLock> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw baseLockError(
      `cannot read the base lockfile ${displayName} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`,
    );
  }
  if (text.trim() === '') return { lock: { lockVersion: LOCK_VERSION, migrations: {} }, name: displayName };
  try {
    const lock = await readLockfile(path, displayName);
    if (lock) return { lock, name: displayName };
  } catch (error) {
    if (error instanceof FerryError) throw baseLockError(`base lockfile ${error.message}`);
    throw error;
  }
  throw baseLockError(`the base lockfile ${displayName} vanished while it was read`);
}

function baseLockError(message: string): FerryError {
  return new FerryError(errorDiagnostic('select.base-lock', message, { hint: HINT }));
}
