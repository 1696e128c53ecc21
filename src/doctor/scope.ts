// What doctor checks, from the project: both URLs, and the source and target tables of every
// (selected) migration with the workers apply would run. Specs that do not load are a failed check,
// not the end: the project file's URLs are read on their own, so the connections are still checked.

import { join } from 'node:path';
import { loadPlan } from '../compiler/load-plan.js';
import type { MigrationNode, Plan } from '../compiler/plan.js';
import { type Selection, selectMigrations } from '../compiler/select.js';
import { type Diagnostic, FerryError } from '../errors.js';
import { readLockfile } from '../lock/lock-io.js';
import { LOCK_FILE_NAME, type Lockfile } from '../lock/lockfile.js';
import { readProjectUrls } from './project-urls.js';
import { count, type DoctorScope, fail, type ScopedMigration } from './types.js';

export interface ScopeOptions extends Selection {
  readonly projectDir: string;
  readonly specsDir?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Batches apply would load at once per migration (`apply --workers`). */
  readonly workers?: number;
}

const SPECS_TITLE = 'specs load';

export async function loadDoctorScope(options: ScopeOptions): Promise<DoctorScope> {
  const specsDir = options.specsDir ?? join(options.projectDir, 'specs');
  const env = options.env ?? process.env;
  let loaded: Awaited<ReturnType<typeof loadPlan>>;
  try {
    loaded = await loadPlan(specsDir, { env, cwd: options.projectDir });
  } catch (error) {
    if (!(error instanceof FerryError)) throw error;
    return {
      urls: await readProjectUrls(specsDir, env),
      migrations: [],
      layers: [],
      specs: { id: 'specs', title: SPECS_TITLE, ...fail(specProblems(error.diagnostics)) },
    };
  }
  const { specs, plan } = loaded;
  // A selector that matches nothing is a mistake on the command line: it throws, as in the other commands.
  const names = new Set(selectMigrations(plan, options));
  const lock = await readLockfile(join(options.projectDir, LOCK_FILE_NAME), LOCK_FILE_NAME).catch(
    () => undefined,
  );
  const migrations = plan.migrations
    .filter((m) => names.has(m.name))
    .map((m) => scopedMigration(m, lock, options.workers));
  const tables = new Set(migrations.flatMap((m) => [m.from, m.to].map((t) => `${t.schema}.${t.name}`))).size;
  // As plan chooses it: the project file's declaration wins over ferry.lock's pin.
  const declaredZone = specs.project.sourceTimeZone?.name;
  const pinnedZone = lock?.sourceTimeZone?.name;
  return {
    ...(declaredZone
      ? { sourceTimeZone: { name: declaredZone, origin: 'declared' as const } }
      : pinnedZone
        ? { sourceTimeZone: { name: pinnedZone, origin: 'pinned' as const } }
        : {}),
    urls: { source: specs.project.source.url, target: specs.project.target.url },
    migrations,
    layers: layersOf(plan, names),
    specs: {
      id: 'specs',
      title: SPECS_TITLE,
      status: 'ok',
      detail: `${count(migrations.length, 'migration')} over ${count(tables, 'table')}`,
    },
  };
}

function scopedMigration(
  migration: MigrationNode,
  lock: Lockfile | undefined,
  workers: number | undefined,
): ScopedMigration {
  const locked = lock?.migrations[migration.name];
  const lockedRefs = Object.values(locked?.columns ?? {}).some((c) => c.ref !== undefined);
  return {
    name: migration.name,
    from: migration.from,
    to: migration.to,
    // As batch-layout decides, as far as the specs and ferry.lock tell without the catalogs.
    staged:
      migration.keys === 'generate' ||
      migration.fixups.length > 0 ||
      migration.columns.some((c) => c.ref !== undefined) ||
      lockedRefs,
    workers: workers ?? locked?.batch?.parallelism ?? 1,
  };
}

function layersOf(plan: Plan, names: ReadonlySet<string>): string[][] {
  return plan.layers
    .map((layer) => layer.filter((name) => names.has(name)))
    .filter((layer) => layer.length > 0);
}

function specProblems(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0] ?? diagnostics[0];
  if (!first) return 'the specs could not be loaded';
  const where = first.location
    ? `${first.location.file}:${first.location.line}:${first.location.column}: `
    : '';
  const more =
    errors.length > 1
      ? ` (and ${count(errors.length - 1, 'more problem')}: \`ferry validate\` lists them)`
      : '';
  return `${where}${first.message}${more}`;
}
