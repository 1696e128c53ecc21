// Turns schema-valid documents into typed specs: table names resolved, column shorthands expanded,
// defaults applied, identifiers checked (expressions have a pass of their own: expression-checks.ts). Runs only on documents that passed the schema,
// so the casts below describe shapes ajv has already guaranteed.

import { type Diagnostic, errorDiagnostic } from '../errors.js';
import { hashCanonical } from '../util/canonical-json.js';
import {
  formatQualifiedName,
  identifierTooLong,
  MAX_IDENTIFIER_BYTES,
  resolveTableName,
} from './qualified-name.js';
import type {
  AgentSpec,
  BuiltinAgentName,
  ColumnSpec,
  ConnectionSpec,
  MigrationSpec,
  ProjectSpec,
  QualifiedName,
} from './types.js';
import type { PathSegment, SpecDocument } from './yaml-documents.js';

type Raw = Record<string, unknown>;
type TableNameValue = string | { schema?: string; table: string };

export const DEFAULT_AGENTS: readonly BuiltinAgentName[] = ['schema', 'mapping', 'planning'];
const DEFAULT_AGENT_TIMEOUT_SECONDS = 60;

export function normalizeProject(document: SpecDocument, data: Raw): ProjectSpec {
  const defaults = (data.defaults ?? {}) as Raw;
  const agents = (data.agents as unknown[] | undefined) ?? DEFAULT_AGENTS;
  return {
    version: 1,
    source: connection(data.source as Raw),
    target: connection(data.target as Raw),
    defaults: {
      batchSize: (defaults.batchSize as ProjectSpec['defaults']['batchSize'] | undefined) ?? 'auto',
      keys: (defaults.keys as ProjectSpec['defaults']['keys'] | undefined) ?? 'preserve',
      onError: (defaults.onError as ProjectSpec['defaults']['onError'] | undefined) ?? 'pause',
      onOrphan: (defaults.onOrphan as ProjectSpec['defaults']['onOrphan'] | undefined) ?? 'fail',
    },
    agents: agents.map(agentSpec),
    ...(typeof data.sourceTimeZone === 'string'
      ? {
          sourceTimeZone: {
            name: data.sourceTimeZone,
            location: document.locate(['sourceTimeZone']),
          },
        }
      : {}),
    connectionVariables: referencedVariables(document.data),
    location: document.locate([]),
  };
}

/** Variables named by `${env:…}` in the written (not interpolated) source and target sections. */
function referencedVariables(written: unknown): string[] {
  const sections = written as { source?: unknown; target?: unknown };
  const text = JSON.stringify([sections.source, sections.target]);
  const names = [...text.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1] as string);
  return [...new Set(names)].sort();
}

function connection(raw: Raw): ConnectionSpec {
  return { url: raw.url as string, schema: (raw.schema as string | undefined) ?? 'public' };
}

function agentSpec(raw: unknown): AgentSpec {
  if (typeof raw === 'string') return { builtin: raw as BuiltinAgentName };
  const agent = raw as {
    name?: string;
    command: string[];
    roles?: BuiltinAgentName[];
    timeoutSeconds?: number;
  };
  const program = agent.command[0] as string;
  const fallbackName = (program.split(/[\\/]/).pop() ?? program).replace(/\.[^.]*$/, '').toLowerCase();
  return {
    external: {
      name: agent.name ?? fallbackName,
      command: agent.command,
      roles: agent.roles ?? ['mapping'],
      timeoutSeconds: agent.timeoutSeconds ?? DEFAULT_AGENT_TIMEOUT_SECONDS,
    },
  };
}

export interface NormalizeContext {
  readonly project: ProjectSpec | undefined;
  /** The document as written (before interpolation), hashed so the lockfile notices edits. */
  readonly written: unknown;
}

export function normalizeMigration(
  document: SpecDocument,
  data: Raw,
  context: NormalizeContext,
): { migration?: MigrationSpec; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const project = context.project;
  const from = tableName(
    document,
    data.from as TableNameValue,
    ['from'],
    project?.source.schema,
    diagnostics,
  );
  const to = tableName(document, data.to as TableNameValue, ['to'], project?.target.schema, diagnostics);
  if (to && identifierTooLong(to.name)) diagnostics.push(tooLong(document, ['to'], to.name));
  const columns = columnSpecs(document, (data.columns ?? {}) as Raw, diagnostics);
  const where = data.where as string | undefined;
  const incremental = data.incremental as MigrationSpec['incremental'];
  const batch = (data.batch ?? {}) as { size?: MigrationSpec['batch']['size']; key?: string[] };
  if (!from || !to || diagnostics.length > 0) return { diagnostics };

  const defaults = project?.defaults;
  const migration: MigrationSpec = {
    name: data.migration as string,
    from,
    to,
    keys: (data.keys as MigrationSpec['keys'] | undefined) ?? defaults?.keys ?? 'preserve',
    columns,
    ...(where === undefined ? {} : { where }),
    ...(incremental === undefined ? {} : { incremental: { cursor: incremental.cursor } }),
    dependsOn: (data.dependsOn as string[] | undefined) ?? [],
    onOrphan: (data.onOrphan as MigrationSpec['onOrphan'] | undefined) ?? defaults?.onOrphan ?? 'fail',
    onError: (data.onError as MigrationSpec['onError'] | undefined) ?? defaults?.onError ?? 'pause',
    ...(data.class === undefined ? {} : { class: data.class as MigrationSpec['class'] & string }),
    batch: {
      size: batch.size ?? defaults?.batchSize ?? 'auto',
      ...(batch.key === undefined ? {} : { key: batch.key }),
    },
    location: document.locate([]),
    locations: {
      from: document.locate(['from']),
      to: document.locate(['to']),
      ...(batch.key === undefined ? {} : { batchKey: document.locate(['batch', 'key']) }),
      ...(incremental === undefined ? {} : { cursor: document.locate(['incremental', 'cursor']) }),
    },
    hash: hashCanonical(context.written),
  };
  return { migration, diagnostics };
}

function tableName(
  document: SpecDocument,
  value: TableNameValue,
  path: PathSegment[],
  defaultSchema: string | undefined,
  diagnostics: Diagnostic[],
): QualifiedName | undefined {
  const resolved = resolveTableName(value, defaultSchema ?? 'public');
  if ('name' in resolved) return resolved.name;
  diagnostics.push(
    errorDiagnostic('spec.table-name', `\`${path.join('.')}\` is not a table name: ${resolved.error}`, {
      hint: `write schema.table, e.g. ${formatQualifiedName({ schema: 'legacy', name: 'orders' })}, or { schema: …, table: … }`,
      location: document.locate(path),
    }),
  );
  return undefined;
}

function columnSpecs(document: SpecDocument, raw: Raw, diagnostics: Diagnostic[]): Map<string, ColumnSpec> {
  const columns = new Map<string, ColumnSpec>();
  for (const [name, value] of Object.entries(raw)) {
    const path = ['columns', name];
    const location = document.locate(path, 'key');
    if (identifierTooLong(name)) diagnostics.push(tooLong(document, path, name));
    if (typeof value === 'string') {
      columns.set(name, { from: value, location });
      continue;
    }
    const spec = value as { from?: string; expr?: string; ref?: string; omit?: true };
    const problem = columnProblem(spec);
    if (problem) {
      diagnostics.push(
        errorDiagnostic('spec.column-source', `column \`${name}\`: ${problem.message}`, {
          hint: problem.hint,
          location: document.locate(path),
        }),
      );
      continue;
    }
    columns.set(name, { ...spec, location });
  }
  return columns;
}

function columnProblem(spec: { from?: string; expr?: string; ref?: string; omit?: true }) {
  if (spec.omit && (spec.from !== undefined || spec.expr !== undefined || spec.ref !== undefined)) {
    return { message: '`omit` cannot be combined with from, expr or ref', hint: 'keep `omit: true` alone' };
  }
  if (spec.from !== undefined && spec.expr !== undefined) {
    return {
      message: 'give either `from` or `expr`, not both',
      hint: 'an expr can name the source column itself, e.g. expr: "upper(code)"',
    };
  }
  if (!spec.omit && spec.from === undefined && spec.expr === undefined && spec.ref === undefined) {
    return {
      message: 'says nothing about its value',
      hint: 'give `from: <source column>`, `expr: <SQL>`, `ref: <migration>` or `omit: true`; or remove it to let ferry infer it',
    };
  }
  return undefined;
}

function tooLong(document: SpecDocument, path: PathSegment[], identifier: string): Diagnostic {
  return errorDiagnostic(
    'spec.identifier',
    `\`${identifier}\` is ${Buffer.byteLength(identifier)} bytes; PostgreSQL identifiers are at most ${MAX_IDENTIFIER_BYTES}`,
    {
      hint: 'PostgreSQL would silently truncate it; use a shorter name',
      location: document.locate(path, 'key'),
    },
  );
}
