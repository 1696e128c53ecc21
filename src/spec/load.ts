// The spec loader: every YAML file under a directory → a SpecSet, or the complete list of what is
// wrong with it. It never stops at the first problem: a reviewer sees all of them in one run.

import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type Diagnostic, errorDiagnostic, hasErrors, sortDiagnostics } from '../errors.js';
import { maskUrl, urlHasPassword } from '../util/mask-url.js';
import { checkAcrossMigrations, type LocatedMigration } from './cross-checks.js';
import { type EnvProblem, interpolateEnv, redactEnvValues, referencesEnv } from './env.js';
import { loadExpressionParser } from './expression.js';
import { checkMigrationExpressions } from './expression-checks.js';
import { normalizeMigration, normalizeProject } from './normalize.js';
import { readSpecFile } from './read-spec-file.js';
import {
  type DocumentKind,
  displayPath,
  documentKind,
  prepareSchemaValidators,
  validateAgainstSchema,
} from './schema-validation.js';
import { checkSourceTimeZone } from './time-zone.js';
import type { ProjectSpec, SpecSet } from './types.js';
import { parseSpecDocuments, type SpecDocument } from './yaml-documents.js';

export interface LoadOptions {
  /** Environment for `${env:NAME}`. Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * When false (`ferry validate --offline`), unset variables are allowed and left empty: for
   * reviewing specs where the connection secrets are not available, such as pull requests from forks.
   */
  readonly requireEnv?: boolean;
  /** File names in diagnostics are relative to this directory. Default: process.cwd(). */
  readonly cwd?: string;
}

export interface LoadResult {
  /** Present only when there are no errors. */
  readonly specs?: SpecSet;
  readonly diagnostics: readonly Diagnostic[];
}

interface ValidDocument {
  readonly document: SpecDocument;
  readonly data: Record<string, unknown>;
}

/**
 * Loads and validates every spec under `directory`.
 *
 * @example
 * const { specs, diagnostics } = await loadSpecs('specs', { requireEnv: false });
 * if (!specs) for (const d of diagnostics) console.error(d.message);
 */
export async function loadSpecs(directory: string, options: LoadOptions = {}): Promise<LoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const files = await listSpecFiles(directory);
  if ('diagnostic' in files) return { diagnostics: [files.diagnostic] };

  const diagnostics: Diagnostic[] = [];
  const parserReady = Promise.all([loadExpressionParser(), prepareSchemaValidators()]);
  const parsedFiles = await Promise.all(
    files.paths.map(async (path) => {
      const display = relative(cwd, path) || path;
      const read = await readSpecFile(path, display);
      if ('diagnostic' in read) return { documents: [], diagnostics: [read.diagnostic] };
      return parseSpecDocuments(read.text, display);
    }),
  );
  await parserReady;

  const projects: ValidDocument[] = [];
  const migrations: ValidDocument[] = [];
  const substituted = new Map<string, string>();
  let projectDocumentSeen = false;
  for (const parsed of parsedFiles) {
    diagnostics.push(...parsed.diagnostics);
    for (const document of parsed.documents) {
      const { kind, valid } = validateDocument(document, options, diagnostics, substituted);
      projectDocumentSeen ||= kind === 'project';
      if (valid) (kind === 'project' ? projects : migrations).push(valid);
    }
  }

  if (!projectDocumentSeen && parsedFiles.every((f) => f.diagnostics.length === 0)) {
    diagnostics.push(noProjectFile(directory, cwd));
  }
  const project = loadProject(projects, diagnostics);
  const located: LocatedMigration[] = [];
  for (const { document, data } of migrations) {
    const result = normalizeMigration(document, data, { project, written: document.data });
    diagnostics.push(...result.diagnostics);
    if (result.migration) located.push({ migration: result.migration, document });
  }
  diagnostics.push(...checkAcrossMigrations(located));

  const sorted = sortDiagnostics(diagnostics.map((d) => withoutEnvValues(d, substituted)));
  if (hasErrors(sorted) || !project) return { diagnostics: sorted };
  return { specs: { directory, project, migrations: located.map((l) => l.migration) }, diagnostics: sorted };
}

/** The spec files the loader reads under `directory`, sorted; hidden files and folders left out. */
export async function listSpecFiles(
  directory: string,
): Promise<{ paths: string[] } | { diagnostic: Diagnostic }> {
  const isDirectory = await stat(directory).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDirectory) {
    return {
      diagnostic: errorDiagnostic('spec.dir-missing', `spec directory \`${directory}\` does not exist`, {
        hint: 'run ferry from the project root (where specs/ is), pass the directory, or use --dir',
      }),
    };
  }
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  const paths = entries
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter(
      (path) =>
        !relative(directory, path)
          .split(/[\\/]/)
          .some((part) => part.startsWith('.')),
    )
    .sort();
  return { paths };
}

function validateDocument(
  document: SpecDocument,
  options: LoadOptions,
  diagnostics: Diagnostic[],
  substituted: Map<string, string>,
): { kind?: DocumentKind; valid?: ValidDocument } {
  if (document.data === null || typeof document.data !== 'object' || Array.isArray(document.data)) {
    diagnostics.push(
      errorDiagnostic('spec.schema', 'a spec document must be a mapping of keys to values', {
        hint: 'a migration starts with `migration: <name>`; the project file with `version: 1`',
        location: document.locate([]),
      }),
    );
    return {};
  }
  const interpolated = interpolateEnv(document.data, {
    env: options.env ?? process.env,
    requireSet: options.requireEnv ?? true,
  });
  diagnostics.push(...interpolated.problems.map((p) => envDiagnostic(document, p)));
  for (const [name, value] of interpolated.substituted) substituted.set(name, value);
  const data = interpolated.value as Record<string, unknown>;
  const kind = documentKind(data);
  const schemaErrors = validateAgainstSchema(document, data, kind);
  diagnostics.push(...schemaErrors);
  if (kind === 'migration') diagnostics.push(...checkMigrationExpressions(document, data));
  if (kind === 'project')
    diagnostics.push(...literalSecrets(document), ...checkSourceTimeZone(document, data));
  if (schemaErrors.length > 0 || interpolated.problems.length > 0) return { kind };
  return { kind, valid: { document, data } };
}

/** Messages name a variable, never its value, whichever check printed what it read. */
function withoutEnvValues(diagnostic: Diagnostic, substituted: ReadonlyMap<string, string>): Diagnostic {
  if (substituted.size === 0) return diagnostic;
  const message = redactEnvValues(diagnostic.message, substituted);
  const hint = diagnostic.hint === undefined ? undefined : redactEnvValues(diagnostic.hint, substituted);
  if (message === diagnostic.message && hint === diagnostic.hint) return diagnostic;
  return { ...diagnostic, message, ...(hint === undefined ? {} : { hint }) };
}

function envDiagnostic(document: SpecDocument, problem: EnvProblem): Diagnostic {
  const location = document.locate(problem.path);
  if (problem.kind === 'syntax') {
    return errorDiagnostic(
      'spec.env-syntax',
      `\`${problem.text}\` in \`${displayPath(problem.path)}\` is not an environment reference`,
      {
        hint: 'write ${env:NAME} (NAME: letters, digits, underscores); write $${ for a literal ${',
        location,
      },
    );
  }
  return errorDiagnostic(
    'spec.env-unset',
    `environment variable ${problem.text} is not set (used by \`${displayPath(problem.path)}\`)`,
    {
      hint: `export ${problem.text}=… before running ferry, or run \`ferry validate --offline\` to check specs without it`,
      location,
    },
  );
}

/** Secrets come only from the environment: a password written into a spec would end up in git. */
function literalSecrets(document: SpecDocument): Diagnostic[] {
  const data = document.data as Record<string, { url?: unknown } | undefined>;
  return (['source', 'target'] as const).flatMap((side) => {
    const url = data[side]?.url;
    if (typeof url !== 'string' || referencesEnv(url) || !urlHasPassword(url)) return [];
    return [
      errorDiagnostic('spec.secret-literal', `\`${side}.url\` contains a password (${maskUrl(url)})`, {
        hint: `move the URL into an environment variable and write url: \${env:FERRY_${side.toUpperCase()}_URL}`,
        location: document.locate([side, 'url']),
      }),
    ];
  });
}

function loadProject(projects: readonly ValidDocument[], diagnostics: Diagnostic[]): ProjectSpec | undefined {
  const [first, ...others] = projects;
  for (const other of others) {
    diagnostics.push(
      errorDiagnostic('spec.project-duplicate', 'a second project document (version, source, target)', {
        hint: `a project has one project file; the first is ${first?.document.file}`,
        location: other.document.locate([]),
      }),
    );
  }
  return first ? normalizeProject(first.document, first.data) : undefined;
}

function noProjectFile(directory: string, cwd: string): Diagnostic {
  return errorDiagnostic('spec.no-project', `no project file in \`${relative(cwd, directory) || '.'}\``, {
    hint: 'add specs/ferry.yaml with `version: 1`, `source: { url: ${env:FERRY_SOURCE_URL} }` and `target: { url: ${env:FERRY_TARGET_URL} }`',
  });
}
