// The mapping agent on small synthetic catalogs: each rule of evidence, each conversion, and each way
// a doubtful column becomes a decision or a warning instead of a mapping.

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { mappingAgent, matchTables, proposeMappings } from '../../src/agents/builtin/mapping/index.js';
import {
  AgentAnswer,
  type DecisionProposal,
  KINDS_BY_ROLE,
  type Proposal,
  type WarningProposal,
} from '../../src/agents/protocol.js';
import { catalog, migration, request, summarize } from './mapping-catalogs.js';

function decisions(proposals: readonly Proposal[]): DecisionProposal[] {
  return proposals.filter((p): p is DecisionProposal => p.kind === 'decision');
}

function warnings(proposals: readonly Proposal[]): WarningProposal[] {
  return proposals.filter((p): p is WarningProposal => p.kind === 'warning');
}

/** What pasting the YAML puts in the spec: compared as data, whatever quoting the YAML writer chose. */
function pasted(yaml: string | undefined): unknown {
  return yaml === undefined ? undefined : parse(yaml);
}

/** A decision with each option's YAML read as data. */
function readable(decision: DecisionProposal | undefined) {
  return { ...decision, options: decision?.options.map((o) => ({ label: o.label, yaml: pasted(o.yaml) })) };
}

describe('names', () => {
  it('reads camelCase and PascalCase source columns as snake_case', () => {
    const source = catalog('chinook', [
      {
        name: 'Artist',
        columns: [
          ['ArtistId', 'integer', { notNull: true }],
          ['Name', 'character varying(120)'],
        ],
        primaryKey: ['ArtistId'],
      },
      {
        name: 'Album',
        columns: [
          ['AlbumId', 'integer', { notNull: true }],
          ['Title', 'character varying(160)', { notNull: true }],
          ['ArtistId', 'integer', { notNull: true }],
        ],
        primaryKey: ['AlbumId'],
        references: { ArtistId: 'chinook.Artist(ArtistId)' },
      },
    ]);
    const target = catalog('music', [
      {
        name: 'artists',
        columns: [
          ['artist_id', 'integer', { notNull: true }],
          ['name', 'text'],
        ],
        primaryKey: ['artist_id'],
      },
      {
        name: 'albums',
        columns: [
          ['album_id', 'integer', { notNull: true }],
          ['title', 'text', { notNull: true }],
          ['artist_id', 'integer', { notNull: true }],
        ],
        primaryKey: ['album_id'],
        references: { artist_id: 'music.artists(artist_id)' },
      },
    ]);
    const proposals = proposeMappings(
      request(source, target, [
        migration('artists', 'chinook.Artist', 'music.artists', target),
        migration('albums', 'chinook.Album', 'music.albums', target),
      ]),
    );
    expect(summarize(proposals)).toEqual([
      'artists.artist_id ← ArtistId (0.95)',
      'artists.name ← Name (0.95)',
      'albums.album_id ← AlbumId (0.95)',
      'albums.title ← Title (0.95)',
      'albums.artist_id ← ArtistId (0.95)',
    ]);
    expect(proposals[0]).toMatchObject({
      reason: expect.stringContaining('ArtistId is artist_id written in another style'),
    });
    expect(proposals[4]).toMatchObject({
      reason: expect.stringContaining('FK to music.artists matches FK to chinook.Artist'),
    });
  });

  it('reads synonyms, is_ prefixes, cents and date suffixes, each with a reason', () => {
    const source = catalog('legacy', [
      {
        name: 'item',
        columns: [
          ['id', 'integer', { notNull: true }],
          ['descr', 'text'],
          ['qty', 'integer'],
          ['price_in_cents', 'integer'],
          ['has_stock', 'boolean'],
          ['createdon', 'timestamp without time zone'],
          ['modified', 'timestamp without time zone'],
        ],
        primaryKey: ['id'],
      },
    ]);
    const target = catalog('app', [
      {
        name: 'items',
        columns: [
          ['id', 'integer', { notNull: true }],
          ['description', 'text'],
          ['quantity', 'integer'],
          ['price', 'numeric(12,2)'],
          ['stock', 'boolean'],
          ['created_at', 'timestamp with time zone'],
          ['updated_at', 'timestamp with time zone'],
        ],
        primaryKey: ['id'],
      },
    ]);
    const proposals = proposeMappings(
      request(source, target, [migration('items', 'legacy.item', 'app.items', target)]),
    );
    expect(summarize(proposals)).toEqual([
      'items.id ← id (1)',
      'items.description ← descr (0.9)',
      'items.quantity ← qty (0.9)',
      'items.price ← expr price_in_cents / 100.0 (0.9)',
      'items.stock ← has_stock (0.9)',
      'items.created_at ← createdon (0.85)',
      'items.updated_at ← modified (0.8)',
    ]);
    const reasons = Object.fromEntries(
      proposals.flatMap((p) => (p.kind === 'column' ? [[p.column, p.reason]] : [])),
    );
    expect(reasons).toEqual({
      id: 'same name and type',
      description: 'descr stands for description; same type',
      quantity: 'qty stands for quantity; same type',
      price: 'price_in_cents holds the amount in cents; cents become an amount (divided by 100)',
      stock: 'has_stock is the flag stock with an has_ prefix; same type',
      created_at:
        '_on and _at both mark a date or time; timestamp becomes timestamptz; the values are read in the configured source time zone',
      updated_at:
        '_at only marks a date or time; modified means updated; timestamp becomes timestamptz; the values are read in the configured source time zone',
    });
  });
});

describe('foreign keys', () => {
  const source = catalog('legacy', [
    {
      name: 'person',
      columns: [
        ['id', 'integer', { notNull: true }],
        ['full_name', 'text'],
      ],
      primaryKey: ['id'],
    },
    { name: 'department', columns: [['id', 'integer', { notNull: true }]], primaryKey: ['id'] },
    {
      name: 'account',
      columns: [
        ['id', 'integer', { notNull: true }],
        ['holder', 'integer', { notNull: true }],
        ['parent_id', 'integer'],
      ],
      primaryKey: ['id'],
      references: { holder: 'legacy.person(id)', parent_id: 'legacy.department(id)' },
    },
  ]);
  /** The target schema, its accounts referencing people through a column of that name. */
  function targetWith(personColumn: string) {
    return catalog('app', [
      {
        name: 'people',
        columns: [
          ['id', 'integer', { identity: true }],
          ['full_name', 'text'],
        ],
        primaryKey: ['id'],
      },
      {
        name: 'accounts',
        columns: [
          ['id', 'integer', { notNull: true }],
          [personColumn, 'integer', { notNull: true }],
          ['parent_id', 'integer'],
        ],
        primaryKey: ['id'],
        references: { [personColumn]: 'app.people(id)', parent_id: 'app.accounts(id)' },
      },
    ]);
  }
  const target = targetWith('person_id');

  it('finds the source column of a ref-only column through the foreign keys', () => {
    const proposals = proposeMappings(
      request(source, target, [
        migration('people', 'legacy.person', 'app.people', target),
        migration('accounts', 'legacy.account', 'app.accounts', target, {
          declaredColumns: { person_id: { ref: 'people' } },
        }),
      ]),
    );
    expect(proposals.find((p) => p.kind === 'column' && p.column === 'person_id')).toEqual({
      kind: 'column',
      migration: 'accounts',
      column: 'person_id',
      from: 'holder',
      confidence: 0.9,
      reason:
        'the only column referencing legacy.person, as the target column references app.people; same type',
    });
  });

  it('doubts the only reference to the right table when no name says it plays the role', () => {
    const owners = targetWith('owner_id');
    const proposals = proposeMappings(
      request(source, owners, [
        migration('people', 'legacy.person', 'app.people', owners),
        migration('accounts', 'legacy.account', 'app.accounts', owners),
      ]),
    );
    expect(readable(decisions(proposals).find((d) => d.column === 'owner_id'))).toEqual({
      kind: 'decision',
      migration: 'accounts',
      column: 'owner_id',
      question:
        'The best match for app.accounts.owner_id is holder (the only column referencing legacy.person, as the target column references app.people, but neither name says it plays the role of owner_id; same type), with confidence 0.75, below the 0.80 threshold: is it the right column?',
      options: [
        {
          label:
            'holder: the only column referencing legacy.person, as the target column references app.people, but neither name says it plays the role of owner_id; same type (confidence 0.75)',
          yaml: { columns: { owner_id: { from: 'holder' } } },
        },
      ],
    });
  });

  it('doubts a same-named column whose foreign key points elsewhere', () => {
    const proposals = proposeMappings(
      request(source, target, [
        migration('people', 'legacy.person', 'app.people', target),
        migration('accounts', 'legacy.account', 'app.accounts', target),
      ]),
    );
    const parent = decisions(proposals).find((d) => d.column === 'parent_id');
    expect(parent?.question).toContain('parent_id');
    expect(parent?.question).toContain('references legacy.department');
    expect(parent?.options.map((o) => pasted(o.yaml))).toEqual([
      { columns: { parent_id: { from: 'parent_id' } } },
      { columns: { parent_id: { omit: true } } },
    ]);
  });

  it('asks for a ref when the referenced keys are generated by the target', () => {
    const proposals = proposeMappings(
      request(source, target, [
        migration('people', 'legacy.person', 'app.people', target, { keys: 'generate' }),
        migration('accounts', 'legacy.account', 'app.accounts', target, { openColumns: ['person_id'] }),
      ]),
    );
    expect(summarize(proposals)).toEqual([
      'people.id ← omit (1)',
      'people.full_name ← full_name (1)',
      'decision accounts.person_id',
    ]);
    expect(readable(decisions(proposals)[0]).options).toEqual([
      {
        label: 'holder, translated through the key mapping of people',
        yaml: { columns: { person_id: { from: 'holder', ref: 'people' } } },
      },
    ]);
  });

  it('never gives one source column to two target columns on weak evidence', () => {
    const legacy = catalog('legacy', [
      {
        name: 'emp',
        columns: [
          ['id', 'integer', { notNull: true }],
          ['mgr_id', 'integer'],
        ],
        primaryKey: ['id'],
        references: { mgr_id: 'legacy.emp(id)' },
      },
    ]);
    const app = catalog('app', [
      {
        name: 'employees',
        columns: [
          ['id', 'integer', { notNull: true }],
          ['manager_id', 'integer'],
          ['mentor_id', 'integer'],
        ],
        primaryKey: ['id'],
        references: { manager_id: 'app.employees(id)', mentor_id: 'app.employees(id)' },
      },
    ]);
    const proposals = proposeMappings(
      request(legacy, app, [migration('employees', 'legacy.emp', 'app.employees', app)]),
    );
    expect(summarize(proposals)).toEqual([
      'employees.id ← id (1)',
      'employees.manager_id ← mgr_id (0.95)',
      'warning employees.mentor_id',
    ]);
  });
});

describe('types', () => {
  const source = catalog('legacy', [
    {
      name: 'measure',
      columns: [
        ['id', 'bigint', { notNull: true }],
        ['code', 'character varying(100)'],
        ['amount', 'numeric(12,4)'],
        ['taken_at', 'timestamp without time zone'],
        ['reading', 'text'],
        ['is_valid', 'smallint'],
        ['approved', 'character(1)'],
        ['token', 'integer'],
      ],
      primaryKey: ['id'],
    },
  ]);
  const target = catalog('app', [
    {
      name: 'measures',
      columns: [
        ['id', 'integer', { notNull: true }],
        ['code', 'character varying(20)'],
        ['amount', 'numeric(10,2)'],
        ['taken_at', 'date'],
        ['reading', 'integer'],
        ['valid', 'boolean'],
        ['approved', 'boolean', { notNull: true, default: 'false' }],
        ['token', 'uuid'],
      ],
      primaryKey: ['id'],
    },
  ]);
  const proposals = proposeMappings(
    request(source, target, [migration('measures', 'legacy.measure', 'app.measures', target)]),
  );

  it('maps compatible types, with an expression where a copy is wrong', () => {
    expect(summarize(proposals)).toEqual([
      'measures.id ← id (1)',
      'warning measures.id',
      'measures.code ← code (1)',
      'warning measures.code',
      'measures.amount ← amount (1)',
      'warning measures.amount',
      'measures.taken_at ← taken_at (0.9)',
      'warning measures.taken_at',
      'measures.reading ← reading (0.8)',
      'warning measures.reading',
      'measures.valid ← expr is_valid <> 0 (0.85)',
      'decision measures.approved',
      'decision measures.token',
    ]);
  });

  it('warns about each lossy conversion with the YAML that makes it explicit', () => {
    expect(warnings(proposals).map((w) => [w.column, pasted(w.yaml)])).toEqual([
      ['id', { columns: { id: { expr: 'id::integer' } } }],
      ['code', { columns: { code: { expr: 'left(code, 20)' } } }],
      ['amount', { columns: { amount: { expr: 'round(amount, 2)' } } }],
      ['taken_at', { columns: { taken_at: { expr: 'taken_at::date' } } }],
      ['reading', { columns: { reading: { expr: 'reading::integer' } } }],
    ]);
    expect(warnings(proposals).map((w) => w.message)).toEqual([
      'app.measures.id from id: bigint → integer: values outside the integer range would not load.',
      'app.measures.code from code: character varying(100) holds up to 100 characters but character varying(20) only 20: longer values would not load; left() cuts them to 20 characters.',
      'app.measures.amount from amount: numeric(12,4) → numeric(10,2): decimals beyond 2 are rounded.',
      'app.measures.taken_at from taken_at: timestamp without time zone → date: the time of day is dropped.',
      'app.measures.reading from reading: text → integer: text that is not a number would not load.',
    ]);
  });

  it('asks how a text flag spells yes, and how to convert types without a plain cast', () => {
    const [approved, token] = decisions(proposals);
    expect(readable(approved)).toEqual({
      kind: 'decision',
      migration: 'measures',
      column: 'approved',
      question:
        'approved (character(1)) is a text flag and approved is boolean: which value of approved means approved?',
      options: [
        { label: "approved holds 'Y' or 'N'", yaml: { columns: { approved: { expr: "approved = 'Y'" } } } },
        {
          label: 'approved holds yes in several spellings (Y, YES, T, TRUE, 1)',
          yaml: { columns: { approved: { expr: "upper(approved) IN ('Y', 'YES', 'T', 'TRUE', '1')" } } },
        },
        { label: 'leave it to its default (false)', yaml: { columns: { approved: { omit: true } } } },
      ],
    });
    expect(token?.options.map((o) => pasted(o.yaml))).toEqual([
      { columns: { token: { expr: 'token::uuid' } } },
      { columns: { token: { omit: true } } },
    ]);
  });
});

describe('decisions and warnings', () => {
  const source = catalog('legacy', [
    {
      name: 'contact',
      columns: [
        ['id', 'integer', { notNull: true }],
        ['email_addr', 'text'],
        ['email_address', 'text'],
        ['contact_name', 'text'],
      ],
      primaryKey: ['id'],
    },
  ]);
  const target = catalog('app', [
    {
      name: 'contacts',
      columns: [
        ['id', 'integer', { notNull: true }],
        ['email', 'text'],
        ['name', 'text'],
        ['display_name', 'text', { notNull: true }],
        ['nickname', 'text'],
        ['source', 'text', { notNull: true, default: "'legacy'::text" }],
        ['search', 'text', { generated: 'lower(name)' }],
      ],
      primaryKey: ['id'],
    },
  ]);
  const contacts = migration('contacts', 'legacy.contact', 'app.contacts', target);

  it('raises a decision between two candidates that fit about equally well', () => {
    const proposals = proposeMappings(request(source, target, [contacts]));
    const email = decisions(proposals).find((d) => d.column === 'email');
    expect(email?.question).toBe(
      'email_addr and email_address fit app.contacts.email about equally well (0.90 and 0.90): which one fills it?',
    );
    expect(email?.options.map((o) => pasted(o.yaml))).toEqual([
      { columns: { email: { from: 'email_addr' } } },
      { columns: { email: { from: 'email_address' } } },
      { columns: { email: { omit: true } } },
    ]);
  });

  it('asks what fills a NOT NULL column without a default, never offering to omit it', () => {
    const proposals = proposeMappings(request(source, target, [contacts]));
    expect(readable(decisions(proposals).find((d) => d.column === 'display_name'))).toEqual({
      kind: 'decision',
      migration: 'contacts',
      column: 'display_name',
      question:
        'No column of legacy.contact matches app.contacts.display_name, which is NOT NULL and has no default: what fills it?',
      options: [
        {
          label: 'an SQL expression over the source columns (replace the placeholder)',
          yaml: { columns: { display_name: { expr: '<expression>' } } },
        },
      ],
    });
  });

  it('warns that a nullable column stays NULL, or a column with a default gets it, and skips generated ones', () => {
    const proposals = proposeMappings(request(source, target, [contacts]));
    expect(summarize(proposals)).toEqual([
      'contacts.id ← id (1)',
      'decision contacts.email',
      'contacts.name ← contact_name (0.9)',
      'decision contacts.display_name',
      'warning contacts.nickname',
      'warning contacts.source',
    ]);
    expect(warnings(proposals).map((w) => ({ ...w, yaml: pasted(w.yaml) }))).toEqual([
      {
        kind: 'warning',
        migration: 'contacts',
        column: 'nickname',
        message: 'No column of legacy.contact matches app.contacts.nickname; it will be left NULL.',
        yaml: { columns: { nickname: { omit: true } } },
      },
      {
        kind: 'warning',
        migration: 'contacts',
        column: 'source',
        message:
          "No column of legacy.contact matches app.contacts.source; it will get its default ('legacy'::text).",
        yaml: { columns: { source: { omit: true } } },
      },
    ]);
  });

  it('turns a proposal below the threshold into a decision', () => {
    const strict = proposeMappings(request(source, target, [contacts], 0.95));
    expect(strict.find((p) => p.kind === 'column' && p.column === 'name')).toBeUndefined();
    const name = decisions(strict).find((d) => d.column === 'name');
    expect(name?.question).toBe(
      "The best match for app.contacts.name is contact_name (contact_name carries its table's name as a prefix; same type), with confidence 0.90, below the 0.95 threshold: is it the right column?",
    );
    expect(name?.options.map((o) => pasted(o.yaml))).toEqual([
      { columns: { name: { from: 'contact_name' } } },
      { columns: { name: { omit: true } } },
    ]);
  });
});

describe('keys: generate', () => {
  const source = catalog('legacy', [
    {
      name: 'client',
      columns: [
        ['client_id', 'integer', { notNull: true }],
        ['client_name', 'text'],
      ],
      primaryKey: ['client_id'],
    },
  ]);

  it('leaves a key the target generates out, with confidence 1', () => {
    const target = catalog('app', [
      {
        name: 'clients',
        columns: [
          ['id', 'bigint', { identity: true }],
          ['name', 'text'],
        ],
        primaryKey: ['id'],
      },
    ]);
    const proposals = proposeMappings(
      request(source, target, [
        migration('clients', 'legacy.client', 'app.clients', target, { keys: 'generate' }),
      ]),
    );
    expect(proposals[0]).toEqual({
      kind: 'column',
      migration: 'clients',
      column: 'id',
      omit: true,
      confidence: 1,
      reason:
        'keys: generate: the target assigns id itself, and ferry records old → new keys in migration_mappings',
    });
    expect(summarize(proposals).slice(1)).toEqual(['clients.name ← client_name (0.9)']);
  });

  it('asks to keep the legacy keys when the target cannot generate them', () => {
    const target = catalog('app', [
      {
        name: 'clients',
        columns: [
          ['id', 'bigint', { notNull: true }],
          ['name', 'text'],
        ],
        primaryKey: ['id'],
      },
    ]);
    const proposals = proposeMappings(
      request(source, target, [
        migration('clients', 'legacy.client', 'app.clients', target, { keys: 'generate' }),
      ]),
    );
    expect(readable(decisions(proposals)[0]).options).toEqual([
      { label: 'keep the legacy keys', yaml: { keys: 'preserve' } },
    ]);
  });
});

describe('matchTables', () => {
  it('matches singular and plural names, irregular plurals and a shared application prefix', () => {
    const source = catalog('legacy', [
      {
        name: 'app_customer',
        columns: [
          ['id', 'integer'],
          ['name', 'text'],
        ],
      },
      {
        name: 'app_order_item',
        columns: [
          ['id', 'integer'],
          ['qty', 'integer'],
        ],
      },
      {
        name: 'app_person',
        columns: [
          ['id', 'integer'],
          ['full_name', 'text'],
        ],
      },
      { name: 'audit', columns: [['id', 'integer']] },
    ]);
    const target = catalog('app', [
      {
        name: 'customers',
        columns: [
          ['id', 'integer'],
          ['name', 'text'],
        ],
      },
      {
        name: 'invoices',
        columns: [
          ['id', 'integer'],
          ['total', 'numeric'],
        ],
      },
      {
        name: 'order_items',
        columns: [
          ['id', 'integer'],
          ['quantity', 'integer'],
        ],
      },
      {
        name: 'people',
        columns: [
          ['id', 'integer'],
          ['full_name', 'text'],
        ],
      },
    ]);
    const matches = matchTables(source, target);
    expect(matches.map((m) => [m.target.name, m.source?.name, m.confidence])).toEqual([
      ['customers', 'app_customer', 0.92],
      ['invoices', undefined, 0],
      ['order_items', 'app_order_item', 0.92],
      ['people', 'app_person', 0.92],
    ]);
    expect(matches[1]).toEqual({
      target: { schema: 'app', name: 'invoices' },
      confidence: 0,
      reason: 'no source table matches its name or its columns',
    });
    expect(matches[0]?.reason).toBe(
      'app_customer without its app_ prefix names customers (customer and customers are forms of one word); 2 of 2 columns match by name',
    );
  });
});

describe('the agent', () => {
  const source = catalog('legacy', [
    {
      name: 'item',
      columns: [
        ['id', 'integer', { notNull: true }],
        ['is_active', 'smallint'],
        ['label', 'text'],
      ],
      primaryKey: ['id'],
    },
  ]);
  const target = catalog('app', [
    {
      name: 'items',
      columns: [
        ['id', 'integer', { notNull: true }],
        ['active', 'boolean'],
        ['title', 'text', { notNull: true }],
        ['note', 'text'],
      ],
      primaryKey: ['id'],
    },
  ]);
  const items = request(source, target, [migration('items', 'legacy.item', 'app.items', target)]);

  it('is the built-in mapping agent and answers only with the kinds of its role', async () => {
    expect([mappingAgent.name, mappingAgent.role]).toEqual(['mapping', 'mapping']);
    const answer = AgentAnswer.parse(await mappingAgent.run(items));
    expect(answer.proposals.length).toBeGreaterThan(0);
    for (const proposal of answer.proposals) expect(KINDS_BY_ROLE.mapping).toContain(proposal.kind);
  });

  it('gives the same answer every time', async () => {
    expect(await mappingAgent.run(items)).toEqual(await mappingAgent.run(structuredClone(items)));
  });

  it('writes YAML that parses into a columns mapping', () => {
    const yamls = proposeMappings(items).flatMap((p) =>
      p.kind === 'decision' ? p.options.map((o) => o.yaml) : p.kind === 'warning' && p.yaml ? [p.yaml] : [],
    );
    expect(yamls.length).toBeGreaterThan(0);
    for (const yaml of yamls) expect(Object.keys(parse(yaml) as object)).toEqual(['columns']);
  });

  it('reports migrations whose tables are missing from the catalogs', () => {
    const missing = request(source, target, [migration('ghost', 'legacy.ghost', 'app.items', target)]);
    expect(proposeMappings(missing)).toEqual([
      {
        kind: 'warning',
        migration: 'ghost',
        message: 'legacy.ghost or app.items is not in the catalog, so its open columns cannot be mapped.',
      },
    ]);
  });
});
