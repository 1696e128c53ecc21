// Documentation that cannot drift: every error code has its troubleshooting entry, and the spec
// reference documents exactly the keys the schema defines.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.js';

type Schema = {
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  $defs?: Record<string, Schema>;
};

const schema = JSON.parse(readFileSync('schemas/spec.schema.json', 'utf8')) as Schema;
const specDoc = readFileSync('docs/spec.md', 'utf8');

function resolve(node: Schema): Schema {
  if (!node.$ref) return node;
  const name = node.$ref.replace('#/$defs/', '');
  return resolve(schema.$defs?.[name] as Schema);
}

/** Dotted key paths of a definition: `source.url`, `agents[].command`, `batch.size`. */
function keyPaths(node: Schema, prefix = ''): string[] {
  const resolved = resolve(node);
  const branches = resolved.anyOf ?? [resolved];
  return branches.flatMap((branch) => {
    const own = resolve(branch);
    if (own.items) return keyPaths(own.items, `${prefix}[]`);
    return Object.entries(own.properties ?? {}).flatMap(([key, child]) => {
      const path = prefix === '' ? key : prefix.endsWith('[]') ? `${prefix}.${key}` : `${prefix}.${key}`;
      return [path, ...keyPaths(child, path)];
    });
  });
}

/** The first cells of the table rows under a heading (up to the next heading), without backticks. */
function documentedKeys(heading: string): string[] {
  const section = specDoc.split(`\n${heading}\n`)[1]?.split(/\n#{2,3} /)[0] ?? '';
  return [...section.matchAll(/^\| `([^`:]+)` +\|/gm)].map((m) => m[1] as string);
}

describe('docs', () => {
  it('explains every error code in docs/troubleshooting.md', () => {
    const troubleshooting = readFileSync('docs/troubleshooting.md', 'utf8');
    const missing = ERROR_CODES.filter((code) => !troubleshooting.includes(`### \`${code}\``));
    expect(missing).toEqual([]);
  });

  it('documents exactly the project file keys of the schema', () => {
    const fromSchema = keyPaths(schema.$defs?.project as Schema).sort();
    expect(documentedKeys('## The project file').sort()).toEqual([...new Set(fromSchema)].sort());
  });

  it('documents exactly the migration keys of the schema', () => {
    const migration = schema.$defs?.migration as Schema;
    const topLevel = Object.entries(migration.properties ?? {}).flatMap(([key, child]) =>
      key === 'columns' || key === 'from' || key === 'to' ? [key] : [key, ...keyPaths(child, key)],
    );
    expect(documentedKeys('## Migrations').sort()).toEqual(topLevel.sort());
  });

  it('documents every form of a column', () => {
    const column = keyPaths(schema.$defs?.column as Schema).sort();
    expect(documentedKeys('### Columns').sort()).toEqual(column);
  });
});
