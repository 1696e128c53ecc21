// The mapping agent on small synthetic catalogs: how names, foreign keys and types become evidence,
// and the expression or warning each conversion needs.

import { describe, expect, it } from 'vitest';
import { migration } from '../support/agent-request.js';
import { catalog, table } from '../support/catalog-fixtures.js';
import { decisions, pasted, propose, readable, summarize, warnings } from './mapping-proposals.js';

describe('names', () => {
  it('reads camelCase and PascalCase source columns as snake_case', () => {
    const source = catalog(
      table(
        'chinook.Artist',
        { ArtistId: 'integer!', Name: 'character varying(120)' },
        { primaryKey: ['ArtistId'] },
      ),
      table(
        'chinook.Album',
        { AlbumId: 'integer!', Title: 'character varying(160)!', ArtistId: 'integer!' },
        { primaryKey: ['AlbumId'], foreignKeys: [[['ArtistId'], 'chinook.Artist', ['ArtistId']]] },
      ),
    );
    const target = catalog(
      table('music.artists', { artist_id: 'integer!', name: 'text' }, { primaryKey: ['artist_id'] }),
      table(
        'music.albums',
        { album_id: 'integer!', title: 'text!', artist_id: 'integer!' },
        { primaryKey: ['album_id'], foreignKeys: [[['artist_id'], 'music.artists', ['artist_id']]] },
      ),
    );
    const proposals = propose(source, target, [
      migration('artists', 'chinook.Artist', 'music.artists', target),
      migration('albums', 'chinook.Album', 'music.albums', target),
    ]);
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
    const source = catalog(
      table(
        'legacy.item',
        {
          id: 'integer!',
          descr: 'text',
          qty: 'integer',
          price_in_cents: 'integer',
          has_stock: 'boolean',
          createdon: 'timestamp without time zone',
          modified: 'timestamp without time zone',
        },
        { primaryKey: ['id'] },
      ),
    );
    const target = catalog(
      table(
        'app.items',
        {
          id: 'integer!',
          description: 'text',
          quantity: 'integer',
          price: 'numeric(12,2)',
          stock: 'boolean',
          created_at: 'timestamp with time zone',
          updated_at: 'timestamp with time zone',
        },
        { primaryKey: ['id'] },
      ),
    );
    const proposals = propose(source, target, [migration('items', 'legacy.item', 'app.items', target)]);
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
  const source = catalog(
    table('legacy.person', { id: 'integer!', full_name: 'text' }, { primaryKey: ['id'] }),
    table('legacy.department', { id: 'integer!' }, { primaryKey: ['id'] }),
    table(
      'legacy.account',
      { id: 'integer!', holder: 'integer!', parent_id: 'integer' },
      {
        primaryKey: ['id'],
        foreignKeys: [
          [['holder'], 'legacy.person', ['id']],
          [['parent_id'], 'legacy.department', ['id']],
        ],
      },
    ),
  );
  /** The target schema, its accounts referencing people through a column of that name. */
  function targetWith(personColumn: string) {
    return catalog(
      table('app.people', { id: ['integer', { identity: true }], full_name: 'text' }, { primaryKey: ['id'] }),
      table(
        'app.accounts',
        { id: 'integer!', [personColumn]: 'integer!', parent_id: 'integer' },
        {
          primaryKey: ['id'],
          foreignKeys: [
            [[personColumn], 'app.people', ['id']],
            [['parent_id'], 'app.accounts', ['id']],
          ],
        },
      ),
    );
  }
  const target = targetWith('person_id');

  it('finds the source column of a ref-only column through the foreign keys', () => {
    const proposals = propose(source, target, [
      migration('people', 'legacy.person', 'app.people', target),
      migration('accounts', 'legacy.account', 'app.accounts', target, {
        declaredColumns: { person_id: { ref: 'people' } },
      }),
    ]);
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
    const proposals = propose(source, owners, [
      migration('people', 'legacy.person', 'app.people', owners),
      migration('accounts', 'legacy.account', 'app.accounts', owners),
    ]);
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
    const proposals = propose(source, target, [
      migration('people', 'legacy.person', 'app.people', target),
      migration('accounts', 'legacy.account', 'app.accounts', target),
    ]);
    const parent = decisions(proposals).find((d) => d.column === 'parent_id');
    expect(parent?.question).toContain('parent_id');
    expect(parent?.question).toContain('references legacy.department');
    expect(parent?.options.map((o) => pasted(o.yaml))).toEqual([
      { columns: { parent_id: { from: 'parent_id' } } },
      { columns: { parent_id: { omit: true } } },
    ]);
  });

  it('asks for a ref when the referenced keys are generated by the target', () => {
    const proposals = propose(source, target, [
      migration('people', 'legacy.person', 'app.people', target, { keys: 'generate' }),
      migration('accounts', 'legacy.account', 'app.accounts', target, { openColumns: ['person_id'] }),
    ]);
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
    const legacy = catalog(
      table(
        'legacy.emp',
        { id: 'integer!', mgr_id: 'integer' },
        { primaryKey: ['id'], foreignKeys: [[['mgr_id'], 'legacy.emp', ['id']]] },
      ),
    );
    const app = catalog(
      table(
        'app.employees',
        { id: 'integer!', manager_id: 'integer', mentor_id: 'integer' },
        {
          primaryKey: ['id'],
          foreignKeys: [
            [['manager_id'], 'app.employees', ['id']],
            [['mentor_id'], 'app.employees', ['id']],
          ],
        },
      ),
    );
    const proposals = propose(legacy, app, [migration('employees', 'legacy.emp', 'app.employees', app)]);
    expect(summarize(proposals)).toEqual([
      'employees.id ← id (1)',
      'employees.manager_id ← mgr_id (0.95)',
      'warning employees.mentor_id',
    ]);
  });
});

describe('types', () => {
  const source = catalog(
    table(
      'legacy.measure',
      {
        id: 'bigint!',
        code: 'character varying(100)',
        amount: 'numeric(12,4)',
        taken_at: 'timestamp without time zone',
        reading: 'text',
        is_valid: 'smallint',
        approved: 'character(1)',
        token: 'integer',
      },
      { primaryKey: ['id'] },
    ),
  );
  const target = catalog(
    table(
      'app.measures',
      {
        id: 'integer!',
        code: 'character varying(20)',
        amount: 'numeric(10,2)',
        taken_at: 'date',
        reading: 'integer',
        valid: 'boolean',
        approved: ['boolean!', { default: 'false' }],
        token: 'uuid',
      },
      { primaryKey: ['id'] },
    ),
  );
  const proposals = propose(source, target, [
    migration('measures', 'legacy.measure', 'app.measures', target),
  ]);

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
