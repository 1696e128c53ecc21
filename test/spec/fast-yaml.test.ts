// The fast reader must be indistinguishable from the full document model wherever it answers: the
// same data, and the same position for every key and every value. Where it cannot be, it must decline.

import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSpecs } from '../../bench/generate-specs.js';
import { parsePlainSpecDocuments } from '../../src/spec/fast-yaml.js';
import {
  type PathSegment,
  parseWithDocumentModel,
  type SpecDocument,
} from '../../src/spec/yaml-documents.js';

/** Every path to a key or value in `data`. */
function paths(data: unknown, prefix: PathSegment[] = []): PathSegment[][] {
  if (Array.isArray(data)) return data.flatMap((item, i) => [[...prefix, i], ...paths(item, [...prefix, i])]);
  if (data !== null && typeof data === 'object') {
    return Object.entries(data).flatMap(([key, value]) => [
      [...prefix, key],
      ...paths(value, [...prefix, key]),
    ]);
  }
  return [];
}

function expectSameAsDocumentModel(text: string, name: string): void {
  const fast = parsePlainSpecDocuments(text, name);
  const full = parseWithDocumentModel(text, name);
  expect(full.diagnostics).toEqual([]);
  if (!fast) throw new Error(`${name}: the fast reader declined a plain file`);
  expect(fast.map((d) => d.data)).toEqual(full.documents.map((d) => d.data));
  fast.forEach((document, i) => {
    const reference = full.documents[i] as SpecDocument;
    for (const path of [[], ...paths(document.data), ['missing'], ['columns', 'missing']]) {
      for (const target of ['key', 'value'] as const) {
        const where = `${name} document ${i} ${JSON.stringify(path)} ${target}`;
        expect(document.locate(path, target), where).toEqual(reference.locate(path, target));
      }
    }
  });
}

const TRICKY = {
  comments:
    '# head\nmigration: m   # trailing\n\n# between\nfrom: legacy.m\nto: app.m\ncolumns:\n  # inside\n  a: b\n  c:\n    # before\n    expr: "x + 1"\n',
  flow: 'migration: m\nfrom: legacy.m\nto: app.m\ncolumns: { a: { from: b, ref: r }, "q c": z, d: {expr: "1"} }\ndependsOn: [x, y]\n',
  empties: 'migration: m\nfrom: legacy.m\nto: app.m\nwhere:\ncolumns:\n  a:\n  b: {}\n',
  scalars:
    "a: 'single ''quoted'''\nb: \"double \\\"q\\\"\"\nc: |\n  block\n  text\nd: >-\n  folded\n  text\ne: 12\nf: 1.5\ng: true\nh: null\ni: ~\n",
  sequences:
    'agents:\n  - schema\n  - { command: [node, x.mjs], roles: [mapping] }\n  -\n    name: n\n    command:\n      - a\n      - b\n',
  documents:
    '---\nmigration: a\nfrom: legacy.a\nto: app.a\n---\n# second\nmigration: b\nfrom: legacy.b\nto: app.b\n...\n',
  crlf: 'migration: m\r\nfrom: legacy.m\r\ncolumns:\r\n  a: b\r\n',
  unicode: 'migration: m\nfrom: legacy."Café"\ncolumns:\n  naïve_col: { from: "Ünïcödé" }\n  "日本": x\n',
  nested: 'a:\n  - - 1\n    - 2\n  - [3, [4, 5]]\nb:\n  c:\n    d:\n      e: f\n',
};

describe('the fast spec reader', () => {
  it.each(Object.entries(TRICKY))('matches the document model on %s', (name, text) => {
    expectSameAsDocumentModel(text, `${name}.yaml`);
  });

  it('matches the document model on every spec in the repository', async () => {
    const dirs = ['specs', 'examples/hr/specs', 'examples/shop/specs'];
    for (const dir of dirs) {
      for (const name of await readdir(dir)) {
        expectSameAsDocumentModel(await readFile(join(dir, name), 'utf8'), join(dir, name));
      }
    }
  });

  it('matches the document model on 300 generated migrations', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-fast-yaml-'));
    await generateSpecs(dir, 300);
    const names = await readdir(dir);
    expect(names.length).toBeGreaterThan(250);
    for (const name of names) expectSameAsDocumentModel(await readFile(join(dir, name), 'utf8'), name);
  });

  it.each([
    ['an anchor and alias', 'base: &b { from: x }\ncolumns:\n  a: *b\n'],
    ['a merge key', 'columns:\n  a: { <<: { from: x }, ref: r }\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a syntax error', 'a: [1, 2\n'],
    ['a null document', 'a: 1\n---\n~\n'],
    ['an unknown tag', 'a: !custom 1\n'],
    ['an empty document', '---\n---\na: 1\n'],
  ])('declines %s, leaving it to the document model', (_name, text) => {
    expect(parsePlainSpecDocuments(text, 'x.yaml')).toBeUndefined();
  });
});
