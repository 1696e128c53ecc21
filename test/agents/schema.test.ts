// The schema agent on catalogs introspected from real databases (the reference workload at two
// scales, the examples) and on synthetic catalogs for what those do not show.

import { describe, expect, it } from 'vitest';
import { schemaAgent } from '../../src/agents/builtin/schema.js';
import {
  AgentAnswer,
  type AgentMigration,
  type AgentRequest,
  type ClassificationProposal,
  KINDS_BY_ROLE,
} from '../../src/agents/protocol.js';
import type { CatalogTable } from '../../src/catalog/types.js';
import {
  agentRequest,
  type IntrospectedWorkload,
  introspectWorkload,
  requestFor,
  useWorkload,
} from '../support/agent-request.js';
import { catalog, table } from '../support/catalog-fixtures.js';
import { HR_FILES, referenceFiles, SHOP_FILES } from '../support/workload.js';

/** The same migrations with the spec's `class:` removed, so the agent has to classify them itself. */
function withoutSpecClass(built: IntrospectedWorkload): IntrospectedWorkload {
  return { ...built, migrations: built.migrations.map(({ class: _, ...migration }) => migration) };
}

/** The answer, checked against the protocol: classifications only, one per migration asked about. */
async function classify(request: AgentRequest): Promise<ClassificationProposal[]> {
  const { proposals } = AgentAnswer.parse(await schemaAgent.run(request));
  for (const proposal of proposals) expect(KINDS_BY_ROLE.schema).toContain(proposal.kind);
  const classifications = proposals.filter((p): p is ClassificationProposal => p.kind === 'classification');
  expect(classifications.map((p) => p.migration)).toEqual(request.migrations.map((m) => m.name));
  return classifications;
}

/** `name: class shape confidence`, one line per proposal: the whole answer at a glance. */
async function summary(request: AgentRequest): Promise<string[]> {
  return (await classify(request)).map((p) =>
    p.kind === 'classification' ? `${p.migration}: ${p.class} ${p.shape} ${p.confidence}` : p.kind,
  );
}

const REFERENCE_SUMMARY = [
  'brackets: catalog plain 1',
  'case_file_tags: transactional junction 0.95',
  'case_files: transactional plain 0.85',
  'orders: transactional plain 0.95',
  'tags: catalog plain 1',
];

describe('the reference workload at scale 0.001', () => {
  const workload = useWorkload(referenceFiles('0.001'));

  it('classifies every migration, taking the class the specs set', async () => {
    expect(await summary(requestFor('schema', workload()))).toEqual(REFERENCE_SUMMARY);
  });

  it('tells catalog from transactional tables by itself, with reasons to check', async () => {
    expect(await classify(requestFor('schema', withoutSpecClass(workload())))).toEqual([
      {
        kind: 'classification',
        migration: 'brackets',
        class: 'catalog',
        shape: 'plain',
        confidence: 0.9,
        reason: '1,569 rows, referenced by 1 table through FK case_files.bracket_id',
      },
      {
        kind: 'classification',
        migration: 'case_file_tags',
        class: 'transactional',
        shape: 'junction',
        confidence: 0.95,
        reason:
          "1,998 rows, not referenced by another table's foreign key; primary key (case_file_id, tag_id) is two foreign keys",
      },
      {
        kind: 'classification',
        migration: 'case_files',
        class: 'transactional',
        shape: 'plain',
        confidence: 0.85,
        reason:
          '1,000 rows, referenced by 2 tables through FKs case_file_tags.case_file_id, orders.case_file_id, but it references brackets itself, as business records do',
      },
      {
        kind: 'classification',
        migration: 'orders',
        class: 'transactional',
        shape: 'plain',
        confidence: 0.95,
        reason: "2,000 rows, not referenced by another table's foreign key",
      },
      {
        kind: 'classification',
        migration: 'tags',
        class: 'catalog',
        shape: 'plain',
        confidence: 0.9,
        reason: '500 rows, referenced by 1 table through FK case_file_tags.tag_id',
      },
    ]);
  });
});

describe('the reference workload at scale 0.1', () => {
  const workload = useWorkload(referenceFiles('0.1'));

  it('classifies every migration, taking the class the specs set', async () => {
    expect(await summary(requestFor('schema', workload()))).toEqual([
      'brackets: catalog plain 1',
      'case_file_tags: transactional junction 0.95',
      'case_files: transactional plain 0.95',
      'orders: transactional plain 0.95',
      'tags: catalog plain 1',
    ]);
  });

  it('batches a referenced table that is too large for reference data', async () => {
    const proposals = await classify(requestFor('schema', withoutSpecClass(workload())));
    expect(proposals.map((p) => [p.migration, p.class])).toEqual([
      ['brackets', 'catalog'],
      ['case_file_tags', 'transactional'],
      ['case_files', 'transactional'],
      ['orders', 'transactional'],
      ['tags', 'catalog'],
    ]);
    expect(proposals.find((p) => p.migration === 'case_files')).toMatchObject({
      confidence: 0.95,
      reason:
        '100,000 rows, above the 10,000 a reference table holds, though referenced by 2 tables through FKs case_file_tags.case_file_id, orders.case_file_id',
    });
    expect(proposals.find((p) => p.migration === 'orders')?.reason).toBe(
      "200,000 rows, not referenced by another table's foreign key",
    );
  });
});

describe('the examples', () => {
  it('hr: employees reference themselves, departments and jobs are catalog data', async () => {
    const built = await introspectWorkload(HR_FILES);
    expect(await summary(requestFor('schema', built))).toEqual([
      'departments: catalog plain 1',
      'employees: transactional self-referencing 0.85',
      'job_history: transactional plain 0.95',
      'jobs: catalog plain 1',
    ]);
    const inferred = await classify(requestFor('schema', withoutSpecClass(built)));
    expect(inferred.find((p) => p.migration === 'employees')?.reason).toBe(
      '43 rows, referenced by 1 table through FK job_history.employee_id, but it references departments, jobs itself, as business records do; FK employees.manager_id references its own table',
    );
    expect(inferred.find((p) => p.migration === 'jobs')).toMatchObject({
      class: 'catalog',
      reason: '8 rows, referenced by 2 tables through FKs employees.job_code, job_history.job_code',
    });
  });

  it('shop: order lines are keyed by an order and a position, not two parents', async () => {
    const built = await introspectWorkload(SHOP_FILES);
    expect(await summary(requestFor('schema', withoutSpecClass(built)))).toEqual([
      'categories: catalog plain 0.9',
      'customers: catalog plain 0.9',
      'order_lines: transactional plain 0.95',
      'orders: transactional plain 0.85',
      'payments: transactional plain 0.95',
      'products: transactional plain 0.85',
    ]);
  });
});

// Synthetic catalogs: a blog whose posts carry tags through a link table with a surrogate key.

const SOURCE_TABLES: CatalogTable[] = [
  table('legacy.tag', { id: 'int4!', label: 'text!' }, { primaryKey: ['id'], rowEstimate: 40 }),
  table('legacy.post', { id: 'int8!', title: 'text!' }, { primaryKey: ['id'], rowEstimate: 50_000 }),
  table(
    'legacy.post_tag',
    { id: 'int8!', post_id: 'int8!', tag_id: 'int4!', tagged_at: 'timestamp!' },
    {
      primaryKey: ['id'],
      foreignKeys: [
        [['post_id'], 'legacy.post', ['id']],
        [['tag_id'], 'legacy.tag', ['id']],
      ],
      rowEstimate: 90_000,
    },
  ),
];

const TARGET_TABLES: CatalogTable[] = [
  table('blog.tags', { id: 'int4!', label: 'text!' }, { primaryKey: ['id'] }),
  table('blog.posts', { id: 'int8!', title: 'text!' }, { primaryKey: ['id'] }),
  table(
    'blog.post_tags',
    { id: 'int8!', post_id: 'int8!', tag_id: 'int4!', tagged_at: 'timestamptz!' },
    {
      primaryKey: ['id'],
      uniqueKeys: [['post_id', 'tag_id']],
      foreignKeys: [
        [['post_id'], 'blog.posts', ['id']],
        [['tag_id'], 'blog.tags', ['id']],
      ],
    },
  ),
];

function migration(
  name: string,
  from: string,
  to: string,
  extra: Partial<AgentMigration> = {},
): AgentMigration {
  return {
    name,
    from: { schema: 'legacy', name: from },
    to: { schema: 'blog', name: to },
    keys: 'preserve',
    declaredColumns: {},
    openColumns: [],
    ...extra,
  };
}

const MIGRATIONS = [
  migration('tags', 'tag', 'tags'),
  migration('posts', 'post', 'posts'),
  migration('post_tags', 'post_tag', 'post_tags'),
];

function blogRequest(
  options: { source?: CatalogTable[]; target?: CatalogTable[]; migrations?: AgentMigration[] } = {},
): AgentRequest {
  return agentRequest(
    'schema',
    catalog(...(options.source ?? SOURCE_TABLES)),
    catalog(...(options.target ?? TARGET_TABLES)),
    options.migrations ?? MIGRATIONS,
  );
}

function replaceTable(tables: CatalogTable[], name: string, change: (t: CatalogTable) => CatalogTable) {
  return tables.map((t) => (t.name === name ? change(t) : t));
}

describe('synthetic catalogs', () => {
  it('finds a junction behind a surrogate key, through its unique pair of foreign keys', async () => {
    const proposals = await classify(blogRequest());
    expect(proposals.find((p) => p.migration === 'post_tags')).toEqual({
      kind: 'classification',
      migration: 'post_tags',
      class: 'transactional',
      shape: 'junction',
      confidence: 0.9,
      reason:
        "90,000 rows, not referenced by another table's foreign key; unique key (post_id, tag_id) is two foreign keys, beside the surrogate primary key (id), carrying tagged_at",
    });
    expect(proposals.find((p) => p.migration === 'tags')).toMatchObject({
      class: 'catalog',
      reason: '40 rows, referenced by 1 table through FK post_tags.tag_id',
    });
  });

  it('calls a link table with more than a couple of columns of its own plain', async () => {
    const target = replaceTable(TARGET_TABLES, 'post_tags', (t) => ({
      ...t,
      columns: [
        ...t.columns,
        ...['weight', 'note'].map((name, i) => ({
          ...(t.columns[0] as CatalogTable['columns'][number]),
          name,
          ordinal: 5 + i,
        })),
      ],
    }));
    const proposals = await classify(blogRequest({ target }));
    expect(proposals.find((p) => p.migration === 'post_tags')).toMatchObject({
      shape: 'plain',
      confidence: 0.95,
    });
  });

  it('finds a junction by its primary key, or by a unique key when there is no primary key', async () => {
    const keyedByPair = replaceTable(TARGET_TABLES, 'post_tags', (t) => ({
      ...t,
      columns: t.columns.filter((c) => c.name !== 'id' && c.name !== 'tagged_at'),
      primaryKey: ['post_id', 'tag_id'],
      uniqueKeys: [],
    }));
    expect((await classify(blogRequest({ target: keyedByPair })))[2]).toMatchObject({
      shape: 'junction',
      confidence: 0.95,
      reason:
        "90,000 rows, not referenced by another table's foreign key; primary key (post_id, tag_id) is two foreign keys",
    });
    const { primaryKey: _, ...withoutPrimaryKey } = keyedByPair[2] as CatalogTable;
    const unkeyed = [
      ...keyedByPair.slice(0, 2),
      { ...withoutPrimaryKey, uniqueKeys: [['post_id', 'tag_id']] },
    ];
    expect((await classify(blogRequest({ target: unkeyed })))[2]).toMatchObject({
      shape: 'junction',
      reason:
        "90,000 rows, not referenced by another table's foreign key; unique key (post_id, tag_id) is two foreign keys",
    });
  });

  it('says when a table was never analyzed, and batches it with a low confidence', async () => {
    const source = SOURCE_TABLES.map(({ rowEstimate: _, ...t }) => t);
    expect(await classify(blogRequest({ source }))).toEqual([
      {
        kind: 'classification',
        migration: 'tags',
        class: 'transactional',
        shape: 'plain',
        confidence: 0.5,
        reason:
          'row count unknown (legacy.tag was never analyzed: run ANALYZE legacy.tag), so batched although referenced by 1 table through FK post_tags.tag_id',
      },
      {
        kind: 'classification',
        migration: 'posts',
        class: 'transactional',
        shape: 'plain',
        confidence: 0.5,
        reason:
          'row count unknown (legacy.post was never analyzed: run ANALYZE legacy.post), so batched although referenced by 1 table through FK post_tags.post_id',
      },
      {
        kind: 'classification',
        migration: 'post_tags',
        class: 'transactional',
        shape: 'junction',
        confidence: 0.8,
        reason:
          "row count unknown (legacy.post_tag was never analyzed: run ANALYZE legacy.post_tag); not referenced by another table's foreign key; unique key (post_id, tag_id) is two foreign keys, beside the surrogate primary key (id), carrying tagged_at",
      },
    ]);
  });

  it('takes the class the spec sets, with full confidence, and still reports the shape', async () => {
    const migrations = [
      migration('tags', 'tag', 'tags', { class: 'transactional' }),
      migration('posts', 'post', 'posts', { class: 'catalog' }),
      migration('post_tags', 'post_tag', 'post_tags', { class: 'transactional' }),
    ];
    expect(await summary(blogRequest({ migrations }))).toEqual([
      'tags: transactional plain 1',
      'posts: catalog plain 1',
      'post_tags: transactional junction 0.9',
    ]);
    const [tags, , postTags] = await classify(blogRequest({ migrations }));
    expect(tags?.reason).toBe('set in the spec');
    expect(postTags?.reason).toBe(
      'set in the spec; unique key (post_id, tag_id) is two foreign keys, beside the surrogate primary key (id), carrying tagged_at',
    );
  });

  it('counts a foreign key only the source has, and reads the shape from the source without a target table', async () => {
    const target = TARGET_TABLES.filter((t) => t.name !== 'post_tags');
    const source = replaceTable(SOURCE_TABLES, 'post_tag', (t) => ({
      ...t,
      uniqueKeys: [['post_id', 'tag_id']],
    }));
    const proposals = await classify(blogRequest({ source, target }));
    expect(proposals.find((p) => p.migration === 'tags')?.reason).toBe(
      '40 rows, referenced by 1 table through FK legacy.post_tag.tag_id in the source',
    );
    expect(proposals.find((p) => p.migration === 'post_tags')).toMatchObject({
      shape: 'junction',
      confidence: 0.8,
      reason:
        "90,000 rows, not referenced by another table's foreign key; unique key (post_id, tag_id) is two foreign keys, beside the surrogate primary key (id), carrying tagged_at, read from the source table (blog.post_tags is not in the target catalog)",
    });
  });

  it('proposes only for the migrations it is asked about, the same way every time', async () => {
    const request = blogRequest({ migrations: [MIGRATIONS[2] as AgentMigration] });
    const first = await classify(request);
    expect(first.map((p) => p.migration)).toEqual(['post_tags']);
    expect(await classify(request)).toEqual(first);
  });
});
