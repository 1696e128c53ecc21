// The validators the build generates (dist/spec/spec-validators.js) and those compiled at run time
// must report the very same errors, since the CLI uses the first and the library may use the second.

import type { ValidateFunction } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { compileValidators, type DocumentKind } from '../../src/spec/schema-validation.js';

const DOCUMENTS: Array<[DocumentKind, unknown]> = [
  [
    'migration',
    { migration: 'orders', from: 'legacy.o', to: 'app.o', columns: { a: 'b', c: { expr: 'x + 1' } } },
  ],
  [
    'migration',
    { migration: 'Bad-Name', from: 'a.b', colums: {}, keys: 'generat', batch: { size: 0, key: [] } },
  ],
  [
    'migration',
    {
      migration: 'm',
      from: 'a',
      to: ['x'],
      columns: { a: { form: 'b' }, b: 3, c: {} },
      dependsOn: ['x', 'x'],
    },
  ],
  [
    'project',
    { version: 1, source: { url: 'x' }, target: { url: 'y' }, agents: ['schema', 'mapper', { command: [] }] },
  ],
  ['project', { version: 2, source: {}, defaults: { batchSize: 'autoo', onError: 'stop' }, extra: true }],
  ['project', 'not a mapping'],
];

function errorsOf(validate: ValidateFunction, data: unknown) {
  validate(data);
  return (validate.errors ?? []).map(
    ({ keyword, instancePath, schemaPath, params, message, parentSchema }) => ({
      keyword,
      instancePath,
      schemaPath,
      params,
      message,
      description: (parentSchema as { description?: string } | undefined)?.description,
    }),
  );
}

describe('generated schema validators', () => {
  it.each(DOCUMENTS.map((d, i) => [i, ...d] as const))(
    'report what run-time compiled ones report (%i: %s)',
    async (_i, kind, data) => {
      const generated = (await import('../../dist/spec/spec-validators.js' as string)) as Record<
        DocumentKind,
        ValidateFunction
      >;
      const compiled = await compileValidators();
      expect(errorsOf(generated[kind], data)).toEqual(errorsOf(compiled[kind], data));
    },
  );
});
