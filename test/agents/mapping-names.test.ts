// The pieces the mapping agent reads names with: words, plurals, abbreviations, application prefixes,
// the cost of reading one name as another, SQL identifiers, and the values a CHECK constraint allows.

import { describe, expect, it } from 'vitest';
import { compareWords } from '../../src/agents/builtin/mapping/compare-words.js';
import { sqlIdentifier } from '../../src/agents/builtin/mapping/snippets.js';
import { detectAppPrefix, tableWords } from '../../src/agents/builtin/mapping/table-names.js';
import { allowedValues } from '../../src/agents/builtin/mapping/value-lists.js';
import { abbreviationOf, singular, splitWords } from '../../src/agents/builtin/mapping/words.js';
import { table } from '../support/catalog-fixtures.js';

describe('words', () => {
  it('splits snake_case, camelCase, PascalCase and acronyms alike', () => {
    expect(splitWords('case_file_id')).toEqual(['case', 'file', 'id']);
    expect(splitWords('ArtistId')).toEqual(['artist', 'id']);
    expect(splitWords('createdOn')).toEqual(['created', 'on']);
    expect(splitWords('HTTPStatusCode')).toEqual(['http', 'status', 'code']);
    expect(splitWords('Quantité')).toEqual(['quantité']);
  });

  it('makes plurals singular without mangling words that end in s', () => {
    expect(['brackets', 'categories', 'addresses', 'status', 'people', 'boxes', 'tag'].map(singular)).toEqual(
      ['bracket', 'category', 'address', 'status', 'person', 'box', 'tag'],
    );
  });

  it('tells abbreviations by their first letters or by letters in order', () => {
    expect(abbreviationOf('sal', 'salary')).toBe('prefix');
    expect(abbreviationOf('dept', 'department')).toBe('letters');
    expect(abbreviationOf('mgr', 'manager')).toBe('letters');
    expect(abbreviationOf('no', 'number')).toBeUndefined();
    expect(abbreviationOf('dpt', 'address')).toBeUndefined();
  });
});

describe('compareWords', () => {
  it('costs nothing for the same words and a little for each accepted difference', () => {
    expect(compareWords(['case', 'file', 'id'], ['case', 'file', 'id'])?.cost).toBe(0);
    expect(compareWords(['casefile', 'id'], ['case', 'file', 'id'])?.cost).toBe(0.1);
    expect(compareWords(['qty'], ['quantity'])).toEqual({ cost: 0.1, notes: ['qty stands for quantity'] });
    expect(compareWords(['modified'], ['updated'])).toEqual({
      cost: 0.15,
      notes: ['modified means updated'],
    });
    expect(compareWords(['email', 'addr'], ['email'])?.cost).toBe(0.1);
    expect(compareWords(['tags'], ['tag'])?.cost).toBe(0.05);
    expect(compareWords(['min', 'sal'], ['min', 'salary'])).toEqual({
      cost: 0.2,
      notes: ['sal abbreviates salary'],
    });
  });

  it('refuses names that say different things', () => {
    expect(compareWords(['min', 'weight'], ['max', 'weight'])).toBeUndefined();
    expect(compareWords(['created'], ['updated'])).toBeUndefined();
    expect(compareWords(['order'], ['order', 'lines'])).toBeUndefined();
  });
});

describe('application prefixes', () => {
  it('finds the leading word most tables share, and only then', () => {
    expect(detectAppPrefix(['dispatch_bracket', 'dispatch_tag', 'dispatch_casefile_tags'])).toBe('dispatch');
    expect(detectAppPrefix(['tbl_dept', 'tbl_emp', 'tbl_job', 'audit'])).toBe('tbl');
    expect(detectAppPrefix(['orders', 'order_lines', 'products', 'customers'])).toBeUndefined();
    expect(detectAppPrefix(['dispatch_bracket'])).toBeUndefined();
  });

  it('drops the application prefix, or a generic tbl_ one, from table names', () => {
    expect(tableWords('dispatch_casefile_tags', 'dispatch')).toEqual(['casefile', 'tags']);
    expect(tableWords('tbl_emp', undefined)).toEqual(['emp']);
    expect(tableWords('order_lines', undefined)).toEqual(['order', 'lines']);
  });
});

describe('SQL identifiers', () => {
  it('quotes only names PostgreSQL would fold or reserve', () => {
    expect(['is_active', 'ArtistId', 'order', 'user', 'a"b', 'x1'].map(sqlIdentifier)).toEqual([
      'is_active',
      '"ArtistId"',
      '"order"',
      '"user"',
      '"a""b"',
      'x1',
    ]);
  });
});

describe('allowedValues', () => {
  it('reads the values a CHECK constraint on one column lists, as PostgreSQL prints it', () => {
    const orders = table(
      'shop.orders',
      { status: 'text', kind: 'character varying(8)', total: 'numeric(10,2)' },
      {
        checks: [
          "CHECK ((status = ANY (ARRAY['new'::text, 'paid'::text, 'it''s'::text])))",
          "CHECK (((kind)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])))",
          "CHECK (((total > (0)::numeric) OR (status = 'new'::text)))",
        ],
      },
    );
    expect(allowedValues(orders, 'status')).toEqual(['new', 'paid', "it's"]);
    expect(allowedValues(orders, 'kind')).toEqual(['a', 'b']);
    expect(allowedValues(orders, 'total')).toBeUndefined();
  });
});
