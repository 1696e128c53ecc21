// Reading and writing ferry.lock. Written deterministically (fixed key order, sorted migrations, no
// line folding), so the same plan always gives the same bytes and a review diff shows only changes.

import { readFile, rename, writeFile } from 'node:fs/promises';
import { Document, isMap, parse, type YAMLMap } from 'yaml';
import { errorDiagnostic, FerryError } from '../errors.js';
import { findInvalidExpression } from '../spec/expression.js';
import { Lockfile } from './lockfile.js';

const HEADER = [
  '# ferry.lock: what `ferry plan` decided for every migration (inferred column mappings with their',
  '# agent, confidence and reason; classes; batch plans), the source time zone, and the spec hashes and',
  '# table fingerprints it decided against. Generated: review its diff and commit it; `ferry plan',
  '# --update-lock` re-asks agents.',
].join('\n');

/** The lockfile at `path`, or undefined when there is none yet. Throws `lock.invalid` when unreadable. */
export async function readLockfile(path: string, displayPath: string): Promise<Lockfile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw invalid(
      displayPath,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`,
    );
  }
  let data: unknown;
  try {
    data = parse(text, { maxAliasCount: 0 });
  } catch (error) {
    throw invalid(displayPath, `is not YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = Lockfile.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') || 'the document';
    throw invalid(
      displayPath,
      `is not in the format this version of ferry writes (${path}: ${issue?.message})`,
    );
  }
  // A pinned `expr` is spliced into SQL as a spec's is: a hand-edited lock gets the same check.
  const bad = await findInvalidExpression(
    Object.entries(parsed.data.migrations).flatMap(([name, entry]) =>
      Object.entries(entry.columns).flatMap(([column, value]) =>
        value.expr === undefined
          ? []
          : [{ subject: `migrations.${name}.columns.${column}.expr`, text: value.expr }],
      ),
    ),
  );
  if (bad)
    throw invalid(
      displayPath,
      `pins an expression that is not one SQL expression (${bad.subject}: ${bad.problem})`,
    );
  return parsed.data;
}

/** Entries written on one line each, so that a review diff shows one changed line per decision. */
const ONE_LINE_ENTRIES = new Set(['source', 'target', 'class', 'batch']);

export function formatLockfile(lock: Lockfile): string {
  const document = new Document(lock);
  const zone = document.get('sourceTimeZone');
  if (isMap(zone)) zone.flow = true;
  const migrations = document.get('migrations');
  if (isMap(migrations)) {
    for (const pair of migrations.items) {
      const migration = pair.value;
      if (!isMap(migration)) continue;
      for (const entry of migration.items) {
        const key = String((entry.key as { value?: unknown }).value);
        if (ONE_LINE_ENTRIES.has(key) && isMap(entry.value)) entry.value.flow = true;
        if (key === 'columns' && isMap(entry.value)) {
          for (const column of (entry.value as YAMLMap).items)
            if (isMap(column.value)) column.value.flow = true;
        }
      }
    }
  }
  return `${HEADER}\n${document.toString({ lineWidth: 0, indent: 2, flowCollectionPadding: true })}`;
}

/** Writes atomically (a temporary file renamed over the old one), so a crash never leaves half a lock. */
export async function writeLockfile(path: string, lock: Lockfile): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, formatLockfile(lock));
  await rename(temporary, path);
}

function invalid(displayPath: string, problem: string): FerryError {
  return new FerryError(
    errorDiagnostic('lock.invalid', `${displayPath} ${problem}`, {
      hint: 'ferry.lock is generated: restore it from version control, or delete it and run `ferry plan`',
      location: { file: displayPath, line: 1, column: 1 },
    }),
  );
}
