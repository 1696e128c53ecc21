// The mapping agent's conversion table for MySQL source types: each row of docs/mysql.md, as the
// agent decides it for one source and one target column.

import { describe, expect, it } from 'vitest';
import type { ColumnView } from '../../src/agents/builtin/mapping/catalog-view.js';
import { convert } from '../../src/agents/builtin/mapping/conversions.js';

function column(type: string, baseType: string, extra: Partial<ColumnView> = {}): ColumnView {
  return { name: 'v', ordinal: 1, type, baseType, nullable: true, serial: false, generated: false, ...extra };
}

const pg = {
  boolean: column('boolean', 'bool'),
  integer: column('integer', 'int4'),
  bigint: column('bigint', 'int8'),
  numeric20: column('numeric(20,0)', 'numeric', { precision: 20, scale: 0 }),
  numeric10_2: column('numeric(10,2)', 'numeric', { precision: 10, scale: 2 }),
  text: column('text', 'text'),
  textArray: column('text[]', 'text[]'),
  status: column('app.case_status', 'app.case_status'),
  timestamptz: column('timestamp with time zone', 'timestamptz'),
  timestamp: column('timestamp without time zone', 'timestamp'),
  bytea: column('bytea', 'bytea'),
  jsonb: column('jsonb', 'jsonb'),
  smallint: column('smallint', 'int2'),
};

const mysql = {
  flag: column('tinyint(1)', 'tinyint'),
  bit1: column('bit(1)', 'bit', { maxLength: 1 }),
  intUnsigned: column('int(10) unsigned', 'int', { unsigned: true }),
  bigintUnsigned: column('bigint(20) unsigned', 'bigint', { unsigned: true }),
  status: column("enum('open','closed')", 'enum', { members: ['open', 'closed'] }),
  tags: column("set('red','blue')", 'set', { members: ['red', 'blue'] }),
  datetime: column('datetime', 'datetime'),
  timestamp: column('timestamp', 'timestamp'),
  blob: column('blob', 'blob'),
  json: column('json', 'json'),
  year: column('year(4)', 'year'),
  decimal: column('decimal(10,2)', 'decimal', { precision: 10, scale: 2 }),
};

describe('MySQL source types', () => {
  it('reads tinyint(1) and bit(1) flags as booleans', () => {
    expect(convert(mysql.flag, pg.boolean)).toMatchObject({ kind: 'expr', expr: 'v <> 0' });
    expect(convert(mysql.bit1, pg.boolean)).toMatchObject({ kind: 'expr', expr: `v = B'1'`, cost: 0 });
  });

  it('copies unsigned integers into a type that holds their range, and flags one that does not', () => {
    expect(convert(mysql.intUnsigned, pg.bigint)).toStrictEqual({
      kind: 'copy',
      cost: 0,
      note: expect.any(String),
    });
    expect(convert(mysql.intUnsigned, pg.integer)).toMatchObject({
      kind: 'copy',
      loss: { expr: 'v::integer', message: expect.stringContaining('outside the integer range') },
    });
    expect(convert(mysql.bigintUnsigned, pg.bigint)).toMatchObject({ loss: { expr: 'v::bigint' } });
    expect(convert(mysql.bigintUnsigned, pg.numeric20)).toStrictEqual({
      kind: 'copy',
      cost: 0.05,
      note: 'compatible numbers (bigint(20) unsigned → numeric(20,0))',
    });
  });

  it('turns ENUM into text or a PostgreSQL enum, and SET into an array', () => {
    expect(convert(mysql.status, pg.text)).toMatchObject({ kind: 'copy', cost: 0 });
    expect(convert(mysql.status, pg.status)).toMatchObject({
      kind: 'copy',
      note: 'ENUM members (open, closed) read as app.case_status; a member the type lacks would not load',
    });
    expect(convert(mysql.tags, pg.textArray)).toMatchObject({
      kind: 'expr',
      expr: `string_to_array(nullif(v, ''), ',')`,
    });
  });

  it('reads DATETIME in the source time zone and TIMESTAMP as the instant it is', () => {
    expect(convert(mysql.datetime, pg.timestamptz)).toMatchObject({
      kind: 'copy',
      note: expect.stringContaining('source time zone'),
    });
    expect(convert(mysql.timestamp, pg.timestamptz)).toMatchObject({ kind: 'copy', cost: 0 });
    expect(convert(mysql.timestamp, pg.timestamp)).toMatchObject({
      kind: 'copy',
      note: expect.stringContaining('session time zone'),
    });
  });

  it('copies BLOB into bytea, JSON into jsonb, YEAR into an integer, DECIMAL exactly', () => {
    expect(convert(mysql.blob, pg.bytea)).toMatchObject({ kind: 'copy', cost: 0 });
    expect(convert(mysql.json, pg.jsonb)).toMatchObject({ kind: 'copy', cost: 0 });
    expect(convert(mysql.year, pg.smallint)).toStrictEqual({
      kind: 'copy',
      cost: 0,
      note: expect.any(String),
    });
    expect(convert(mysql.decimal, pg.numeric10_2)).toStrictEqual({
      kind: 'copy',
      cost: 0,
      note: expect.any(String),
    });
  });
});
