// Validates spec documents against schemas/spec.schema.json (the one definition of the format) and
// turns ajv's errors into diagnostics a person can act on: the exact key, "did you mean", and the
// schema's own description of the field as the hint.

import { readFileSync } from 'node:fs';
import type { ErrorObject, SchemaObject, ValidateFunction } from 'ajv/dist/2020.js';
import { type Diagnostic, errorDiagnostic } from '../errors.js';
import { closestMatch, didYouMean } from './suggest.js';
import type { PathSegment, SpecDocument } from './yaml-documents.js';

export type DocumentKind = 'project' | 'migration';

const SCHEMA_URL = new URL('../../schemas/spec.schema.json', import.meta.url);
/** Written by the build (scripts/build-validators.mjs); absent when running from src/. */
const PRECOMPILED = './spec-validators.js';

let validators: Record<DocumentKind, ValidateFunction> | undefined;

/**
 * Makes the schema's validators ready: the ones the build generated when present, else compiled now
 * with ajv (same options). Call once before validateAgainstSchema.
 */
export async function prepareSchemaValidators(): Promise<void> {
  if (validators) return;
  const generated = (await import(PRECOMPILED).catch(() => undefined)) as
    | Partial<Record<DocumentKind, ValidateFunction>>
    | undefined;
  validators =
    generated?.project && generated.migration
      ? { project: generated.project, migration: generated.migration }
      : await compileValidators();
}

/** Compiles the validators at run time (the build generates the same code ahead of time). */
export async function compileValidators(): Promise<Record<DocumentKind, ValidateFunction>> {
  const { Ajv2020 } = await import('ajv/dist/2020.js');
  const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as SchemaObject;
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false });
  ajv.addSchema(schema);
  const id = schema.$id as string;
  const get = (kind: DocumentKind) => {
    const validate = ajv.getSchema(`${id}#/$defs/${kind}`);
    if (!validate) throw new Error(`schema has no $defs/${kind}`);
    return validate;
  };
  return { project: get('project'), migration: get('migration') };
}

/** The same rule as the schema's `if`: any of migration, from or to makes a document a migration. */
export function documentKind(data: Record<string, unknown>): DocumentKind {
  return 'migration' in data || 'from' in data || 'to' in data ? 'migration' : 'project';
}

export function validateAgainstSchema(
  document: SpecDocument,
  data: unknown,
  kind: DocumentKind,
): Diagnostic[] {
  if (!validators) throw new Error('prepareSchemaValidators() must run before validateAgainstSchema()');
  const validate = validators[kind];
  if (validate(data)) return [];
  return simplifyErrors(validate.errors ?? []).map((error) => toDiagnostic(error, document));
}

/**
 * ajv reports every failing branch of an `anyOf`. A person needs only the branch their value was
 * meant for (the one whose type matches), or, when none matches, one line listing what is allowed.
 */
function simplifyErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const consumed = new Set<ErrorObject>();
  const result: ErrorObject[] = [];
  for (const anyOf of errors.filter((e) => e.keyword === 'anyOf')) {
    consumed.add(anyOf);
    const branches = (anyOf.schema as SchemaObject[]).map((_, i) =>
      errors.filter((e) => e.schemaPath.startsWith(`${anyOf.schemaPath}/${i}/`)),
    );
    for (const branch of branches) for (const e of branch) consumed.add(e);
    const deeper = branches.find(
      (branch) =>
        !branch.some((e) => e.instancePath === anyOf.instancePath && e.keyword === 'type') &&
        branch.some((e) => e.instancePath !== anyOf.instancePath || e.keyword === 'additionalProperties'),
    );
    if (deeper) {
      result.push(...deeper.filter((e) => e.keyword !== 'anyOf'));
    } else {
      const allowed = (anyOf.schema as SchemaObject[]).map(describeSchema).join(' or ');
      result.push({ ...anyOf, keyword: 'anyOf', message: `must be ${allowed}` });
    }
  }
  // Errors of nested anyOfs were consumed above and re-added when relevant; keep the rest as is.
  const rest = errors.filter((e) => !consumed.has(e));
  return dedupe([...rest, ...result]);
}

function dedupe(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}|${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describeSchema(schema: SchemaObject): string {
  if ('const' in schema) return `\`${String(schema.const)}\``;
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((v) => `\`${String(v)}\``).join(', ')}`;
  switch (schema.type) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'integer':
      return 'a whole number';
    case 'string':
      return 'a string';
    default:
      return String(schema.type ?? 'a value');
  }
}

function toDiagnostic(error: ErrorObject, document: SpecDocument): Diagnostic {
  const path = pointerToPath(error.instancePath);
  const field = path.length === 0 ? 'the document' : `\`${displayPath(path)}\``;
  const parent = (error.parentSchema ?? {}) as SchemaObject;
  const description = typeof parent.description === 'string' ? parent.description : undefined;

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const known = Object.keys((parent.properties ?? {}) as object);
      const keyPath = [...path, key];
      return errorDiagnostic('spec.unknown-key', `unknown key \`${displayPath(keyPath)}\``, {
        hint: didYouMean(key, known, known.length > 0 ? `allowed here: ${known.join(', ')}` : undefined),
        location: document.locate(keyPath, 'key'),
      });
    }
    case 'required': {
      const missing = String(error.params.missingProperty);
      const property = (parent.properties as Record<string, SchemaObject> | undefined)?.[missing];
      const where = path.length === 0 ? '' : ` in ${field}`;
      return errorDiagnostic('spec.missing-key', `missing required key \`${missing}\`${where}`, {
        hint: typeof property?.description === 'string' ? property.description : undefined,
        location: document.locate(path),
      });
    }
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).map(String);
      const value = String(error.data);
      // YAML reads a bare `null` (or `~`, or nothing) as no value, not as the word the enum means.
      const hint =
        error.data === null && allowed.includes('null')
          ? 'YAML reads a bare null as "no value": write the word in quotes, "null"'
          : didYouMean(value, allowed, description);
      return errorDiagnostic(
        'spec.schema',
        `${field} must be one of ${allowed.map((v) => `\`${v}\``).join(', ')}`,
        { hint, location: document.locate(path) },
      );
    }
    default: {
      const suggestion =
        error.keyword === 'const' && typeof error.data === 'string'
          ? closestMatch(error.data, [String(error.params.allowedValue)])
          : undefined;
      return errorDiagnostic('spec.schema', `${field} ${error.message ?? 'is invalid'}`, {
        hint: suggestion ? `did you mean \`${suggestion}\`?` : description,
        location: document.locate(path),
      });
    }
  }
}

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** `columns.case_file_id.ref`, `agents[1].command`. */
export function displayPath(path: readonly PathSegment[]): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number' || /^\d+$/.test(segment)) return `${text}[${segment}]`;
    return text === '' ? segment : `${text}.${segment}`;
  }, '');
}
