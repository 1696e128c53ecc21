// Generators of spec directories for the loader's property test (loader-property.ts): documents built
// from the shape of schemas/spec.schema.json (its real keys with right and wrong values, keys missing
// or unknown), written out in several YAML styles, YAML features the fast path hands over to the full
// parser (anchors, merges, tags, directives), raw text mutated character by character, and bytes.

import fc from 'fast-check';
import jsYaml from 'js-yaml';
import { stringify } from 'yaml';

/** One file of a generated spec directory: its path under the directory and its content. */
export interface FuzzFile {
  readonly name: string;
  readonly content: string | Uint8Array;
}

/** The environment generated documents may reference; its values must never reach a message. */
export const FUZZ_ENV: Readonly<Record<string, string>> = {
  FERRY_SOURCE_URL: 'postgres://fuzz:fuzz-src-pw-93d1@127.0.0.1:5432/legacy',
  FERRY_TARGET_URL: 'postgres://fuzz:fuzz-tgt-pw-5be7@127.0.0.1:5432/app',
  FUZZ_SCHEMA_NAME: 'fuzz-env-value-schema-4c2a',
};

export const VALID_PROJECT = `version: 1
source: { url: "\${env:FERRY_SOURCE_URL}", schema: legacy }
target: { url: "\${env:FERRY_TARGET_URL}", schema: app }
`;

// ── scalars ──────────────────────────────────────────────────────────────────────────────────────

const ENV_REFERENCES = [
  '${env:FERRY_SOURCE_URL}',
  '${env:FERRY_TARGET_URL}',
  '${env:FUZZ_SCHEMA_NAME}',
  '${env:FUZZ_UNSET}',
  '${env:}',
  '${env:1BAD}',
  '${FERRY_SOURCE_URL}',
  '${env:FERRY_SOURCE_URL',
  '$${env:FERRY_SOURCE_URL}',
  'prefix-${env:FUZZ_SCHEMA_NAME}-suffix',
];

/** Expressions PostgreSQL's parser accepts as one expression, and text that tries to be more. */
const SQL_FRAGMENTS = [
  'amount_cents / 100.0',
  'coalesce(a, b)',
  "case when x > 0 then 'y' else 'n' end",
  'deleted_at is null',
  'id in (select id from legacy.keep)',
  'x::text',
  '$$dollar$$ || $tag$quoted$tag$',
  '1); DROP TABLE x; --',
  'x; SELECT 1',
  '1 /* hidden */ ; DROP TABLE x',
  '1 -- comment\n); DROP TABLE x; --',
  ') UNION SELECT (1',
  'true) UNION SELECT (1',
  'x = 1) OR (true',
  '(WITH d AS (DELETE FROM x RETURNING *) SELECT count(*) FROM d)',
  '1) FROM pg_user WHERE (true',
  '1), (2',
  '1 AS label',
  'a +',
  "'unterminated",
  '$$unterminated',
  '/* unterminated',
  "E'\\'",
  '((((((((((1))))))))))',
  'U&"\\0041"',
  '',
  ' ',
  ';',
  '\\',
];

const HOSTILE_NAMES = [
  'select',
  'User',
  'We;ird "Table"',
  'x y',
  'ünïcødé',
  '表',
  '🙂',
  '"quoted"',
  '"a.b".c',
  'a.b.c',
  'a.',
  '.a',
  '"unclosed',
  'x'.repeat(63),
  'x'.repeat(64),
  'é'.repeat(32),
  '',
  ' ',
  '-',
  '<<',
  '~',
  'null',
  'true',
  '0x1F',
  '1e3',
];

const identifier = fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/);

/**
 * Any code point but a lone surrogate, ASCII more often. (fast-check's 'binary' unit does the same but
 * builds a table of all 1.1 million code points first, which costs more than a hundred loads.)
 */
const codePoint = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }),
  fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff),
);
const character = codePoint.map((c) => String.fromCodePoint(c));

function anyText(maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: character, maxLength });
}

const unicodeText = anyText(40);

/** Long strings, up to 40,000 characters: far longer than any spec value, which nothing may choke on. */
const hugeText = fc
  .tuple(
    fc.constantFrom('x', 'é', '🙂', '${env:FUZZ_SCHEMA_NAME}', "'", '\n'),
    fc.integer({ min: 1, max: 40_000 }),
  )
  .map(([unit, length]) => unit.repeat(Math.max(1, Math.floor(length / unit.length))));

const sqlText = fc.oneof(
  fc.constantFrom(...SQL_FRAGMENTS),
  fc
    .array(fc.constantFrom(...SQL_FRAGMENTS, 'and', 'or', '(', ')', ';', '--', '/*', '*/', "'", '"', '$$'), {
      minLength: 1,
      maxLength: 5,
    })
    .map((parts) => parts.join(' ')),
);

const name = fc.oneof({ weight: 3, arbitrary: identifier }, fc.constantFrom(...HOSTILE_NAMES), unicodeText);

const scalarJunk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.integer() },
  { weight: 2, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.boolean() },
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 4, arbitrary: fc.constantFrom(...ENV_REFERENCES) },
  { weight: 4, arbitrary: sqlText },
  { weight: 4, arbitrary: name },
  { weight: 4, arbitrary: unicodeText },
  { weight: 1, arbitrary: hugeText },
);

/** Any YAML value: scalars, lists and mappings, a few levels deep. */
const junk: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarJunk,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(name, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** The value a key was meant to have most of the time, anything else now and then. */
function mostly<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: junk });
}

// ── documents ────────────────────────────────────────────────────────────────────────────────────

const tableName = fc.oneof(
  fc.tuple(name, name).map(([schema, table]) => `${schema}.${table}`),
  name,
  fc.tuple(name, name).map(([schema, table]) => `"${schema.replaceAll('"', '""')}"."${table}"`),
  fc.record({ schema: mostly(name), table: mostly(name) }, { requiredKeys: ['table'] }),
  fc.constantFrom(...ENV_REFERENCES).map((reference) => `${reference}.orders`),
);

const column = fc.oneof(
  name,
  fc.record(
    {
      from: mostly(name),
      expr: mostly(sqlText),
      ref: mostly(fc.oneof(identifier, fc.constantFrom('a', 'orders', ...ENV_REFERENCES))),
      omit: mostly(fc.constant(true)),
      form: name,
    },
    { requiredKeys: [] },
  ),
);

/** A few names only, so that generated files share migrations: duplicates, refs and dependsOn that resolve. */
const migrationName = fc.constantFrom<string>('a', 'b', 'orders', 'tags', 'case_files');

const optionalMigrationKeys = {
  keys: mostly(fc.constantFrom('preserve', 'generate', 'generat', null)),
  columns: mostly(fc.dictionary(name, mostly(column), { maxKeys: 6 })),
  where: mostly(sqlText),
  dependsOn: mostly(fc.array(mostly(migrationName), { maxLength: 3 })),
  onOrphan: mostly(fc.constantFrom('fail', 'skip', 'null', null, 'ignore')),
  onError: mostly(fc.constantFrom('pause', 'reject')),
  class: mostly(fc.constantFrom('catalog', 'transactional')),
  incremental: mostly(fc.record({ cursor: mostly(name) }, { requiredKeys: [] })),
  batch: mostly(
    fc.record(
      { size: mostly(fc.oneof(fc.constant('auto'), fc.integer())), key: mostly(fc.array(mostly(name))) },
      { requiredKeys: [] },
    ),
  ),
};

/** Close to what a person writes: the required keys right, most others right, a mistake or two. */
const plausibleMigration = fc
  .tuple(
    migrationName,
    identifier,
    identifier,
    fc.record(
      {
        keys: fc.constantFrom('preserve', 'generate'),
        columns: fc.dictionary(
          identifier,
          fc.oneof(
            identifier,
            fc.record({ from: identifier }),
            fc.record({ expr: fc.oneof(fc.constantFrom('amount_cents / 100.0', 'upper(code)'), sqlText) }),
            fc.record({ from: identifier, ref: migrationName }),
            fc.constant({ omit: true }),
          ),
          { maxKeys: 5 },
        ),
        where: fc.oneof(fc.constantFrom('deleted_at is null', 'id > 0 and x in (1, 2)'), sqlText),
        dependsOn: fc.uniqueArray(migrationName, { maxLength: 2 }),
        onOrphan: fc.constantFrom('fail', 'skip', 'null'),
        onError: fc.constantFrom('pause', 'reject'),
        batch: fc.record({ size: fc.integer({ min: 1, max: 100_000 }) }),
      },
      { requiredKeys: [] },
    ),
  )
  .map(([migration, from, to, rest]) => ({ migration, from: `legacy.${from}`, to: `app.${to}`, ...rest }));

/** Every key of the schema, each present or not, right or wrong; and keys the schema does not know. */
const messyMigration = fc.record(
  {
    migration: mostly(fc.oneof(migrationName, identifier, fc.constantFrom('Bad-Name', 'x'.repeat(64)))),
    from: mostly(tableName),
    to: mostly(tableName),
    ...optionalMigrationKeys,
    colums: junk,
  },
  { requiredKeys: [] },
);

const migrationDocument = fc.oneof(plausibleMigration, messyMigration);

const connection = fc.record(
  {
    url: mostly(
      fc.oneof(
        fc.constantFrom(...ENV_REFERENCES),
        fc.constantFrom('postgres://u:hunter2@db/x', 'mysql://root@db:3306/legacy', 'not a url', ''),
      ),
    ),
    schema: mostly(name),
  },
  { requiredKeys: [] },
);

const agent = fc.oneof(
  fc.constantFrom('schema', 'mapping', 'planning', 'validation', 'guidance', 'mapper'),
  fc.record(
    {
      name: mostly(name),
      command: mostly(fc.array(mostly(name), { maxLength: 3 })),
      roles: mostly(fc.array(fc.constantFrom('schema', 'mapping', 'oracle'), { maxLength: 3 })),
      timeoutSeconds: mostly(fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.double())),
    },
    { requiredKeys: [] },
  ),
);

const projectDocument = fc.record(
  {
    version: mostly(fc.constantFrom(1, 2, '1')),
    source: mostly(connection),
    target: mostly(connection),
    sourceTimeZone: mostly(
      fc.constantFrom(
        'UTC',
        'Europe/Berlin',
        'europe/berlin',
        'Europe/Berln',
        'UTC+3',
        '+03:00',
        '${env:FUZZ_SCHEMA_NAME}',
      ),
    ),
    defaults: mostly(
      fc.record(
        {
          batchSize: mostly(fc.oneof(fc.constant('auto'), fc.integer())),
          keys: mostly(fc.constantFrom('preserve', 'generate')),
          onError: mostly(fc.constantFrom('pause', 'reject')),
          onOrphan: mostly(fc.constantFrom('fail', 'skip', 'null')),
        },
        { requiredKeys: [] },
      ),
    ),
    agents: mostly(fc.array(agent, { maxLength: 3 })),
  },
  { requiredKeys: [] },
);

const document = fc.oneof(
  { weight: 6, arbitrary: migrationDocument },
  { weight: 2, arbitrary: projectDocument },
  junk,
);

// ── YAML text ────────────────────────────────────────────────────────────────────────────────────

type Style = (value: unknown) => string;

const STYLES: readonly Style[] = [
  (value) => stringify(value),
  (value) => stringify(value, { collectionStyle: 'flow' }),
  (value) => stringify(value, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' }),
  (value) => stringify(value, { defaultStringType: 'BLOCK_LITERAL', lineWidth: 20 }),
  (value) => jsYaml.dump(value, { flowLevel: 1, noRefs: true }),
  (value) => jsYaml.dump(value, { quotingType: '"', forceQuotes: true, noRefs: true }),
  (value) => `${JSON.stringify(value, null, 2)}\n`,
];

/** A document written out in one of several styles (all of them valid YAML for the value). */
const documentText = fc
  .tuple(document, fc.integer({ min: 0, max: STYLES.length - 1 }))
  .map(([value, style]) => (STYLES[style] as Style)(value));

/** Spec text using what the fast path leaves to the full parser, or what no YAML parser accepts. */
const YAML_FEATURES = [
  'migration: m\nfrom: legacy.m\nto: app.m\ncolumns:\n  a: &col { from: x }\n  b: *col\n',
  'migration: m\nfrom: legacy.m\nto: app.m\nbase: &b { keys: generate }\n<<: *b\n',
  'migration: m\nfrom: legacy.m\nto: app.m\ncolumns:\n  <<: { a: x, b: y }\n',
  'migration: m\nfrom: legacy.m\nto: app.m\ncolumns: { a: *undefined_anchor }\n',
  'a: &a [*a]\n',
  '&a a: b\n*a : c\n',
  'x: &x [1,2,3,4,5,6,7,8,9]\ny: &y [*x,*x,*x,*x,*x,*x,*x,*x,*x]\nz: &z [*y,*y,*y,*y,*y,*y,*y,*y,*y]\n',
  'migration: !!str 1\nfrom: !!binary aGVsbG8=\nto: !!timestamp 2001-12-14\n',
  'migration: !custom m\nfrom: !<tag:yaml.org,2002:js/function> "function () {}"\nto: !!set { a, b }\n',
  'migration: m\nfrom: !!omap [ a: 1 ]\nto: !!pairs [ b: 2 ]\n',
  '%YAML 1.1\n---\nmigration: m\nfrom: legacy.m\nto: app.m\n',
  '%YAML 2.0\n%TAG ! tag:example.com,2000:\n---\nmigration: !x m\n',
  '? [a, b]\n: c\n? { d: e }\n: f\n',
  'migration: m\nfrom: legacy.m\nto: app.m\ncolumns:\n  ? complex\n  : { from: x }\n  1: y\n  true: z\n  null: w\n',
  ': no key\nmigration: m\n',
  'migration: m\nfrom: legacy.m\nto: app.m\nwhere: |2-\n    deleted_at is null\n   and true\n',
  'migration: m\nfrom: legacy.m\nto: app.m\nwhere: >\n  a\n\n  b\n',
  'migration: m\r\nfrom: legacy.m\r\nto: app.m\r\ncolumns:\r\n  a: b\r\n  a: c\r\n',
  'migration: m\rfrom: legacy.m\rto: app.m\rcolumns: { a: b, a: c }\r',
  '\uFEFFmigration: m\nfrom: legacy.m\nto: app.m\n',
  'migration: m\u2028from: legacy.m\u2029to: app.m\u0085keys: x\n',
  'migration:\tm\n\tfrom: legacy.m\nto: app.m\n',
  'migration: m\nfrom: legacy.m\nto: app.m\n...\n---\n...\n---\nmigration: n\n',
  '---\n---\n---\n',
  '- a\n- b\n',
  '"just a string"\n',
  '42\n',
  'migration: m\nmigration: n\n',
  `${'['.repeat(2000)}${']'.repeat(2000)}\n`,
  `${'{a: '.repeat(500)}1${'}'.repeat(500)}\n`,
  `${Array.from({ length: 300 }, (_, i) => `k${i}: ${i}`).join('\n')}\n`,
  'url: "\\x00\\uD800\\U0010FFFF\\N\\_\\L\\P"\n',
  "x: 'it''s'\ny: \"\\q\"\n",
  'source: { url: ${env:FERRY_SOURCE_URL} }\n',
  'version: 1\nsource:\n  url: ${env:FERRY_SOURCE_URL}\ntarget:\n  url: ${env:FERRY_TARGET_URL}\nsourceTimeZone: ${env:FUZZ_SCHEMA_NAME}\n',
];

/** Characters and snippets that change what YAML means. */
const YAML_SNIPPETS = [
  ':',
  ': ',
  '- ',
  '{',
  '}',
  '[',
  ']',
  ',',
  '&a ',
  '*a',
  '<<: *a\n',
  '!!binary ',
  '!t ',
  '|',
  '>',
  '"',
  "'",
  '#',
  '\t',
  '\n',
  '\r\n',
  '\r',
  '  ',
  '---\n',
  '...\n',
  '%YAML 1.2\n',
  '? ',
  '@',
  '`',
  '\\',
  '\uFEFF',
  '\u2028',
  '\u0085',
  '\u0000',
  '\uFFFF',
  '${env:',
  '${env:FERRY_SOURCE_URL}',
  '🙂',
  'é',
  'migration: ',
  'columns:\n  ',
  'expr: ',
];

interface Mutation {
  readonly kind: 'insert' | 'delete' | 'duplicate-line' | 'swap-lines' | 'indent' | 'truncate';
  /** Where, as a fraction of the text's length, so one mutation fits any text. */
  readonly at: number;
  readonly to: number;
  readonly snippet: string;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('insert', 'delete', 'duplicate-line', 'swap-lines', 'indent', 'truncate'),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  to: fc.double({ min: 0, max: 1, noNaN: true }),
  snippet: fc.oneof(fc.constantFrom(...YAML_SNIPPETS), anyText(4)),
});

export function mutate(text: string, change: Mutation): string {
  const at = Math.floor(change.at * text.length);
  const to = Math.floor(change.to * text.length);
  const lines = text.split('\n');
  const line = Math.floor(change.at * lines.length);
  const other = Math.floor(change.to * lines.length);
  switch (change.kind) {
    case 'insert':
      return text.slice(0, at) + change.snippet + text.slice(at);
    case 'delete':
      return text.slice(0, Math.min(at, to)) + text.slice(Math.max(at, to));
    case 'truncate':
      return text.slice(0, at);
    case 'duplicate-line':
      return [...lines.slice(0, line + 1), ...lines.slice(line)].join('\n');
    case 'swap-lines': {
      const swapped = [...lines];
      [swapped[line], swapped[other]] = [lines[other] ?? '', lines[line] ?? ''];
      return swapped.join('\n');
    }
    case 'indent':
      return lines
        .map((l, i) => (i === line ? `${change.snippet === '\t' ? '\t' : '  '}${l}` : l))
        .join('\n');
  }
}

const mutatedText = fc
  .tuple(fc.oneof(documentText, fc.constantFrom(...YAML_FEATURES)), fc.array(mutation, { maxLength: 4 }))
  .map(([text, changes]) => changes.reduce(mutate, text));

/** Several documents in one file, separated as YAML separates them. */
const multiDocumentText = fc
  .array(fc.oneof(documentText, fc.constantFrom(...YAML_FEATURES)), { minLength: 2, maxLength: 3 })
  .map((texts) => texts.join('---\n'));

const fileContent: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  { weight: 6, arbitrary: documentText },
  { weight: 6, arbitrary: mutatedText },
  { weight: 3, arbitrary: fc.constantFrom(...YAML_FEATURES) },
  { weight: 2, arbitrary: multiDocumentText },
  { weight: 1, arbitrary: anyText(200) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
  {
    weight: 1,
    // Valid text with one byte that is not UTF-8 somewhere in it.
    arbitrary: fc
      .tuple(documentText, fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0x80, max: 0xff }))
      .map(([text, at, byte]) => {
        const bytes = Buffer.from(text);
        const offset = Math.floor(at * bytes.length);
        return Buffer.concat([bytes.subarray(0, offset), Buffer.from([byte]), bytes.subarray(offset)]);
      }),
  },
);

const fileName = fc.oneof(
  { weight: 5, arbitrary: identifier.map((n) => `${n}.yaml`) },
  fc.constantFrom('a.yml', 'B.YAML', 'nested/deeper/m.yaml', 'with space.yaml', 'ünï.yaml', '.hidden.yaml'),
);

/** A directory of arbitrary files: usually beside a valid project file, sometimes with a generated one or none. */
const arbitraryDirectory: fc.Arbitrary<readonly FuzzFile[]> = fc
  .tuple(
    fc.constantFrom('valid', 'valid', 'valid', 'generated', 'none'),
    fc.uniqueArray(fc.record({ name: fileName, content: fileContent }), {
      minLength: 1,
      maxLength: 3,
      selector: (file) => file.name.toLowerCase(),
    }),
    fc.oneof(documentText, mutatedText),
  )
  .map(([project, files, projectText]) => {
    const others = files.filter((f) => f.name !== 'ferry.yaml');
    if (project === 'none') return others;
    return [{ name: 'ferry.yaml', content: project === 'valid' ? VALID_PROJECT : projectText }, ...others];
  });

/**
 * A directory close to a real project: a valid project file and migrations with distinct names, so
 * that whole directories load and the checks across migrations (refs, dependsOn, targets) run too.
 */
const plausibleDirectory: fc.Arbitrary<readonly FuzzFile[]> = fc
  .tuple(
    fc.uniqueArray(plausibleMigration, { minLength: 1, maxLength: 4, selector: (m) => m.migration }),
    fc.integer({ min: 0, max: STYLES.length - 1 }),
    fc.option(mutation, { freq: 3 }),
  )
  .map(([migrations, style, change]) => {
    const files = migrations.map((migration) => ({
      name: `${migration.migration}.yaml`,
      content: (STYLES[style] as Style)(withKnownNames(migration, migrations)),
    }));
    const [first, ...rest] = files;
    if (change === null || first === undefined)
      return [{ name: 'ferry.yaml', content: VALID_PROJECT }, ...files];
    return [
      { name: 'ferry.yaml', content: VALID_PROJECT },
      { ...first, content: mutate(first.content, change) },
      ...rest,
    ];
  });

type PlausibleMigration = ReturnType<typeof plausibleMigration.generate>['value'];

/** `dependsOn` and `ref` pointed at migrations of the directory (a wrong one or two is kept). */
function withKnownNames(migration: PlausibleMigration, all: readonly PlausibleMigration[]): object {
  const names = all.map((m) => m.migration);
  const known = (name: string) => (names.includes(name) ? name : (names[0] as string));
  const columns = Object.fromEntries(
    Object.entries(migration.columns ?? {}).map(([column, value]) => [
      column,
      typeof value === 'object' && 'ref' in value ? { ...value, ref: known(value.ref) } : value,
    ]),
  );
  return {
    ...migration,
    ...(migration.columns === undefined ? {} : { columns }),
    ...(migration.dependsOn === undefined ? {} : { dependsOn: [...new Set(migration.dependsOn.map(known))] }),
  };
}

/** A spec directory to load: mostly arbitrary files, often a plausible project. */
export const specDirectory: fc.Arbitrary<readonly FuzzFile[]> = fc.oneof(
  { weight: 3, arbitrary: arbitraryDirectory },
  { weight: 1, arbitrary: plausibleDirectory },
);
