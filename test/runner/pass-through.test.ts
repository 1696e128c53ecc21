import { describe, expect, it } from 'vitest';
import { passThroughColumns } from '../../src/runner/pass-through.js';
import { table } from '../support/catalog-fixtures.js';
import { migration } from './fixtures.js';

const FROM = { schema: 'legacy', name: 'things' };
const TO = { schema: 'app', name: 'things' };

/** Whether a staged column of type `staged` passes straight into a target column of type `target`. */
function passes(staged: string, target: string): boolean {
  const source = table('legacy.things', { id: 'bigint!', v: staged });
  const into = table('app.things', { id: 'bigint!', v: target });
  return passThroughColumns(migration(FROM, TO, { id: 'id', v: 'v' }), source, into) !== undefined;
}

describe('passThroughColumns', () => {
  it('names the source column of every target column when each is a plain column', () => {
    const source = table('legacy.things', { casefile_id: 'numeric(20,0)!', tag_id: 'bigint!' });
    const into = table('app.things', { case_file_id: 'bigint!', tag_id: 'integer!' });
    expect(
      passThroughColumns(
        migration(FROM, TO, { case_file_id: 'casefile_id', tag_id: 'tag_id' }),
        source,
        into,
      ),
    ).toStrictEqual([
      { target: 'case_file_id', source: 'casefile_id' },
      { target: 'tag_id', source: 'tag_id' },
    ]);
  });

  it.each([
    // [staged type, target type, passes]: text the target parses as the cast would convert it.
    ['integer', 'bigint', true],
    ['bigint', 'numeric(12,2)', true],
    ['numeric(20,0)', 'integer', true],
    ['numeric(10,2)', 'numeric(12,2)', true],
    ['text', 'character varying(32)', true],
    ['text', 'character(3)', true],
    ['timestamp without time zone', 'timestamp with time zone', true],
    ['timestamp with time zone', 'timestamp with time zone', true],
    ['bytea', 'bytea', true],
    ['date', 'date', true],
    // A cast rounds a fraction into an integer; the integer's input refuses it.
    ['numeric(10,2)', 'integer', false],
    // The input of a zone-less timestamp drops the offset a cast would convert by.
    ['timestamp with time zone', 'timestamp without time zone', false],
    // real's text read as double precision is not the real cast to double precision.
    ['real', 'double precision', false],
    ['smallint', 'boolean', false],
    ['text', 'jsonb', false],
    ['interval', 'time without time zone', false],
  ])('%s into %s: %s', (staged, target, expected) => {
    expect(passes(staged, target)).toBe(expected);
  });

  it('leaves out migrations with an expression, a where or a fix-up', () => {
    const source = table('legacy.things', { id: 'bigint!', cents: 'integer!' });
    const into = table('app.things', { id: 'bigint!', amount: 'numeric(12,2)!' });
    const plain = { id: 'id', amount: 'cents' } as const;
    expect(passThroughColumns(migration(FROM, TO, plain), source, into)).toBeDefined();
    expect(
      passThroughColumns(migration(FROM, TO, { id: 'id', amount: { expr: 'cents / 100.0' } }), source, into),
    ).toBeUndefined();
    expect(
      passThroughColumns(migration(FROM, TO, plain, { where: 'cents > 0' }), source, into),
    ).toBeUndefined();
    expect(
      passThroughColumns(migration(FROM, TO, plain, { fixups: ['amount'] }), source, into),
    ).toBeUndefined();
  });
});
