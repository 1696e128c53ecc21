import { beforeAll, describe, expect, it } from 'vitest';
import { passThroughColumns } from '../../src/runner/pass-through.js';
import { loadExpressionParser } from '../../src/spec/expression.js';
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

beforeAll(() => loadExpressionParser());

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
      { target: 'case_file_id', value: { kind: 'column', name: 'casefile_id' } },
      { target: 'tag_id', value: { kind: 'column', name: 'tag_id' } },
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

  it('leaves out migrations with an expression it cannot ship, a where or a fix-up', () => {
    const source = table('legacy.things', { id: 'bigint!', cents: 'integer!' });
    const into = table('app.things', { id: 'bigint!', amount: 'numeric(12,2)!' });
    const plain = { id: 'id', amount: 'cents' } as const;
    expect(passThroughColumns(migration(FROM, TO, plain), source, into)).toBeDefined();
    expect(
      passThroughColumns(migration(FROM, TO, { id: 'id', amount: { expr: 'cents / 3.0' } }), source, into),
    ).toBeUndefined();
    expect(
      passThroughColumns(migration(FROM, TO, plain, { where: 'cents > 0' }), source, into),
    ).toBeUndefined();
    expect(
      passThroughColumns(migration(FROM, TO, plain, { fixups: ['amount'] }), source, into),
    ).toBeUndefined();
  });
});

describe('shipped expressions', () => {
  const source = table('legacy.things', {
    id: 'bigint!',
    flag: 'smallint',
    n: 'integer',
    big_u: 'numeric(20,0)',
    cents: 'integer',
    ratio: 'numeric(10,2)',
    note: 'text',
    day: 'date',
    moment: 'timestamp without time zone',
  });

  /** What `expr` into a column of `type` ships as, or undefined. */
  function shipped(expr: string, type: string) {
    const into = table('app.things', { id: 'bigint!', v: type });
    const columns = passThroughColumns(migration(FROM, TO, { id: 'id', v: { expr } }), source, into);
    return columns?.[1]?.value;
  }

  it('ships comparisons of integers, null tests and logic into a boolean', () => {
    expect(shipped('flag <> 0', 'boolean')).toStrictEqual({
      kind: 'compare',
      op: '<>',
      left: { kind: 'column', name: 'flag' },
      right: { kind: 'integer', value: '0' },
    });
    expect(shipped('NOT (n = 1 AND big_u != 2) OR note IS NOT NULL', 'boolean')).toStrictEqual({
      kind: 'logic',
      op: 'or',
      args: [
        {
          kind: 'logic',
          op: 'not',
          args: [
            {
              kind: 'logic',
              op: 'and',
              args: [
                {
                  kind: 'compare',
                  op: '=',
                  left: { kind: 'column', name: 'n' },
                  right: { kind: 'integer', value: '1' },
                },
                {
                  kind: 'compare',
                  op: '<>',
                  left: { kind: 'column', name: 'big_u' },
                  right: { kind: 'integer', value: '2' },
                },
              ],
            },
          ],
        },
        { kind: 'is-null', negated: true, arg: { kind: 'column', name: 'note' } },
      ],
    });
  });

  it('ships an integer divided by a power of ten into a numeric small enough to be exact', () => {
    expect(shipped('cents / 100.0', 'numeric(12,2)')).toStrictEqual({
      kind: 'point-shift',
      column: 'cents',
      digits: 2,
    });
    expect(shipped('cents / 1000.', 'numeric(12,1)')).toStrictEqual({
      kind: 'point-shift',
      column: 'cents',
      digits: 3,
    });
  });

  it("ships a cast to the target column's own type as the column itself", () => {
    expect(shipped('big_u::bigint', 'bigint')).toStrictEqual({ kind: 'column', name: 'big_u' });
    expect(shipped('CAST(n AS integer)', 'integer')).toStrictEqual({ kind: 'column', name: 'n' });
  });

  it.each([
    // The result would be printed differently: 1/0 where a cast to text or an integer gives true/false.
    ['flag <> 0', 'integer'],
    ['flag <> 0', 'text'],
    // Negative constants and fractions are left to PostgreSQL.
    ['n > -1', 'boolean'],
    ['ratio > 1', 'boolean'],
    ['n = 1.5', 'boolean'],
    // A zero date is a value in MySQL but NULL once read.
    ['day IS NULL', 'boolean'],
    ['moment IS NOT NULL', 'boolean'],
    // Integer division, a divisor that is no power of ten, a fraction divided.
    ['cents / 100', 'numeric(12,2)'],
    ['cents / 3.0', 'numeric(12,2)'],
    ['ratio / 100.0', 'numeric(12,2)'],
    // Without a scale the quotient's digits would show; too many digits for PostgreSQL's exact quotient.
    ['cents / 100.0', 'numeric'],
    ['cents / 100.0', 'numeric(18,2)'],
    ['cents / 100.0', 'double precision'],
    // A cast to another type than the column's, or with a modifier.
    ['n::bigint', 'integer'],
    ['n::integer', 'bigint'],
    ['note::varchar(5)', 'character varying(5)'],
    // Functions, text comparisons, arithmetic.
    ["lower(note) = 'x'", 'boolean'],
    ["note = 'x'", 'boolean'],
    ['n + 1 > 2', 'boolean'],
    ['cents * 100', 'bigint'],
    ['n', 'boolean'],
  ])('leaves %s into %s to PostgreSQL', (expr, type) => {
    expect(shipped(expr, type)).toBeUndefined();
  });
});
