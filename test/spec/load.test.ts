// The spec loader: valid specs load into typed specs; every kind of mistake is reported, all at once,
// with the exact file:line:column and a hint, and no secret value ever appears in a message.

import { truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/errors.js';
import { loadSpecs } from '../../src/spec/load.js';
import { migrationYaml, PROJECT_YAML, TEST_ENV, writeSpecDir } from '../support/spec-fixtures.js';

async function load(
  files: Record<string, string | Buffer>,
  options: { withProject?: boolean; env?: Record<string, string> } = {},
) {
  const dir = await writeSpecDir(files, options.withProject ?? true);
  const result = await loadSpecs(dir, { env: options.env ?? TEST_ENV, cwd: dir });
  return { dir, ...result };
}

/** Compact form for exact assertions: `file:line:col code message`. */
function brief(d: Diagnostic): string {
  const at = d.location ? `${d.location.file}:${d.location.line}:${d.location.column}` : '-';
  return `${at} ${d.code} ${d.message}`;
}

describe('loadSpecs: valid specs', () => {
  it('loads the reference workload specs into typed migrations', async () => {
    const result = await loadSpecs('specs', { env: TEST_ENV });
    expect(result.diagnostics).toEqual([]);
    const specs = result.specs;
    expect(specs?.project.source).toEqual({ url: TEST_ENV.FERRY_SOURCE_URL, schema: 'legacy' });
    expect(specs?.migrations.map((m) => m.name)).toEqual([
      'brackets',
      'case_file_tags',
      'case_files',
      'orders',
      'tags',
    ]);
    const orders = specs?.migrations.find((m) => m.name === 'orders');
    expect(orders?.from).toEqual({ schema: 'legacy', name: 'dispatch_order' });
    expect(orders?.keys).toBe('preserve');
    expect(orders?.onError).toBe('pause');
    expect(orders?.columns.get('amount')?.expr).toBe('amount_cents / 100.0');
    expect(orders?.columns.get('case_file_id')).toMatchObject({ from: 'casefile_id', ref: 'case_files' });
    expect(orders?.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('reads several documents from one file, quoted names, shorthands and defaults', async () => {
    const { specs, diagnostics } = await load({
      'ferry.yaml': `version: 1
source:
  url: \${env:FERRY_SOURCE_URL}
target:
  url: \${env:FERRY_TARGET_URL}
defaults: { keys: generate, onError: reject, batchSize: 5000 }
`,
      'all.yaml': `${migrationYaml('a', `'"Legacy.Schema"."Order ""Lines"""'`, 'app.a', 'columns:\n  label: old_label\n')}---\n${migrationYaml('b', 'legacy.b', 'b', 'keys: preserve\n')}`,
    });
    expect(diagnostics).toEqual([]);
    const [a, b] = specs?.migrations ?? [];
    expect(a?.from).toEqual({ schema: 'Legacy.Schema', name: 'Order "Lines"' });
    expect(a?.columns.get('label')?.from).toBe('old_label');
    expect(a?.keys).toBe('generate');
    expect(a?.onError).toBe('reject');
    expect(a?.batch.size).toBe(5000);
    expect(b?.to).toEqual({ schema: 'public', name: 'b' });
    expect(b?.keys).toBe('preserve');
  });

  it('hashes what was written, not how it was formatted', async () => {
    const first = await load({
      'm.yaml': migrationYaml('m', 'legacy.m', 'app.m', 'columns: { x: { from: y } }\n'),
    });
    const second = await load({
      'm.yaml': `# a comment\nto: app.m\ncolumns:\n  x:\n    from: y\nmigration: m\nfrom: legacy.m\n`,
    });
    const third = await load({
      'm.yaml': migrationYaml('m', 'legacy.m', 'app.m', 'columns: { x: { from: z } }\n'),
    });
    expect(first.specs?.migrations[0]?.hash).toBe(second.specs?.migrations[0]?.hash);
    expect(first.specs?.migrations[0]?.hash).not.toBe(third.specs?.migrations[0]?.hash);
  });
});

describe('loadSpecs: mistakes', () => {
  it('suggests the key that was meant for an unknown key', async () => {
    const { diagnostics } = await load({
      'm.yaml': 'migration: m\nfrom: legacy.m\nto: app.m\ncolums:\n  x: y\n',
      'n.yaml': 'migration: n\nfrom: legacy.n\nto: app.n\ncolumns:\n  x: { form: y }\n',
    });
    expect(diagnostics.map(brief)).toEqual([
      'm.yaml:4:1 spec.unknown-key unknown key `colums`',
      'n.yaml:5:8 spec.unknown-key unknown key `columns.x.form`',
    ]);
    expect(diagnostics.map((d) => d.hint)).toEqual(['did you mean `columns`?', 'did you mean `from`?']);
  });

  it('reports refs and dependencies to migrations that do not exist', async () => {
    const { diagnostics } = await load({
      'a.yaml': migrationYaml(
        'orders',
        'legacy.o',
        'app.orders',
        'columns:\n  case_id: { ref: case_file }\ndependsOn: [tags]\n',
      ),
      'b.yaml': migrationYaml('case_files', 'legacy.c', 'app.case_files'),
    });
    expect(diagnostics.map(brief)).toEqual([
      'a.yaml:5:19 spec.unknown-ref column `case_id` refers to migration `case_file`, which does not exist',
      'a.yaml:6:13 spec.unknown-dependency `dependsOn` names migration `tags`, which does not exist',
    ]);
    expect(diagnostics[0]?.hint).toBe('did you mean `case_files`?');
    expect(diagnostics[1]?.hint).toBe('known migrations: case_files, orders');
  });

  it('refuses two migrations writing one target table, and duplicate names', async () => {
    const { diagnostics } = await load({
      'a.yaml': migrationYaml('a', 'legacy.a', 'app.same'),
      'b.yaml': migrationYaml('b', 'legacy.b', 'app.same'),
      'c.yaml': migrationYaml('a', 'legacy.c', 'app.c'),
    });
    expect(diagnostics.map(brief)).toEqual([
      'b.yaml:3:5 spec.duplicate-target migrations `a` and `b` both write app.same',
      'c.yaml:1:12 spec.duplicate-migration migration `a` is defined twice',
    ]);
    expect(diagnostics[1]?.hint).toBe('it is also defined at a.yaml:1:1; rename one of them');
  });

  it('reports a target column mapped twice', async () => {
    const { diagnostics } = await load({
      'm.yaml': migrationYaml('m', 'legacy.m', 'app.m', 'columns:\n  name: a\n  name: b\n'),
    });
    expect(diagnostics.map(brief)).toEqual([
      'm.yaml:6:3 spec.duplicate-key `name` appears twice in one mapping',
    ]);
  });

  it('names an unset variable and never prints any variable value', async () => {
    const { diagnostics } = await load(
      {
        'ferry.yaml':
          'version: 1\nsource:\n  url: ${env:FERRY_SOURCE_URL}\ntarget: { url: "${env:MISSING_TARGET}" }\nagents: [schema, mapper]\n',
      },
      { env: { FERRY_SOURCE_URL: TEST_ENV.FERRY_SOURCE_URL } },
    );
    expect(diagnostics.map(brief)).toEqual([
      'ferry.yaml:4:16 spec.env-unset environment variable MISSING_TARGET is not set (used by `target.url`)',
      'ferry.yaml:5:18 spec.schema `agents[1]` must be one of `schema`, `mapping`, `planning`, `validation`, `guidance` or a mapping',
    ]);
    expect(JSON.stringify(diagnostics)).not.toContain('source-secret-1');
  });

  it('names the variable, not its value, wherever a value is quoted back', async () => {
    const { diagnostics } = await load(
      {
        'ferry.yaml': `${PROJECT_YAML}sourceTimeZone: \${env:SOURCE_ZONE}_North\n`,
        'm.yaml': migrationYaml(
          'm',
          'legacy.m',
          '${env:TARGET_TABLE}',
          'columns:\n  a: { ref: "${env:PARENT}" }\n',
        ),
        'n.yaml': migrationYaml('n', 'legacy.n', '${env:TARGET_TABLE}'),
      },
      {
        env: {
          ...TEST_ENV,
          SOURCE_ZONE: 'Mars/Olympus_Mons',
          TARGET_TABLE: 'app.secret_table_name',
          PARENT: 'hidden_parent',
        },
      },
    );
    expect(diagnostics.map(brief)).toEqual([
      'ferry.yaml:4:17 spec.time-zone `${env:SOURCE_ZONE}_North` is not a time zone of the IANA database',
      'm.yaml:5:13 spec.unknown-ref column `a` refers to migration `${env:PARENT}`, which does not exist',
      'n.yaml:3:5 spec.duplicate-target migrations `m` and `n` both write ${env:TARGET_TABLE}',
    ]);
    expect(JSON.stringify(diagnostics)).not.toMatch(/Olympus|secret_table_name|hidden_parent/);
  });

  it('explains the unquoted reference inside braces, once', async () => {
    const { diagnostics } = await load({
      'ferry.yaml':
        'version: 1\nsource: { url: ${env:FERRY_SOURCE_URL} }\ntarget: { url: "${env:FERRY_TARGET_URL}" }\n',
    });
    expect(diagnostics.map(brief)).toEqual([
      'ferry.yaml:2:17 spec.syntax YAML syntax: Unexpected flow-map-start at node end',
    ]);
    expect(diagnostics[0]?.hint).toBe(
      'inside { … } or [ … ], write an environment reference in quotes: url: "${env:NAME}"',
    );
  });

  it('reports a reference that is not ${env:NAME}', async () => {
    const { diagnostics } = await load({
      'ferry.yaml':
        'version: 1\nsource: { url: "${FERRY_SOURCE_URL}" }\ntarget: { url: "${env:FERRY_TARGET_URL}" }\n',
    });
    expect(diagnostics.map(brief)).toEqual([
      'ferry.yaml:2:16 spec.env-syntax `${FERRY_SOURCE_URL}` in `source.url` is not an environment reference',
    ]);
  });

  it('refuses a password written into the spec without printing it', async () => {
    const { diagnostics } = await load({
      'ferry.yaml':
        'version: 1\nsource: { url: "postgres://u:hunter2@db/x" }\ntarget: { url: "${env:FERRY_TARGET_URL}" }\n',
    });
    expect(diagnostics.map(brief)).toEqual([
      'ferry.yaml:2:16 spec.secret-literal `source.url` contains a password (postgres://u:****@db/x)',
    ]);
    expect(JSON.stringify(diagnostics)).not.toContain('hunter2');
  });

  it('refuses the passphrase of a client key written into the spec, too', async () => {
    const { diagnostics } = await load({
      'ferry.yaml':
        'version: 1\nsource: { url: "postgres://u@db/x?sslkey=k.pem&sslpassword=hunter3" }\ntarget: { url: "${env:FERRY_TARGET_URL}" }\n',
    });
    expect(diagnostics.map(brief)).toEqual([
      'ferry.yaml:2:16 spec.secret-literal `source.url` contains a password (postgres://u@db/x?sslkey=k.pem&sslpassword=****)',
    ]);
    expect(JSON.stringify(diagnostics)).not.toContain('hunter3');
  });

  it('checks enums, required keys, names and column sources', async () => {
    const { diagnostics } = await load({
      'a.yaml': migrationYaml('a', 'legacy.a', 'app.a', 'keys: generat\n'),
      'b.yaml': 'migration: b\nfrom: legacy.b\n',
      'c.yaml': migrationYaml('c', 'x.y.z', 'app.c', 'columns:\n  v: { from: a, expr: "a + 1" }\n  w: {}\n'),
      'd.yaml': migrationYaml('Bad-Name', 'legacy.d', 'app.d'),
    });
    expect(diagnostics.map(brief)).toEqual([
      'a.yaml:4:7 spec.schema `keys` must be one of `preserve`, `generate`',
      'b.yaml:1:1 spec.missing-key missing required key `to`',
      'c.yaml:2:7 spec.table-name `from` is not a table name: use schema.table (at most one dot outside quotes)',
      'c.yaml:5:6 spec.column-source column `v`: give either `from` or `expr`, not both',
      'c.yaml:6:6 spec.column-source column `w`: says nothing about its value',
      'd.yaml:1:12 spec.schema `migration` must match pattern "^[a-z][a-z0-9_]*$"',
    ]);
    expect(diagnostics[0]?.hint).toBe('did you mean `generate`?');
    expect(diagnostics[1]?.hint).toBe('The target table, as schema.table.');
  });

  it('refuses an identifier PostgreSQL would truncate', async () => {
    const long = 'c'.repeat(64);
    const { diagnostics } = await load({
      'm.yaml': migrationYaml('m', 'legacy.m', 'app.m', `columns:\n  ${long}: x\n`),
    });
    expect(diagnostics.map(brief)).toEqual([
      `m.yaml:5:3 spec.identifier \`${long}\` is 64 bytes; PostgreSQL identifiers are at most 63`,
    ]);
  });

  it('reports every problem of every file in one run', async () => {
    const { diagnostics } = await load({
      'a.yaml': 'migration: a\nfrom: [\n',
      'b.yaml': migrationYaml('b', 'legacy.b', 'app.b', 'onOrphan: ignore\n'),
      'c.yaml': '',
    });
    expect(diagnostics.map((d) => `${d.location?.file} ${d.code}`)).toEqual([
      'a.yaml spec.syntax',
      'b.yaml spec.schema',
      'c.yaml spec.empty',
    ]);
  });
});

describe('loadSpecs: expressions are checked with the PostgreSQL parser', () => {
  it('accepts one scalar expression', async () => {
    const { diagnostics } = await load({
      'm.yaml': migrationYaml(
        'm',
        'legacy.m',
        'app.m',
        'columns:\n  a: { expr: "coalesce(created, now()) -- trailing comment" }\n  b: { expr: "case when x > 0 then \'y\' else \'n\' end" }\nwhere: "deleted_at is null and id in (select id from legacy.keep)"\n',
      ),
    });
    expect(diagnostics).toEqual([]);
  });

  it.each([
    ['1); DROP TABLE x; --', 'not valid SQL at character 2: syntax error at or near ")"'],
    ['1; DROP TABLE x', 'not valid SQL'],
    ['x; SELECT 1', 'not valid SQL at character 2: syntax error at or near ";"'],
    ['1) FROM pg_user WHERE (true', 'must be one expression; it adds a FROM clause'],
    ['1), (2', 'must be one expression, not a list'],
    ['1 AS label', 'not valid SQL at character 3: syntax error at or near "AS"'],
    ['a +', 'not valid SQL: the expression is incomplete'],
    ['1 /* unterminated', 'not valid SQL'],
    // A comment hides nothing: `--` ends at the line break ferry puts after the text.
    ['1 -- a comment\n); DROP TABLE x; --', 'not valid SQL at character 16: syntax error at or near ")"'],
    ['1 /* ) */ ); DROP TABLE x; --', 'not valid SQL at character 11: syntax error at or near ")"'],
    ['/* /* nested */ ); DROP TABLE x; -- */', 'must be one expression; it ends early'],
    // Quotes and dollar quotes end where PostgreSQL ends them, not where a pattern would.
    ["'it''s'); DROP TABLE x; --", 'not valid SQL at character 8: syntax error at or near ")"'],
    ["E'\\''); DROP TABLE x; --", 'not valid SQL at character 6: syntax error at or near ")"'],
    ['$$x$$); DROP TABLE x; --', 'not valid SQL at character 6: syntax error at or near ")"'],
    ['$q$ unterminated', 'not valid SQL'],
    ['1) UNION SELECT (2', 'must be one expression; it adds a UNION'],
    ['1)) --', 'not valid SQL at character 3: syntax error at or near ")"'],
    // One expression inside ferry's parentheses, two once spliced after `key > 10 AND `.
    ['x = 1) OR (true', 'must be one expression; it closes the parenthesis ferry puts around it'],
    ['a, b', 'must be one expression, not a list'],
    ['(1', 'not valid SQL: the expression is incomplete'],
    // Subqueries may read, never write, create tables or lock rows.
    [
      '(WITH d AS (DELETE FROM x RETURNING *) SELECT count(*) FROM d)',
      'must only read; it contains a DELETE',
    ],
    ['(WITH i AS (INSERT INTO x VALUES (1) RETURNING 1) SELECT 1)', 'must only read; it contains an INSERT'],
    ['(WITH u AS (UPDATE x SET a = 1 RETURNING 1) SELECT 1)', 'must only read; it contains an UPDATE'],
    ['(SELECT 1 INTO y)', 'must only read; it contains SELECT … INTO'],
    ['(SELECT 1 FROM x FOR UPDATE)', 'must only read; it locks rows (FOR UPDATE or FOR SHARE)'],
  ])('refuses %j', async (expr, reason) => {
    const { diagnostics } = await load({
      'm.yaml': migrationYaml('m', 'legacy.m', 'app.m', `columns:\n  a: { expr: ${JSON.stringify(expr)} }\n`),
    });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]?.code).toBe('spec.expression');
    expect(diagnostics[0]?.message).toContain(reason);
    expect(diagnostics[0]?.location).toEqual({ file: 'm.yaml', line: 5, column: 14 });
  });

  it('checks `where` the same way', async () => {
    const { diagnostics } = await load({
      'm.yaml': migrationYaml('m', 'legacy.m', 'app.m', 'where: "true) UNION SELECT (1"\n'),
    });
    expect(diagnostics.map(brief)).toEqual([
      'm.yaml:4:8 spec.expression `where` must be one expression; it adds a UNION',
    ]);
  });

  it.each([
    ['true; DELETE FROM x', 'not valid SQL'],
    ['true) OR (1 = 1', 'must be one expression; it closes the parenthesis ferry puts around it'],
    [
      'id IN (WITH d AS (DELETE FROM x RETURNING id) SELECT id FROM d)',
      'must only read; it contains a DELETE',
    ],
    ['EXISTS (SELECT 1 FROM x FOR SHARE)', 'must only read; it locks rows'],
  ])('refuses the `where` %j', async (where, reason) => {
    const { diagnostics } = await load({
      'm.yaml': migrationYaml('m', 'legacy.m', 'app.m', `where: ${JSON.stringify(where)}\n`),
    });
    expect(diagnostics.map((d) => `${d.code} ${JSON.stringify(d.location)}`)).toEqual([
      'spec.expression {"file":"m.yaml","line":4,"column":8}',
    ]);
    expect(diagnostics[0]?.message).toContain(reason);
  });

  it('accepts what only looks like a second statement: text in strings and comments', async () => {
    const { diagnostics } = await load({
      'm.yaml': migrationYaml(
        'm',
        'legacy.m',
        'app.m',
        `columns:\n  a: { expr: "'); DROP TABLE x; --'" }\n  b: { expr: "$$); DROP TABLE x; --$$" }\n  c: { expr: "1 /* ); DROP TABLE x; */" }\nwhere: "id IN (SELECT id FROM legacy.keep) -- ); DROP TABLE x"\n`,
      ),
    });
    expect(diagnostics).toEqual([]);
  });
});

describe('loadSpecs: hostile files', () => {
  it('refuses a file too large to be a spec without reading it', async () => {
    const dir = await writeSpecDir({ 'huge.yaml': 'migration: x\n' });
    await truncate(join(dir, 'huge.yaml'), 50 * 1024 * 1024);
    const { diagnostics } = await loadSpecs(dir, { env: TEST_ENV, cwd: dir });
    expect(diagnostics.map(brief)).toEqual([
      'huge.yaml:1:1 spec.too-large file is 50.0 MiB; spec files may be at most 4.0 MiB',
    ]);
  });

  it('refuses binary and non-UTF-8 files', async () => {
    const { diagnostics } = await load({
      'image.yaml': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]),
      'latin1.yaml': Buffer.concat([
        Buffer.from('migration: m\nfrom: legacy.caf'),
        Buffer.from([0xe9]),
        Buffer.from('\nto: app.m\n'),
      ]),
    });
    expect(diagnostics.map(brief)).toEqual([
      'image.yaml:1:1 spec.binary file is binary (it contains NUL bytes), not YAML',
      'latin1.yaml:2:17 spec.encoding file is not valid UTF-8',
    ]);
  });

  it('stops a YAML bomb', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const started = Date.now();
    const { diagnostics } = await load({ 'bomb.yaml': `${levels.join('\n')}\n` });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(diagnostics.map((d) => d.code)).toEqual(['spec.alias-limit']);
  });

  it('refuses an alias inside the node its own anchor names', async () => {
    const { diagnostics } = await load({
      'cycle.yaml': migrationYaml('m', 'legacy.m', 'app.m', 'columns: &c\n  a: { from: x }\n  b: *c\n'),
    });
    expect(diagnostics.map(brief)).toEqual([
      'cycle.yaml:6:6 spec.alias-limit alias `*c` is inside the node its anchor names, so its value never ends',
    ]);
  });

  it('refuses nesting deeper than 256 levels in every form, one after the other', async () => {
    // Near the stack's end a parser's regular expression can abort the whole process: each form
    // is refused by a depth check before either parser recurses, so this file runs to its end.
    const indented = Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}a:`).join('\n');
    const { diagnostics } = await load({
      'a-flow.yaml': `migration: ${'['.repeat(5000)}\n`,
      'b-dashes.yaml': `${'- '.repeat(1000)}x\n`,
      'c-dashes.yaml': `${'- '.repeat(4000)}x\n`,
      'd-indented.yaml': `${indented} 1\n`,
      'e-keys.yaml': `${'? '.repeat(3000)}x\n`,
    });
    expect(diagnostics.map(brief)).toEqual([
      'a-flow.yaml:1:267 spec.syntax YAML could not be read: nesting too deep (more than 256 levels)',
      'b-dashes.yaml:1:513 spec.syntax YAML could not be read: nesting too deep (more than 256 levels)',
      'c-dashes.yaml:1:513 spec.syntax YAML could not be read: nesting too deep (more than 256 levels)',
      'd-indented.yaml:257:257 spec.syntax YAML could not be read: nesting too deep (more than 256 levels)',
      'e-keys.yaml:1:513 spec.syntax YAML could not be read: nesting too deep (more than 256 levels)',
    ]);
  });

  it('refuses keys that are lists, mappings or tagged values, which the fast parser would flatten', async () => {
    const { diagnostics } = await load({
      'list.yaml': migrationYaml('l', 'legacy.l', 'app.l', 'columns:\n  [a]: b\n'),
      'tagged.yaml': migrationYaml('t', 'legacy.t', 'app.t', 'columns:\n  !!binary aGVsbG8= : b\n'),
    });
    expect(diagnostics.map(brief)).toEqual([
      'list.yaml:5:3 spec.schema a key is a list, a mapping or a tagged value; keys are names',
      'tagged.yaml:5:12 spec.schema a key is a list, a mapping or a tagged value; keys are names',
    ]);
  });

  it('answers for a huge misspelt value without comparing it with every candidate', async () => {
    const zone = `Europe/${'x'.repeat(30_000)}`;
    const { diagnostics } = await load({
      'ferry.yaml': `${PROJECT_YAML}sourceTimeZone: ${zone}\n`,
    });
    expect(diagnostics.map((d) => `${d.code} ${d.hint}`)).toEqual([
      'spec.time-zone write an IANA name such as Europe/Berlin, America/New_York or UTC',
    ]);
  });

  it('reports empty and comment-only files, and a directory without a project file', async () => {
    const empty = await load({ 'a.yaml': '# nothing here\n---\n' });
    expect(empty.diagnostics.map(brief)).toEqual(['a.yaml:1:1 spec.empty file has no YAML document']);
    const noProject = await load(
      { 'm.yaml': migrationYaml('m', 'legacy.m', 'app.m') },
      { withProject: false },
    );
    expect(noProject.diagnostics.map((d) => d.code)).toEqual(['spec.no-project']);
  });

  it('reports a missing directory and a second project file', async () => {
    const missing = await loadSpecs('/nonexistent/specs', { env: TEST_ENV });
    expect(missing.diagnostics.map((d) => d.code)).toEqual(['spec.dir-missing']);
    const twice = await load({ 'other.yaml': 'version: 1\nsource: { url: x }\ntarget: { url: y }\n' });
    expect(twice.diagnostics.map(brief)).toEqual([
      'other.yaml:1:1 spec.project-duplicate a second project document (version, source, target)',
    ]);
  });

  it('ignores hidden files and files that are not YAML', async () => {
    const { diagnostics, specs } = await load({
      '.draft.yaml': 'not: [valid',
      'notes.txt': '\u0000binary',
      'nested/m.yml': migrationYaml('m', 'legacy.m', 'app.m'),
    });
    expect(diagnostics).toEqual([]);
    expect(specs?.migrations.map((m) => m.name)).toEqual(['m']);
  });
});

describe('loadSpecs: offline', () => {
  it('accepts unset variables when asked to, keeping the reference as written', async () => {
    const dir = await writeSpecDir({ 'm.yaml': migrationYaml('m', 'legacy.m', 'app.m') });
    const result = await loadSpecs(dir, { env: {}, requireEnv: false, cwd: dir });
    expect(result.diagnostics).toEqual([]);
    expect(result.specs?.project.source.url).toBe('${env:FERRY_SOURCE_URL}');
  });

  it('keeps $${ as a literal', async () => {
    const { specs } = await load({
      'm.yaml': migrationYaml(
        'm',
        'legacy.m',
        'app.m',
        'columns:\n  a: { expr: "\'$${not a variable}\'" }\n',
      ),
    });
    expect(specs?.migrations[0]?.columns.get('a')?.expr).toBe("'${not a variable}'");
  });
});
